import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The file a recorder run writes (in the recordings' work directory): when its node dies, the run is closed as
 * `crash` and the part recorded until then is recovered from that file instead of being lost.
 */
export class RecordingRunWorkFile1797300000000 implements MigrationInterface {
  name = 'RecordingRunWorkFile1797300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "recording_run" ADD "work_file" text`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "recording_run" DROP COLUMN "work_file"`);
  }
}
