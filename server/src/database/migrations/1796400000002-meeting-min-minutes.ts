import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Compliance that means something (issue 10): a meeting counts toward its type's 三会一课 requirement only if it
 * lasted at least the branch's minimum (minutes; NULL: the server's default, 30; 0 turns the check off).
 */
export class MeetingMinMinutes1796400000002 implements MigrationInterface {
  name = 'MeetingMinMinutes1796400000002';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "attendance_rule" ADD "meeting_min_minutes" double precision`);
    await q.query(`ALTER TABLE "attendance_rule" ADD CONSTRAINT "ck_attendance_rule_meeting_min_minutes"
      CHECK ("meeting_min_minutes" IS NULL OR ("meeting_min_minutes" >= 0 AND "meeting_min_minutes" <= 1440))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "attendance_rule" DROP COLUMN "meeting_min_minutes"`);
  }
}
