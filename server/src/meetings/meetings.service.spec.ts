/**
 * MeetingsService against a faked MeetingsRepository (in memory), people's names, access and audit: who enters a
 * meeting and as what (host, member, guest through a valid invite only), the chat a joiner gets (oldest first,
 * ids as text, a gone author nameless), and a host's action audited under the meeting's unit.
 */
import type { DataSource } from 'typeorm';
import type { AttendanceService } from '../attendance/attendance.service';
import type { AuditInput, AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import type { UserDirectory } from '../auth/user-directory.service';
import { DomainError, Forbidden, NotFound } from '../common/domain-error';
import type { NotificationsService } from '../notifications/notifications.service';
import type { RecipientsRepository } from '../notifications/recipients.repository';
import type { AccessService, OrgDirectory } from '../orgs/access.service';
import type { MeetingDirectory } from './meeting-directory.service';
import type { RoomCalls } from '../cluster/room-calls';
import type { MeetingEntity } from './meeting.entity';
import type { MeetingsRepository } from './meetings.repository';
import { MeetingsService } from './meetings.service';

const names: Record<string, string> = { host: '李红梅', ann: '王芳' };
/** ann is a member of the branch; eve has no relation to it. */
const members = new Set(['host', 'ann']);

function setup() {
  const meetings = new Map<string, Partial<MeetingEntity>>([
    ['live', { id: 'live', unitId: 'branch', hostId: 'host', status: 'live' }],
    ['ended', { id: 'ended', unitId: 'branch', hostId: 'host', status: 'ended' }],
    ['waiting', { id: 'waiting', unitId: 'branch', hostId: 'host', status: 'scheduled' }],
  ]);
  /** Guest id → [meeting, whether the invite is still valid]. */
  const guests = new Map<string, [string, boolean]>([
    ['guest-ok', ['live', true]],
    ['guest-revoked', ['live', false]],
    ['guest-early', ['waiting', true]],
  ]);
  const audits: AuditInput[] = [];
  const repo: Partial<MeetingsRepository> = {
    findById: async (id) => (meetings.get(id) as MeetingEntity) ?? null,
    guestInviteValid: async (guestId, meetingId) => {
      const [meeting, valid] = guests.get(guestId) ?? [null, false];
      return meeting === meetingId && valid;
    },
    unitIdOf: async (id) => meetings.get(id)?.unitId ?? null,
    newestChat: async (meetingId, limit) =>
      [
        {
          id: '3',
          meetingId,
          userId: 'guest-ok',
          name: '访客',
          text: '谢谢',
          at: new Date('2026-05-01T01:03:00Z'),
        },
        { id: '2', meetingId, userId: 'gone', name: null, text: '…', at: new Date('2026-05-01T01:02:00Z') },
        {
          id: '1',
          meetingId,
          userId: 'ann',
          name: '王芳',
          text: '大家好',
          at: new Date('2026-05-01T01:01:00Z'),
        },
      ].slice(0, limit),
  };
  const access: Partial<AccessService> = {
    unitOf: async (user, unitId, _action, notFound) => {
      if (!members.has(user.id)) throw NotFound(notFound);
      return { unit: { id: unitId }, relation: 'member' } as never;
    },
    unit: async () => {
      throw Forbidden('access.roleForbids');
    },
  };
  const users: Partial<UserDirectory> = {
    names: async (ids) => new Map(ids.filter((id): id is string => !!id).map((id) => [id, names[id]])),
  };
  const audit: Partial<AuditService> = {
    record: async (input) => {
      audits.push(input);
    },
  };
  const service = new MeetingsService(
    {} as DataSource,
    repo as MeetingsRepository,
    {} as RecipientsRepository,
    users as UserDirectory,
    access as AccessService,
    {} as MeetingDirectory,
    {} as OrgDirectory,
    audit as AuditService,
    {} as RoomCalls,
    {} as AttendanceService,
    {} as NotificationsService,
  );
  return { service, audits };
}

const member = (id: string) => ({ id }) as AuthUser;
const guest = (id: string, meetingId: string) => ({ id, guest: { meetingId, name: '访客' } }) as AuthUser;
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof DomainError ? `${e.status} ${e.messageKey}` : String(e)),
  );

describe('MeetingsService (repository faked)', () => {
  it('lets the host and the members of the branch into a live meeting, with their names', async () => {
    const { service } = setup();
    const host = await service.entry(member('host'), 'live');
    expect([host.userName, host.isHost, host.isGuest]).toEqual(['李红梅', true, false]);
    const ann = await service.entry(member('ann'), 'live');
    expect([ann.userName, ann.isHost, ann.isGuest]).toEqual(['王芳', false, false]);
  });

  it('hides a meeting from a stranger, and refuses an ended one and a scheduled one a member cannot start', async () => {
    const { service } = setup();
    expect(await refusal(service.entry(member('eve'), 'live'))).toBe('404 notFound.meeting');
    expect(await refusal(service.entry(member('ann'), 'nope'))).toBe('404 notFound.meeting');
    expect(await refusal(service.entry(member('ann'), 'ended'))).toBe('409 meetings.ended');
    expect(await refusal(service.entry(member('ann'), 'waiting'))).toBe('409 meetings.notStarted');
  });

  it("lets a guest into their invite's live meeting only, while the invite is valid", async () => {
    const { service } = setup();
    const entry = await service.entry(guest('guest-ok', 'live'), 'live');
    expect([entry.userName, entry.isHost, entry.isGuest]).toEqual(['访客', false, true]);
    expect(await refusal(service.entry(guest('guest-ok', 'live'), 'ended'))).toBe('403 auth.guestToken');
    expect(await refusal(service.entry(guest('guest-revoked', 'live'), 'live'))).toBe('403 invite.invalid');
    expect(await refusal(service.entry(guest('guest-early', 'waiting'), 'waiting'))).toBe(
      '409 meetings.guestWaitsForHost',
    );
  });

  it('gives the newest chat oldest first, ids as text, a gone author without a name', async () => {
    const { service } = setup();
    const chat = await service.recentChat('live', 2);
    expect(chat.map((c) => [c.id, c.name, c.text, c.at])).toEqual([
      ['2', '', '…', '2026-05-01T01:02:00.000Z'],
      ['3', '访客', '谢谢', '2026-05-01T01:03:00.000Z'],
    ]);
  });

  it("audits a host's action under the meeting's unit (none for a meeting gone)", async () => {
    const { service, audits } = setup();
    await service.auditHostAction('live', 'host', 'host.lock', { locked: true });
    await service.auditHostAction('gone', 'host', 'host.lock', { locked: false });
    expect(audits.map((a) => [a.action, a.unitId, a.after])).toEqual([
      ['host.lock', 'branch', { locked: true }],
      ['host.lock', null, { locked: false }],
    ]);
  });
});
