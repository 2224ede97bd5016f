import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Corrections in the open (issue 10): a branch manager sets a person's status for an ended meeting with a
 * mandatory reason. The computed record stays in attendance_record; the correction is stored beside it (one
 * current correction per person and meeting; every change is in the audit log) and wins where a status counts.
 */
export class AttendanceCorrections1796400000001 implements MigrationInterface {
  name = 'AttendanceCorrections1796400000001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "attendance_correction" (
      "meeting_id" uuid NOT NULL REFERENCES "meeting"("id") ON DELETE CASCADE,
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE CASCADE,
      "status" character varying(12) NOT NULL,
      "reason" character varying(500) NOT NULL,
      "corrected_by" uuid REFERENCES "app_user"("id") ON DELETE SET NULL,
      "corrected_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_attendance_correction" PRIMARY KEY ("meeting_id", "user_id"),
      CONSTRAINT "ck_attendance_correction_status"
        CHECK ("status" IN ('present', 'late', 'left_early', 'absent', 'excused', 'make_up')),
      CONSTRAINT "ck_attendance_correction_reason" CHECK (length(btrim("reason")) > 0))`);
    // A correction is one more cause of the one recompute mechanism.
    await q.query(`ALTER TABLE "meeting_attendance" DROP CONSTRAINT "ck_meeting_attendance_cause"`);
    await q.query(`ALTER TABLE "meeting_attendance" ADD CONSTRAINT "ck_meeting_attendance_cause"
      CHECK ("cause" IN ('end', 'rules', 'leave', 'make_up', 'correction'))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "meeting_attendance" DROP CONSTRAINT "ck_meeting_attendance_cause"`);
    await q.query(`ALTER TABLE "meeting_attendance" ADD CONSTRAINT "ck_meeting_attendance_cause"
      CHECK ("cause" IN ('end', 'rules', 'leave', 'make_up'))`);
    await q.query(`DROP TABLE "attendance_correction"`);
  }
}
