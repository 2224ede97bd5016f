import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A question as stored, with its upvote count. */
export interface QuestionRow {
  id: string;
  meeting_id: string;
  author_id: string;
  author_name: string;
  text: string;
  answered_at: Date | null;
  at: Date;
  upvotes: string | number;
}

const SELECT_QUESTION = `SELECT q.id, q.meeting_id, q.author_id, q.author_name, q.text, q.answered_at, q.at,
  (SELECT count(*) FROM lecture_question_vote v WHERE v.question_id = q.id) AS upvotes
  FROM lecture_question q`;

/** The SQL of a lecture's Q&A (lecture_question, lecture_question_vote). */
@Injectable()
export class LectureQaRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a question; returns its id. */
  async insert(meetingId: string, authorId: string, authorName: string, text: string): Promise<string> {
    const [row]: { id: string }[] = await this.dataSource.query(
      `INSERT INTO lecture_question (meeting_id, author_id, author_name, text) VALUES ($1, $2, $3, $4)
       RETURNING id`,
      [meetingId, authorId, authorName, text],
    );
    return row.id;
  }

  /** One vote per person and question: a second one changes nothing. */
  async upvote(questionId: string, voterId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO lecture_question_vote (question_id, voter_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [questionId, voterId],
    );
  }

  /** Marks a question answered (the first answer stands). */
  async answer(questionId: string, by: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE lecture_question SET answered_at = now(), answered_by = $2 WHERE id = $1 AND answered_at IS NULL`,
      [questionId, by],
    );
  }

  /** Every question of the meeting, oldest first. */
  list(meetingId: string): Promise<QuestionRow[]> {
    return this.dataSource.query(`${SELECT_QUESTION} WHERE q.meeting_id = $1 ORDER BY q.at, q.id`, [
      meetingId,
    ]);
  }

  /** The questions of the meeting that `voterId` upvoted. */
  async upvotedBy(meetingId: string, voterId: string): Promise<string[]> {
    const rows: { question_id: string }[] = await this.dataSource.query(
      `SELECT v.question_id FROM lecture_question_vote v JOIN lecture_question q ON q.id = v.question_id
       WHERE q.meeting_id = $1 AND v.voter_id = $2`,
      [meetingId, voterId],
    );
    return rows.map((r) => r.question_id);
  }

  /** A question of the meeting, or undefined (one of another meeting is not there). */
  async one(meetingId: string, questionId: string): Promise<QuestionRow | undefined> {
    const [row]: QuestionRow[] = await this.dataSource.query(
      `${SELECT_QUESTION} WHERE q.id = $1 AND q.meeting_id = $2`,
      [questionId, meetingId],
    );
    return row;
  }
}
