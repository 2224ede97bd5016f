import { Injectable } from '@nestjs/common';
import { type QaList, type QaQuestion } from '@branchmeet/shared';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { NotFound } from '../common/domain-error';
import { MeetingEntity } from '../meetings/meeting.entity';
import { AccessService } from '../orgs/access.service';

interface QuestionRow {
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

/**
 * The Q&A of a lecture (微课堂问答), stored with the meeting so that it survives reconnects and is there after
 * the lecture. The caller (the /rtc room) checks who may do what; this keeps each question to its meeting.
 */
@Injectable()
export class LectureQaService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
  ) {}

  /** REST: the Q&A of a meeting for anyone who may read its branch (a meeting they cannot see is not found). */
  async listFor(user: AuthUser, meetingId: string): Promise<QaList> {
    const meeting = await this.dataSource.getRepository(MeetingEntity).findOneBy({ id: meetingId });
    if (!meeting) throw NotFound('notFound.meeting');
    await this.access.unitOf(user, meeting.unitId, 'meeting.read', 'notFound.meeting');
    return this.list(meetingId, user.id);
  }

  async ask(meetingId: string, author: { id: string; name: string }, text: string): Promise<QaQuestion> {
    const [row]: { id: string }[] = await this.dataSource.query(
      `INSERT INTO lecture_question (meeting_id, author_id, author_name, text) VALUES ($1, $2, $3, $4)
       RETURNING id`,
      [meetingId, author.id, author.name.slice(0, 50), text],
    );
    return this.one(meetingId, row.id);
  }

  /** Once per person: a second upvote by the same person changes nothing. */
  async upvote(meetingId: string, questionId: string, voterId: string): Promise<QaQuestion> {
    await this.one(meetingId, questionId);
    await this.dataSource.query(
      `INSERT INTO lecture_question_vote (question_id, voter_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [questionId, voterId],
    );
    return this.one(meetingId, questionId);
  }

  async answer(meetingId: string, questionId: string, by: string): Promise<QaQuestion> {
    await this.one(meetingId, questionId);
    await this.dataSource.query(
      `UPDATE lecture_question SET answered_at = now(), answered_by = $2 WHERE id = $1 AND answered_at IS NULL`,
      [questionId, by],
    );
    return this.one(meetingId, questionId);
  }

  /** Every question of the meeting, oldest first, and which of them `viewerId` upvoted. */
  async list(meetingId: string, viewerId: string): Promise<QaList> {
    const rows: QuestionRow[] = await this.dataSource.query(
      `${SELECT_QUESTION} WHERE q.meeting_id = $1 ORDER BY q.at, q.id`,
      [meetingId],
    );
    const mine: { question_id: string }[] = await this.dataSource.query(
      `SELECT v.question_id FROM lecture_question_vote v JOIN lecture_question q ON q.id = v.question_id
       WHERE q.meeting_id = $1 AND v.voter_id = $2`,
      [meetingId, viewerId],
    );
    return { questions: rows.map(toQuestion), upvoted: mine.map((m) => m.question_id) };
  }

  private async one(meetingId: string, questionId: string): Promise<QaQuestion> {
    const [row]: QuestionRow[] = await this.dataSource.query(
      `${SELECT_QUESTION} WHERE q.id = $1 AND q.meeting_id = $2`,
      [questionId, meetingId],
    );
    if (!row) throw NotFound('notFound.question');
    return toQuestion(row);
  }
}

function toQuestion(r: QuestionRow): QaQuestion {
  return {
    id: r.id,
    meetingId: r.meeting_id,
    authorId: r.author_id,
    authorName: r.author_name,
    text: r.text,
    upvotes: Number(r.upvotes),
    answered: r.answered_at !== null,
    answeredAt: r.answered_at ? r.answered_at.toISOString() : null,
    at: r.at.toISOString(),
  };
}
