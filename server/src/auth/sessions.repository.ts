import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** The SQL of sign-in sessions (auth_session) and the refresh tokens they end. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The session's state and its account's flags (one primary-key look-up). */
  async session(
    sessionId: string,
    userId: string,
  ): Promise<{ live: boolean; is_admin: boolean; must_change_password: boolean } | undefined> {
    const rows: { live: boolean; is_admin: boolean; must_change_password: boolean }[] =
      await this.dataSource.query(
        `SELECT s.revoked_at IS NULL AS live, u.is_admin, u.must_change_password
         FROM auth_session s JOIN app_user u ON u.id = s.user_id WHERE s.id = $1 AND s.user_id = $2`,
        [sessionId, userId],
      );
    return rows[0];
  }

  async start(em: EntityManager, userId: string): Promise<string> {
    const [row]: { id: string }[] = await em.query(
      'INSERT INTO auth_session (user_id) VALUES ($1) RETURNING id',
      [userId],
    );
    return row.id;
  }

  /**
   * Takes the refresh token: one conditional UPDATE … RETURNING, so of concurrent uses exactly one wins. Only a
   * token that is live, of a live session; undefined when there is none.
   */
  async takeRefreshToken(
    em: EntityManager,
    tokenHash: string,
  ): Promise<{ user_id: string; session_id: string } | undefined> {
    const [taken] = (await em.query(
      `UPDATE refresh_token t SET revoked_at = now()
         FROM auth_session s
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()
          AND s.id = t.session_id AND s.revoked_at IS NULL
        RETURNING t.user_id, t.session_id`,
      [tokenHash],
    )) as [{ user_id: string; session_id: string }[], number];
    return taken.length === 1 ? taken[0] : undefined;
  }

  /** Ends a person's sessions (one, all but one, or all) and their refresh tokens, in `em`'s transaction. */
  async revoke(
    em: EntityManager,
    r: { userId: string; sessionId?: string; exceptSessionId?: string },
  ): Promise<void> {
    const params: unknown[] = [r.userId];
    let where = 'user_id = $1 AND revoked_at IS NULL';
    if (r.sessionId) where += ` AND id = $${params.push(r.sessionId)}`;
    if (r.exceptSessionId) where += ` AND id <> $${params.push(r.exceptSessionId)}`;
    const [ended] = (await em.query(
      `UPDATE auth_session SET revoked_at = now() WHERE ${where} RETURNING id`,
      params,
    )) as [{ id: string }[], number];
    await em.query(
      `UPDATE refresh_token SET revoked_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL AND (session_id IS NULL OR session_id = ANY($2::uuid[]))
          AND ($3::uuid IS NULL OR session_id IS DISTINCT FROM $3::uuid)`,
      [r.userId, ended.map((s) => s.id), r.exceptSessionId ?? null],
    );
  }
}
