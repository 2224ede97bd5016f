import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Secret votes (无记名表决): a ballot row records that a person voted and no choice; the choices exist only as
 * the vote's running totals, which name nobody.
 */
export class SecretVotes1796600000001 implements MigrationInterface {
  name = 'SecretVotes1796600000001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "minutes_vote" ADD "secret" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "minutes_vote" ADD "secret_yes" integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "minutes_vote" ADD "secret_no" integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "minutes_vote" ADD "secret_abstain" integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "minutes_ballot" ALTER COLUMN "choice" DROP NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "minutes_ballot" WHERE "choice" IS NULL`);
    await q.query(`ALTER TABLE "minutes_ballot" ALTER COLUMN "choice" SET NOT NULL`);
    await q.query(
      `ALTER TABLE "minutes_vote" DROP COLUMN "secret_abstain", DROP COLUMN "secret_no", DROP COLUMN "secret_yes", DROP COLUMN "secret"`,
    );
  }
}
