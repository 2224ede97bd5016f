import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Presence from the seat (issue 10): a segment opens when the person is seated, whether or not any media flows.
 * `media_at` records when media first flowed on the seat (a transport connected), as information beside it:
 * a segment without it, or with it long after `opened_at`, is "no media for N minutes", never absence.
 */
export class PresenceFromSeat1796400000000 implements MigrationInterface {
  name = 'PresenceFromSeat1796400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "presence_segment" ADD "media_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "presence_segment" DROP COLUMN "media_at"`);
  }
}
