import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Leave requests (issue 15): a type (事假 personal, 病假 sick, 公差 business, 其他 other) and the member's
 * withdrawal of a pending request (`withdrawn`, decided by the member at the moment they took it back).
 */
export class LeaveTypes1796700000000 implements MigrationInterface {
  name = 'LeaveTypes1796700000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "leave_request" ADD "leave_type" character varying(10) NOT NULL DEFAULT 'personal'`,
    );
    await q.query(`ALTER TABLE "leave_request" ADD CONSTRAINT "ck_leave_request_type"
      CHECK ("leave_type" IN ('personal', 'sick', 'business', 'other'))`);
    await q.query(`ALTER TABLE "leave_request" DROP CONSTRAINT "ck_leave_request_status"`);
    await q.query(`ALTER TABLE "leave_request" ADD CONSTRAINT "ck_leave_request_status"
      CHECK ("status" IN ('pending', 'approved', 'rejected', 'withdrawn'))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "leave_request" WHERE "status" = 'withdrawn'`);
    await q.query(`ALTER TABLE "leave_request" DROP CONSTRAINT "ck_leave_request_status"`);
    await q.query(`ALTER TABLE "leave_request" ADD CONSTRAINT "ck_leave_request_status"
      CHECK ("status" IN ('pending', 'approved', 'rejected'))`);
    await q.query(`ALTER TABLE "leave_request" DROP CONSTRAINT "ck_leave_request_type"`);
    await q.query(`ALTER TABLE "leave_request" DROP COLUMN "leave_type"`);
  }
}
