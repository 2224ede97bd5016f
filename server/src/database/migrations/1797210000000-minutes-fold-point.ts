import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several nodes writing one meeting's minutes: `minutes.folded_update_id` says up to which `minutes_update` row
 * the stored document (`ydoc`) is folded, so a node holding a copy of the document knows whether another node
 * folded rows it has not seen (then it reloads the stored document) or only added rows after its own (then it
 * applies those). 0: nothing folded since this column exists (every row still there is after the fold).
 */
export class MinutesFoldPoint1797210000000 implements MigrationInterface {
  name = 'MinutesFoldPoint1797210000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "minutes" ADD "folded_update_id" bigint NOT NULL DEFAULT 0`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "minutes" DROP COLUMN "folded_update_id"`);
  }
}
