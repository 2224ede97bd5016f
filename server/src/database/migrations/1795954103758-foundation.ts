import { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts, the org tree, memberships and the append-only audit chain. */
export class Foundation1795954103758 implements MigrationInterface {
  name = 'Foundation1795954103758';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "app_user" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "name" character varying(50) NOT NULL,
      "phone" character varying(20),
      "username" character varying(64),
      "password_hash" character varying(255),
      "member_type" character varying(20) NOT NULL DEFAULT 'member',
      "is_admin" boolean NOT NULL DEFAULT false,
      "must_change_password" boolean NOT NULL DEFAULT false,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_6a952ce9581e4c18e08d1f52136" UNIQUE ("phone"),
      CONSTRAINT "UQ_c480e576dd71729addbc2d51b67" UNIQUE ("username"),
      CONSTRAINT "PK_22a5c4a3d9b2fb8e4e73fc4ada1" PRIMARY KEY ("id"),
      CONSTRAINT "ck_app_user_member_type" CHECK ("member_type" IN ('member', 'probationary')))`);

    await q.query(`CREATE TABLE "refresh_token" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE CASCADE,
      "token_hash" character varying(64) NOT NULL,
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_b575dd3c21fb0831013c909e7fe" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_6bbe63d2fe75e7f0ba1710351d" ON "refresh_token" ("user_id")`);
    await q.query(`CREATE UNIQUE INDEX "IDX_f0812282fad2e352cdaf83ef0a" ON "refresh_token" ("token_hash")`);

    await q.query(`CREATE TABLE "org_unit" (
      "id" uuid NOT NULL,
      "name" character varying(100) NOT NULL,
      "type" character varying(20) NOT NULL,
      "parent_id" uuid REFERENCES "org_unit"("id") ON DELETE RESTRICT,
      "path" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_ba1c59043dc14bb66023c1d07c7" PRIMARY KEY ("id"),
      CONSTRAINT "ck_org_unit_type" CHECK ("type" IN ('committee', 'general_branch', 'branch', 'group')))`);
    await q.query(`CREATE INDEX "IDX_b8e4301109a2850200ba2c7c51" ON "org_unit" ("parent_id")`);
    // text_pattern_ops so that `path LIKE 'prefix%'` (descendants) uses the index.
    await q.query(`CREATE INDEX "IDX_0117a7a7034d2b27b734efa7c3" ON "org_unit" ("path" text_pattern_ops)`);

    await q.query(`CREATE TABLE "membership" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE CASCADE,
      "unit_id" uuid NOT NULL REFERENCES "org_unit"("id") ON DELETE CASCADE,
      "role" character varying(30) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "uq_membership_user_unit" UNIQUE ("user_id", "unit_id"),
      CONSTRAINT "PK_83c1afebef3059472e7c37e8de8" PRIMARY KEY ("id"),
      CONSTRAINT "ck_membership_role" CHECK ("role" IN ('secretary', 'deputy_secretary', 'organizer', 'committee_member', 'member')))`);
    await q.query(`CREATE INDEX "IDX_e9c72e8d29784031c96f5c6af8" ON "membership" ("user_id")`);
    await q.query(`CREATE INDEX "IDX_751c4ff78fd545e1c00a6e81de" ON "membership" ("unit_id")`);

    await q.query(`CREATE TABLE "audit_event" (
      "id" BIGSERIAL NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "actor_id" uuid,
      "action" character varying(60) NOT NULL,
      "entity_type" character varying(40) NOT NULL,
      "entity_id" character varying(64),
      "unit_id" uuid,
      "before" jsonb,
      "after" jsonb,
      "prev_hash" character varying(64) NOT NULL,
      "hash" character varying(64) NOT NULL,
      CONSTRAINT "PK_481efbe8b0a403efe3f47a6528f" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_60dc8b662ce0cdc504dc3761b7" ON "audit_event" ("unit_id")`);
    // Append-only: ordinary sessions cannot update or delete events. Whoever bypasses this (a superuser
    // disabling the trigger) still breaks the hash chain, which `npm run audit:verify` reports.
    await q.query(`CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$`);
    await q.query(`CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON "audit_event"
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_event_append_only ON "audit_event"`);
    await q.query(`DROP FUNCTION audit_event_append_only()`);
    await q.query(`DROP TABLE "audit_event"`);
    await q.query(`DROP TABLE "membership"`);
    await q.query(`DROP TABLE "org_unit"`);
    await q.query(`DROP TABLE "refresh_token"`);
    await q.query(`DROP TABLE "app_user"`);
  }
}
