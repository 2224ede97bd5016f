import { Inject, Injectable } from '@nestjs/common';
import { ErrorCodes, type BranchChannels, type NotificationPrefs } from '@branchmeet/shared';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { DomainError, Conflict } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AccessService } from '../orgs/access.service';
import { ChannelsRepository } from './channels.repository';

/**
 * Which channels beyond the tab a branch has switched on (its managers decide, audited), and each person's own
 * address, robot and choice of events (their own business only).
 */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly repo: ChannelsRepository,
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
    await this.repo.transaction(async (em) => {
      const before = await this.read(unitId);
      await this.repo.setBranch(em, unitId, body, user.id);
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
    const row = await this.repo.prefs(user.id);
    return {
      email: row?.email ?? null,
      webhook: row?.webhook_kind && row.webhook_url ? { kind: row.webhook_kind, url: row.webhook_url } : null,
      events: row?.events ?? {},
    };
  }

  async setPrefs(user: AuthUser, body: NotificationPrefs): Promise<NotificationPrefs> {
    if (body.webhook) this.assertWebhookHost(body.webhook.url);
    await this.repo.setPrefs(user.id, body);
    return this.prefs(user);
  }

  private async read(unitId: string): Promise<BranchChannels> {
    const row = await this.repo.branch(unitId);
    return row ?? { email: false, webhook: false };
  }
}
