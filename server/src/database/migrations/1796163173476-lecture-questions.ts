import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lecture mode (微课堂): the Q&A of a lecture — questions and one upvote per person and question. Written by
 * hand to match the entities in lectures/lecture-question.entity.ts.
 */
export class LectureQuestions1796163173476 implements MigrationInterface {
  name = 'LectureQuestions1796163173476';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "lecture_question" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "meeting_id" uuid NOT NULL REFERENCES "meeting"("id") ON DELETE CASCADE,
      "author_id" uuid NOT NULL,
      "author_name" character varying(50) NOT NULL,
      "text" character varying(500) NOT NULL,
      "answered_at" TIMESTAMP WITH TIME ZONE,
      "answered_by" uuid,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_lecture_question" PRIMARY KEY ("id"))`);
    await q.query(
      `CREATE INDEX "IDX_lecture_question_meeting_at" ON "lecture_question" ("meeting_id", "at")`,
    );
    await q.query(`CREATE TABLE "lecture_question_vote" (
      "question_id" uuid NOT NULL REFERENCES "lecture_question"("id") ON DELETE CASCADE,
      "voter_id" uuid NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_lecture_question_vote" PRIMARY KEY ("question_id", "voter_id"))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "lecture_question_vote"`);
    await q.query(`DROP TABLE "lecture_question"`);
  }
}
