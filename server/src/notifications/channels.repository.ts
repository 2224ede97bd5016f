import { Injectable } from '@nestjs/common';
import type { BranchChannels, NotificationPrefs, WebhookKind } from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';

/** A person's stored notification preferences. */
export interface PrefsRow {
  email: string | null;
  webhook_kind: WebhookKind | null;
  webhook_url: string | null;
  events: NotificationPrefs['events'];
}

/** The SQL of the channels beyond the tab: a branch's switches (branch_channels), a person's (notification_pref). */
@Injectable()
export class ChannelsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(run: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(run);
  }

  async branch(unitId: string): Promise<BranchChannels | undefined> {
    const [row]: BranchChannels[] = await this.dataSource.query(
      `SELECT email, webhook FROM branch_channels WHERE unit_id = $1`,
      [unitId],
    );
    return row;
  }

  async setBranch(em: EntityManager, unitId: string, body: BranchChannels, by: string): Promise<void> {
    await em.query(
      `INSERT INTO branch_channels (unit_id, email, webhook, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (unit_id) DO UPDATE SET email = $2, webhook = $3, updated_by = $4, updated_at = now()`,
      [unitId, body.email, body.webhook, by],
    );
  }

  async prefs(userId: string): Promise<PrefsRow | undefined> {
    const [row]: PrefsRow[] = await this.dataSource.query(
      `SELECT email, webhook_kind, webhook_url, events FROM notification_pref WHERE user_id = $1`,
      [userId],
    );
    return row;
  }

  async setPrefs(userId: string, body: NotificationPrefs): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO notification_pref (user_id, email, webhook_kind, webhook_url, events, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (user_id) DO UPDATE SET email = $2, webhook_kind = $3, webhook_url = $4, events = $5,
         updated_at = now()`,
      [
        userId,
        body.email,
        body.webhook?.kind ?? null,
        body.webhook?.url ?? null,
        JSON.stringify(body.events),
      ],
    );
  }
}
