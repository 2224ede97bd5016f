import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit events are signed with an HMAC key the database does not hold (issue 11): each event names its key.
 * Events from before have no key and keep verifying with the old sha256 chain, up to the first signed event.
 * Roles other than the owner keep at most SELECT and INSERT on the table (compose's app role gets them through
 * default privileges when the tables are created): the app can append, never rewrite.
 */
export class AuditKey1796600000000 implements MigrationInterface {
  name = 'AuditKey1796600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "audit_event" ADD "key_id" character varying(40)`);
    await q.query(`DO $$
      DECLARE r record;
      BEGIN
        FOR r IN
          SELECT DISTINCT g.grantee FROM information_schema.role_table_grants g
          JOIN pg_tables t ON t.schemaname = g.table_schema AND t.tablename = g.table_name
          WHERE g.table_name = 'audit_event' AND g.table_schema = current_schema()
            AND g.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER')
            AND g.grantee <> t.tableowner
        LOOP
          EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "audit_event" FROM %I', r.grantee);
        END LOOP;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "audit_event" DROP COLUMN "key_id"`);
  }
}
