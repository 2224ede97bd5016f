import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions (issue 11): one row per sign-in; its refresh tokens (one family, rotated) and its access tokens (`sid`)
 * carry its id, so revoking the row ends the session at once, access tokens included. Tokens issued before this
 * migration have no session: they are revoked (everyone signs in again once).
 */
export class AuthSessions1796500000000 implements MigrationInterface {
  name = 'AuthSessions1796500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "auth_session" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE CASCADE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_auth_session" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_auth_session_user" ON "auth_session" ("user_id")`);
    await q.query(
      `ALTER TABLE "refresh_token" ADD "session_id" uuid REFERENCES "auth_session"("id") ON DELETE CASCADE`,
    );
    await q.query(`CREATE INDEX "ix_refresh_token_session" ON "refresh_token" ("session_id")`);
    await q.query(`UPDATE "refresh_token" SET "revoked_at" = now() WHERE "revoked_at" IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "refresh_token" DROP COLUMN "session_id"`);
    await q.query(`DROP TABLE "auth_session"`);
  }
}
