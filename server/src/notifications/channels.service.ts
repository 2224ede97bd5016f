import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  type BranchChannels,
  type NotificationPrefs,
  type WebhookKind,
} from '@branchmeet/shared';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { DomainError, Conflict } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AccessService } from '../orgs/access.service';

/**
 * Which channels beyond the tab a branch has switched on (its managers decide, audited), and each person's own
 * address, robot and choice of events (their own business only).
 */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The server posts to a robot URL, so it may only name an allowed host (no requests into the internal network). */
  assertWebhookHost(url: string): void {
    const hosts = this.config.NOTIFY_WEBHOOK_HOSTS;
    if (!hosts.includes(new URL(url).hostname.toLowerCase()))
      throw new DomainError(ErrorCodes.validation, 400, 'channels.webhookHost', { hosts: hosts.join(', ') });
  }

  async branch(user: AuthUser, unitId: string): Promise<BranchChannels> {
    await this.access.unit(user, unitId, 'unit.read');
    return this.read(unitId);
  }

  async setBranch(user: AuthUser, unitId: string, body: BranchChannels): Promise<BranchChannels> {
    const { unit } = await this.access.unit(user, unitId, 'unit.update');
    if (unit.type !== 'branch') throw Conflict('channels.branchOnly');
    await this.dataSource.transaction(async (em) => {
      const before = await this.read(unitId);
      await em.query(
        `INSERT INTO branch_channels (unit_id, email, webhook, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (unit_id) DO UPDATE SET email = $2, webhook = $3, updated_by = $4, updated_at = now()`,
        [unitId, body.email, body.webhook, user.id],
      );
      await this.audit.append(em, {
        actorId: user.id,
        action: 'unit.channels',
        entityType: 'org_unit',
        entityId: unitId,
        unitId,
        before,
        after: body,
      });
    });
    return this.read(unitId);
  }

  async prefs(user: AuthUser): Promise<NotificationPrefs> {
    const [row]: {
      email: string | null;
      webhook_kind: WebhookKind | null;
      webhook_url: string | null;
      events: NotificationPrefs['events'];
    }[] = await this.dataSource.query(
      `SELECT email, webhook_kind, webhook_url, events FROM notification_pref WHERE user_id = $1`,
      [user.id],
    );
    return {
      email: row?.email ?? null,
      webhook: row?.webhook_kind && row.webhook_url ? { kind: row.webhook_kind, url: row.webhook_url } : null,
      events: row?.events ?? {},
    };
  }

  async setPrefs(user: AuthUser, body: NotificationPrefs): Promise<NotificationPrefs> {
    if (body.webhook) this.assertWebhookHost(body.webhook.url);
    await this.dataSource.query(
      `INSERT INTO notification_pref (user_id, email, webhook_kind, webhook_url, events, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (user_id) DO UPDATE SET email = $2, webhook_kind = $3, webhook_url = $4, events = $5,
         updated_at = now()`,
      [
        user.id,
        body.email,
        body.webhook?.kind ?? null,
        body.webhook?.url ?? null,
        JSON.stringify(body.events),
      ],
    );
    return this.prefs(user);
  }

  private async read(unitId: string): Promise<BranchChannels> {
    const [row]: BranchChannels[] = await this.dataSource.query(
      `SELECT email, webhook FROM branch_channels WHERE unit_id = $1`,
      [unitId],
    );
    return row ?? { email: false, webhook: false };
  }
}
