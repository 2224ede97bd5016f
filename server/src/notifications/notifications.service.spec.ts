/**
 * NotificationsService and TodosService against a faked NotificationsRepository: who is told (never the actor,
 * each person once), what a notification about a meeting says, reminders with their dedupe key, pushing only
 * after `push`, reading and marking read; the to-do list as its rows say, and nothing for a guest.
 */
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import type { AppConfig } from '../config/config';
import type { NotificationRow, NotificationsRepository } from './notifications.repository';
import type { SocketHub } from '../common/socket-hub';
import { NotificationsService } from './notifications.service';
import { TodosService } from './todos.service';
import type { TodoRow } from './todos.sql';

const em = {} as EntityManager;
const config = { MEETING_REMINDER_MINUTES: 15, MEETING_REMINDER_TICK_SECONDS: 60 } as AppConfig;

function setup(todo: TodoRow[] = []) {
  const stored: (NotificationRow & { dedupe_key: string | null })[] = [];
  const calls: string[] = [];
  const repo: Partial<NotificationsRepository> = {
    manager: em,
    insert: async (_em, rows) => {
      const fresh = rows.filter(
        (r) => !r.dedupeKey || !stored.some((s) => s.user_id === r.userId && s.dedupe_key === r.dedupeKey),
      );
      const made = fresh.map((r, i) => ({
        id: `n${stored.length + i + 1}`,
        user_id: r.userId,
        kind: r.kind,
        meeting_id: r.meetingId,
        params: r.params,
        read_at: null,
        created_at: new Date('2026-05-01T00:00:00Z'),
        dedupe_key: r.dedupeKey ?? null,
      }));
      stored.push(...made);
      return made;
    },
    unitName: async () => '第一支部',
    dueReminders: async (from, until) => {
      calls.push(`due ${from.toISOString()} ${until.toISOString()}`);
      return [
        {
          id: 'm1',
          title: '党课',
          start: new Date('2026-05-01T01:10:00Z'),
          unit_name: '第一支部',
          user_ids: ['ann', 'bob'],
        },
      ];
    },
    page: async (userId) => stored.filter((s) => s.user_id === userId),
    markRead: async (userId, ids) => {
      for (const s of stored)
        if (s.user_id === userId && (ids === 'all' || ids.includes(s.id))) s.read_at = new Date();
    },
    unread: async (userId) => stored.filter((s) => s.user_id === userId && !s.read_at).length,
    todoRows: async () => todo,
  };
  const sunk: string[] = [];
  const hub = {
    toPerson: (userId: string, _event: string, n: { kind: string }) => sunk.push(`${userId}:${n.kind}`),
  };
  const service = new NotificationsService(
    repo as NotificationsRepository,
    config,
    undefined,
    hub as unknown as SocketHub,
  );
  return { service, todos: new TodosService(repo as NotificationsRepository), stored, sunk, calls };
}

const meeting = {
  id: 'm1',
  unitId: 'branch',
  title: '支部党员大会',
  scheduledStart: new Date('2026-05-02T01:00:00Z'),
  startedAt: new Date('2026-05-02T01:00:00Z'),
};

describe('NotificationsService (repository faked)', () => {
  it('tells everyone but the actor, each once, with the meeting and branch; pushed only on push()', async () => {
    const { service, stored, sunk } = setup();
    const deliveries = await service.aboutMeeting(
      em,
      meeting,
      'leave.requested',
      ['sec', 'ann', 'sec'],
      'ann',
      {
        reason: '出差',
      },
    );
    expect(deliveries.map((d) => d.userId)).toEqual(['sec']);
    expect(stored[0].params).toEqual({
      title: '支部党员大会',
      start: '2026-05-02T01:00:00.000Z',
      unitName: '第一支部',
      reason: '出差',
    });
    expect(sunk).toEqual([]);
    service.push(deliveries);
    expect(sunk).toEqual(['sec:leave.requested']);
    expect(await service.aboutMeeting(em, meeting, 'leave.requested', ['ann'], 'ann')).toEqual([]);
  });

  it('reminds each attendee once per meeting and start, within the reminder window', async () => {
    const { service, sunk, calls } = setup();
    const now = new Date('2026-05-01T01:00:00Z');
    expect(await service.sendReminders(now)).toBe(2);
    expect(calls).toEqual(['due 2026-05-01T01:00:00.000Z 2026-05-01T01:15:00.000Z']);
    expect(await service.sendReminders(now)).toBe(0);
    expect(sunk).toEqual(['ann:meeting.reminder', 'bob:meeting.reminder']);
  });

  it("lists one's own notifications with the unread count, and marks them read", async () => {
    const { service } = setup();
    await service.notify({ userIds: ['ann', 'bob'], kind: 'meeting.reminder', meetingId: 'm1', params: {} });
    const ann = { id: 'ann' } as AuthUser;
    const page = await service.list(ann, { limit: 20 });
    expect(page.unread).toBe(1);
    expect(page.items).toEqual([expect.objectContaining({ kind: 'meeting.reminder', read: false })]);
    expect(await service.markRead(ann, { all: true })).toEqual({ unread: 0 });
    expect((await service.list({ id: 'bob' } as AuthUser, { limit: 20 })).unread).toBe(1);
  });
});

describe('TodosService (repository faked)', () => {
  it('gives the items as their rows say, with only the fields each kind has; nothing for a guest', async () => {
    const start = new Date('2026-05-01T01:00:00Z');
    const { todos } = setup([
      {
        kind: 'leave.decide',
        meeting_id: 'm1',
        title: '党课',
        unit_name: '第一支部',
        start,
        live: null,
        leave_request_id: 'l1',
        name: '王芳',
        reason: '出差',
        leave_type: 'business',
      },
      {
        kind: 'meeting.soon',
        meeting_id: 'm2',
        title: '支委会',
        unit_name: '第一支部',
        start,
        live: true,
        leave_request_id: null,
        name: null,
        reason: null,
        leave_type: null,
      },
    ]);
    const { items } = await todos.list({ id: 'sec' } as AuthUser);
    expect(items).toEqual([
      {
        kind: 'leave.decide',
        meetingId: 'm1',
        title: '党课',
        unitName: '第一支部',
        start: start.toISOString(),
        leaveRequestId: 'l1',
        name: '王芳',
        reason: '出差',
        leaveType: 'business',
      },
      {
        kind: 'meeting.soon',
        meetingId: 'm2',
        title: '支委会',
        unitName: '第一支部',
        start: start.toISOString(),
        live: true,
      },
    ]);
    expect(
      await todos.list({ id: 'g', guest: { meetingId: 'm1', name: '客人' } } as unknown as AuthUser),
    ).toEqual({
      items: [],
    });
  });
});
