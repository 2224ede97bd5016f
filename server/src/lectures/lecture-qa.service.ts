import { Injectable } from '@nestjs/common';
import { type QaList, type QaQuestion } from '@branchmeet/shared';
import { AuthUser } from '../auth/auth-user';
import { NotFound } from '../common/domain-error';
import { MeetingDirectory } from '../meetings/meeting-directory.service';
import { LectureQaRepository, type QuestionRow } from './lecture-qa.repository';

/**
 * The Q&A of a lecture (微课堂问答), stored with the meeting so that it survives reconnects and is there after
 * the lecture. The caller (the /rtc room) checks who may do what; this keeps each question to its meeting.
 */
@Injectable()
export class LectureQaService {
  constructor(
    private readonly questions: LectureQaRepository,
    private readonly meetings: MeetingDirectory,
  ) {}

  /** REST: the Q&A of a meeting for anyone who may read its branch (a meeting they cannot see is not found). */
  async listFor(user: AuthUser, meetingId: string): Promise<QaList> {
    await this.meetings.authorise(user, meetingId, 'meeting.read');
    return this.list(meetingId, user.id);
  }

  async ask(meetingId: string, author: { id: string; name: string }, text: string): Promise<QaQuestion> {
    const id = await this.questions.insert(meetingId, author.id, author.name.slice(0, 50), text);
    return this.one(meetingId, id);
  }

  /** Once per person: a second upvote by the same person changes nothing. */
  async upvote(meetingId: string, questionId: string, voterId: string): Promise<QaQuestion> {
    await this.one(meetingId, questionId);
    await this.questions.upvote(questionId, voterId);
    return this.one(meetingId, questionId);
  }

  async answer(meetingId: string, questionId: string, by: string): Promise<QaQuestion> {
    await this.one(meetingId, questionId);
    await this.questions.answer(questionId, by);
    return this.one(meetingId, questionId);
  }

  /** Every question of the meeting, oldest first, and which of them `viewerId` upvoted. */
  async list(meetingId: string, viewerId: string): Promise<QaList> {
    const [rows, upvoted] = await Promise.all([
      this.questions.list(meetingId),
      this.questions.upvotedBy(meetingId, viewerId),
    ]);
    return { questions: rows.map(toQuestion), upvoted };
  }

  private async one(meetingId: string, questionId: string): Promise<QaQuestion> {
    const row = await this.questions.one(meetingId, questionId);
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
