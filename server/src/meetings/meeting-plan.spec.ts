/** The rules of a meeting's plan that need no database: roles from the branch, moving and editing a meeting. */
import { DomainError } from '../common/domain-error';
import { applyUpdate, auditView, changedFields, checkPeople } from './meeting-plan';
import type { MeetingEntity } from './meeting.entity';

function meeting(status: MeetingEntity['status'] = 'scheduled'): MeetingEntity {
  const start = new Date('2026-05-01T01:00:00Z');
  return {
    id: 'm1',
    status,
    title: '支部党员大会',
    type: 'branch_assembly',
    hostId: 'sec',
    recorderId: null,
    lecturerId: null,
    groupId: null,
    agenda: [],
    settings: { waitingRoom: false, locked: false },
    scheduledStart: start,
    scheduledEnd: new Date(start.getTime() + 90 * 60_000),
    startedAt: start,
  } as unknown as MeetingEntity;
}

describe('meeting plan', () => {
  it('names the role of a person who is not of the branch', () => {
    const inBranch = new Set(['sec', 'ann']);
    expect(() =>
      checkPeople(inBranch, { hostId: 'sec', lecturerId: null, observerIds: ['ann'] }),
    ).not.toThrow();
    const cases: [Parameters<typeof checkPeople>[1], string][] = [
      [{ hostId: 'eve', lecturerId: null, observerIds: [] }, 'meetings.roleHost'],
      [{ recorderId: 'eve', lecturerId: null, observerIds: [] }, 'meetings.roleRecorder'],
      [{ lecturerId: 'eve', observerIds: [] }, 'meetings.roleLecturer'],
      [{ lecturerId: null, observerIds: ['ann', 'eve'] }, 'meetings.roleObserver'],
    ];
    for (const [p, who] of cases) {
      let thrown: unknown;
      try {
        checkPeople(inBranch, p);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect((thrown as DomainError).params).toEqual({ who: { key: who } });
    }
  });

  it('moves a meeting by its new start and keeps its length; a scheduled one starts then too', () => {
    const m = meeting();
    applyUpdate(m, { start: '2026-05-02T02:00:00.000Z' });
    expect(m.scheduledEnd?.toISOString()).toBe('2026-05-02T03:30:00.000Z');
    expect(m.startedAt.toISOString()).toBe('2026-05-02T02:00:00.000Z');
    const live = meeting('live');
    applyUpdate(live, { end: '2026-05-01T04:00:00.000Z' });
    expect(live.scheduledEnd?.toISOString()).toBe('2026-05-01T04:00:00.000Z');
    expect(live.startedAt.toISOString()).toBe('2026-05-01T01:00:00.000Z');
  });

  it('refuses an end before the start and changes nothing then', () => {
    const m = meeting();
    expect(() => applyUpdate(m, { end: '2026-05-01T00:30:00.000Z', title: '新' })).toThrow(DomainError);
    expect(m.title).toBe('支部党员大会');
  });

  it('tells which fields an edit changed, settings merged', () => {
    const m = meeting();
    const before = auditView(m);
    applyUpdate(m, { title: '新标题', settings: { waitingRoom: true } });
    const after = auditView(m);
    expect(changedFields(before, after)).toEqual(['title', 'settings']);
    expect(after.settings).toEqual({ waitingRoom: true, locked: false });
    expect(changedFields(after, auditView(m))).toEqual([]);
  });
});
