/**
 * The lecture Q&A against a faked repository (in memory) and meeting directory: each question stays with its
 * meeting, one upvote per person, the first answer stands, and the REST listing asks the directory first.
 */
import type { AuthUser } from '../auth/auth-user';
import { DomainError, NotFound } from '../common/domain-error';
import type { MeetingDirectory } from '../meetings/meeting-directory.service';
import type { LectureQaRepository, QuestionRow } from './lecture-qa.repository';
import { LectureQaService } from './lecture-qa.service';

function setup() {
  const questions: (Omit<QuestionRow, 'upvotes'> & { voters: Set<string> })[] = [];
  let clock = Date.parse('2026-05-01T01:00:00Z');
  const row = (q: (typeof questions)[number]): QuestionRow => ({ ...q, upvotes: String(q.voters.size) });
  const repo: LectureQaRepository = {
    insert: async (meetingId: string, authorId: string, authorName: string, text: string) => {
      const id = `q${questions.length + 1}`;
      questions.push({
        id,
        meeting_id: meetingId,
        author_id: authorId,
        author_name: authorName,
        text,
        answered_at: null,
        at: new Date((clock += 1000)),
        voters: new Set(),
      });
      return id;
    },
    upvote: async (questionId: string, voterId: string) => {
      questions.find((q) => q.id === questionId)?.voters.add(voterId);
    },
    answer: async (questionId: string) => {
      const q = questions.find((x) => x.id === questionId);
      if (q && !q.answered_at) q.answered_at = new Date(clock);
    },
    list: async (meetingId: string) => questions.filter((q) => q.meeting_id === meetingId).map(row),
    upvotedBy: async (meetingId: string, voterId: string) =>
      questions.filter((q) => q.meeting_id === meetingId && q.voters.has(voterId)).map((q) => q.id),
    one: async (meetingId: string, questionId: string) => {
      const q = questions.find((x) => x.id === questionId && x.meeting_id === meetingId);
      return q && row(q);
    },
  } as unknown as LectureQaRepository;
  const authorised: string[] = [];
  const directory = {
    authorise: async (user: AuthUser, meetingId: string, action: string) => {
      authorised.push(`${user.id}:${meetingId}:${action}`);
      if (meetingId !== 'lecture') throw NotFound('notFound.meeting');
      return {} as never;
    },
  } as unknown as MeetingDirectory;
  return { qa: new LectureQaService(repo, directory), authorised };
}

const ann = { id: 'ann', name: '王芳' };
const bob = { id: 'bob', name: '张伟'.repeat(30) };

describe('LectureQaService', () => {
  it('keeps questions in order with their author, upvotes once per person and the first answer', async () => {
    const { qa } = setup();
    const first = await qa.ask('lecture', ann, '第一个问题');
    const second = await qa.ask('lecture', bob, '第二个问题');
    expect(second.authorName).toHaveLength(50); // a long name is cut to the column's width
    await qa.upvote('lecture', first.id, 'bob');
    const again = await qa.upvote('lecture', first.id, 'bob');
    expect(again.upvotes).toBe(1);
    const answered = await qa.answer('lecture', first.id, 'host');
    expect(answered).toMatchObject({ answered: true, answeredAt: expect.any(String) });
    const list = await qa.list('lecture', 'bob');
    expect(list.questions.map((q) => [q.text, q.upvotes, q.answered])).toEqual([
      ['第一个问题', 1, true],
      ['第二个问题', 0, false],
    ]);
    expect(list.upvoted).toEqual([first.id]);
    expect((await qa.list('lecture', 'ann')).upvoted).toEqual([]);
  });

  it("does not reach another meeting's question", async () => {
    const { qa } = setup();
    const q = await qa.ask('lecture', ann, '问题');
    await expect(qa.upvote('other', q.id, 'bob')).rejects.toThrow(DomainError);
    await expect(qa.answer('other', q.id, 'host')).rejects.toMatchObject({ messageKey: 'notFound.question' });
    expect((await qa.list('lecture', 'bob')).questions[0].upvotes).toBe(0);
  });

  it('lists over REST only after the directory authorised the reader', async () => {
    const { qa, authorised } = setup();
    await qa.ask('lecture', ann, '问题');
    const user = { id: 'bob' } as AuthUser;
    expect((await qa.listFor(user, 'lecture')).questions).toHaveLength(1);
    await expect(qa.listFor(user, 'hidden')).rejects.toMatchObject({ messageKey: 'notFound.meeting' });
    expect(authorised).toEqual(['bob:lecture:meeting.read', 'bob:hidden:meeting.read']);
  });
});
