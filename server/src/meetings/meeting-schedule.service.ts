import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  type CancelMeetingRequest,
  type Meeting,
  type MeetingAttendee,
  type MeetingCalendarQuery,
  type MeetingType,
  type MessageKey,
  type ScheduleMeetingRequest,
  type ScheduleSeriesRequest,
  type UpdateMeetingRequest,
  type UnitAction,
} from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { NotificationsService, type Delivery } from '../notifications/notifications.service';
import { AuthUser } from '../auth/auth-user';
import { Conflict, DomainError } from '../common/domain-error';
import { MeetingDirectory } from './meeting-directory.service';
import { AccessService, OrgDirectory, type UnitAccess } from '../orgs/access.service';
import { MeetingsRepository } from './meetings.repository';
import { MeetingAttendeeEntity } from './meeting-attendee.entity';
import {
  DEFAULT_DURATION_MS,
  defaultExpected,
  defaultHost,
  defaultRecorder,
  defaultTitle,
  monthlyOccurrences,
  type RosterEntry,
} from './meeting-defaults';
import { liveMeetingDto } from './meeting-dto';
import { MeetingPresence } from './meeting-presence';
import { assertEditable } from './meeting-editable';
import { MeetingEntity } from './meeting.entity';

const badRequest = (key: MessageKey, params?: Record<string, string>) =>
  new DomainError(ErrorCodes.validation, 400, key, params);

/**
 * Scheduling of a branch's meetings (三会一课 and others): schedule with defaults for everything the system
 * knows, the calendar, the full meeting, edit and cancel. Writes are for the branch's managers and audited.
 */
@Injectable()
export class MeetingScheduleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly directory: MeetingDirectory,
    private readonly meetingsRepo: MeetingsRepository,
    private readonly orgs: OrgDirectory,
    private readonly audit: AuditService,
    private readonly presence: MeetingPresence,
    private readonly notifications: NotificationsService,
  ) {}

  async schedule(user: AuthUser, unitId: string, body: ScheduleMeetingRequest): Promise<Meeting> {
    const { unit } = await this.access.unit(user, unitId, 'meeting.schedule');
    if (unit.type !== 'branch') throw badRequest('meetings.branchOnly');
    const { id, deliveries } = await this.dataSource.transaction(async (em) => {
      const meeting = await this.create(em, user, unit, body);
      const deliveries = await this.notifyAttendees(em, meeting, user.id, 'meeting.scheduled', {
        unitName: unit.name,
      });
      return { id: meeting.id, deliveries };
    });
    this.notifications.push(deliveries);
    this.notifications.remindSoon();
    return this.full(id);
  }

  /**
   * A monthly 主题党日: one meeting per month, on the day of `start` (a shorter month's last day) at its time,
   * China time; each occurrence scheduled (and audited) as a meeting of its own, all in one transaction, with a
   * series id in common. Each attendee is notified once for the series.
   */
  async scheduleSeries(user: AuthUser, unitId: string, body: ScheduleSeriesRequest): Promise<Meeting[]> {
    const { unit } = await this.access.unit(user, unitId, 'meeting.schedule');
    if (unit.type !== 'branch') throw badRequest('meetings.branchOnly');
    const start = new Date(body.start);
    const lengthMs = body.end ? Date.parse(body.end) - start.getTime() : DEFAULT_DURATION_MS;
    const starts = monthlyOccurrences(start, body.months);
    const seriesId = randomUUID();
    const { ids, deliveries } = await this.dataSource.transaction(async (em) => {
      const meetings: MeetingEntity[] = [];
      for (const at of starts) {
        const { months: _months, ...single } = body;
        meetings.push(
          await this.create(
            em,
            user,
            unit,
            { ...single, start: at.toISOString(), end: new Date(at.getTime() + lengthMs).toISOString() },
            seriesId,
          ),
        );
      }
      const first = meetings[0];
      const deliveries = await this.notifyAttendees(em, first, user.id, 'meeting.series_scheduled', {
        unitName: unit.name,
        count: meetings.length,
      });
      return { ids: meetings.map((m) => m.id), deliveries };
    });
    this.notifications.push(deliveries);
    this.notifications.remindSoon();
    return Promise.all(ids.map((id) => this.full(id)));
  }

  /** Creates one scheduled meeting with its defaults and attendees (audited), in the caller's transaction. */
  private async create(
    em: EntityManager,
    user: AuthUser,
    unit: UnitAccess['unit'],
    body: ScheduleMeetingRequest,
    seriesId?: string,
  ): Promise<MeetingEntity> {
    const roster = await this.orgs.rosterEntries(unit.id, em);
    const inBranch = new Set(roster.map((p) => p.userId));
    let group: UnitAccess['unit'] | null = null;
    let groupRoster: RosterEntry[] = [];
    if (body.type === 'group_meeting' && body.groupId) {
      group = await this.orgs.unit(body.groupId, em);
      if (!group || group.type !== 'group' || group.parentId !== unit.id)
        throw badRequest('meetings.groupNotOfBranch');
      groupRoster = await this.orgs.rosterEntries(group.id, em);
    }
    const hostId = body.hostId ?? defaultHost(roster);
    if (!hostId) throw badRequest('meetings.noSecretary');
    const recorderId = body.recorderId ?? defaultRecorder(roster);
    this.checkPeople(inBranch, {
      hostId,
      recorderId,
      lecturerId: body.lecturerId ?? null,
      observerIds: body.observerIds ?? [],
    });
    const start = new Date(body.start);
    const end = body.end ? new Date(body.end) : new Date(start.getTime() + DEFAULT_DURATION_MS);
    const expected = defaultExpected(body.type, roster, groupRoster);
    const observers = (body.observerIds ?? []).filter((u) => !expected.includes(u));
    const meeting = await em.save(
      em.create(MeetingEntity, {
        unitId: unit.id,
        type: body.type,
        title: body.title ?? defaultTitle(body.type, start, group?.name),
        hostId,
        status: 'scheduled',
        groupId: group?.id ?? null,
        scheduledStart: start,
        scheduledEnd: end,
        startedAt: start,
        endedAt: null,
        recorderId,
        lecturerId: body.lecturerId ?? null,
        agenda: body.agenda ?? [],
        settings: {
          waitingRoom: body.settings?.waitingRoom ?? false,
          locked: false,
          muteOnEntry: body.settings?.muteOnEntry ?? false,
          recordingAllowed: body.settings?.recordingAllowed ?? false,
        },
        createdBy: user.id,
        seriesId: seriesId ?? null,
      }),
    );
    await this.saveAttendees(em, meeting.id, expected, observers);
    await this.audit.append(em, {
      actorId: user.id,
      action: 'meeting.schedule',
      entityType: 'meeting',
      entityId: meeting.id,
      unitId: unit.id,
      after: {
        ...this.auditView(meeting),
        expected: expected.length,
        observers: observers.length,
        ...(seriesId ? { seriesId } : {}),
      },
    });
    return meeting;
  }

  /** The branch's meetings whose planned start (or, opened ad hoc, actual start) lies in [from, to). */
  async calendar(user: AuthUser, unitId: string, query: MeetingCalendarQuery): Promise<Meeting[]> {
    await this.access.unit(user, unitId, 'meeting.read');
    const rows = await this.dataSource
      .getRepository(MeetingEntity)
      .createQueryBuilder('m')
      .where('m.unit_id = :unitId', { unitId })
      .andWhere('COALESCE(m.scheduled_start, m.started_at) >= :from', { from: new Date(query.from) })
      .andWhere('COALESCE(m.scheduled_start, m.started_at) < :to', { to: new Date(query.to) })
      .orderBy('COALESCE(m.scheduled_start, m.started_at)', 'ASC')
      .limit(1000)
      .getMany();
    const attendees = await this.attendeesOf(rows.map((m) => m.id));
    return rows.map((m) => this.toDto(m, attendees.get(m.id) ?? []));
  }

  async get(user: AuthUser, meetingId: string): Promise<Meeting> {
    const meeting = await this.authorised(user, meetingId, 'meeting.read');
    return this.toDto(meeting, (await this.attendeesOf([meeting.id])).get(meeting.id) ?? []);
  }

  async update(user: AuthUser, meetingId: string, body: UpdateMeetingRequest): Promise<Meeting> {
    const found = await this.authorised(user, meetingId, 'meeting.manage');
    const deliveries = await this.dataSource.transaction(async (em) => {
      const meeting = await em.findOneOrFail(MeetingEntity, {
        where: { id: found.id },
        lock: { mode: 'pessimistic_write' },
      });
      await assertEditable(em, meeting, body);
      if (body.hostId && body.hostId !== meeting.hostId && meeting.status === 'live')
        throw Conflict('meetings.hostInRoom');
      const inBranch = new Set((await this.orgs.rosterEntries(meeting.unitId, em)).map((p) => p.userId));
      this.checkPeople(inBranch, {
        hostId: body.hostId,
        recorderId: body.recorderId,
        lecturerId: body.lecturerId ?? null,
        observerIds: [],
      });
      const before = this.auditView(meeting);
      const oldStart = meeting.scheduledStart ?? meeting.startedAt;
      const oldEnd = meeting.scheduledEnd ?? new Date(oldStart.getTime() + DEFAULT_DURATION_MS);
      const start = body.start ? new Date(body.start) : oldStart;
      // A new start alone moves the meeting and keeps its length.
      const end = body.end
        ? new Date(body.end)
        : body.start
          ? new Date(start.getTime() + (oldEnd.getTime() - oldStart.getTime()))
          : oldEnd;
      if (end <= start) throw badRequest('validation.endAfterStart');
      if (body.start || body.end) {
        meeting.scheduledStart = start;
        meeting.scheduledEnd = end;
        if (meeting.status === 'scheduled') meeting.startedAt = start;
      }
      if (body.title !== undefined) meeting.title = body.title;
      if (body.hostId !== undefined) meeting.hostId = body.hostId;
      if (body.recorderId !== undefined) meeting.recorderId = body.recorderId;
      if (body.lecturerId !== undefined) meeting.lecturerId = body.lecturerId;
      if (body.agenda !== undefined) meeting.agenda = body.agenda;
      if (body.settings) meeting.settings = { ...meeting.settings, ...body.settings };
      await em.save(meeting);
      const after = this.auditView(meeting);
      const changed = (Object.keys(after) as (keyof typeof after)[]).filter(
        (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
      );
      await this.audit.append(em, {
        actorId: user.id,
        action: 'meeting.update',
        entityType: 'meeting',
        entityId: meeting.id,
        unitId: meeting.unitId,
        before: Object.fromEntries(changed.map((k) => [k, before[k]])),
        after: Object.fromEntries(changed.map((k) => [k, after[k]])),
      });
      if (changed.length === 0) return [];
      return this.notifyAttendees(em, meeting, user.id, 'meeting.updated', {
        changes: changed.join(','),
        ...(changed.includes('start') ? { previousStart: before.start } : {}),
      });
    });
    this.notifications.push(deliveries);
    this.notifications.remindSoon();
    return this.full(found.id);
  }

  /** Cancels a scheduled meeting (a live one is ended, not cancelled). Audited. */
  async cancel(user: AuthUser, meetingId: string, body: CancelMeetingRequest): Promise<Meeting> {
    const found = await this.authorised(user, meetingId, 'meeting.manage');
    const deliveries = await this.dataSource.transaction(async (em) => {
      const meeting = await em.findOneOrFail(MeetingEntity, {
        where: { id: found.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (meeting.status === 'live') throw Conflict('meetings.cancelLive');
      if (meeting.status !== 'scheduled') throw Conflict('meetings.notEditable');
      await em.update(MeetingEntity, { id: meeting.id }, { status: 'cancelled' });
      await this.audit.append(em, {
        actorId: user.id,
        action: 'meeting.cancel',
        entityType: 'meeting',
        entityId: meeting.id,
        unitId: meeting.unitId,
        before: { status: 'scheduled' },
        after: { status: 'cancelled', reason: body.reason ?? null },
      });
      return this.notifyAttendees(em, meeting, user.id, 'meeting.cancelled', { reason: body.reason ?? null });
    });
    this.notifications.push(deliveries);
    return this.full(found.id);
  }

  /**
   * Notifies a meeting's attendees (expected and observers) but the person who made the change; `params` add
   * to the meeting's title, planned start and branch.
   */
  private async notifyAttendees(
    em: EntityManager,
    meeting: MeetingEntity,
    actorId: string,
    kind: 'meeting.scheduled' | 'meeting.series_scheduled' | 'meeting.updated' | 'meeting.cancelled',
    params: Record<string, string | number | null>,
  ): Promise<Delivery[]> {
    const people: { user_id: string; unit_name: string }[] = await em.query(
      `SELECT a.user_id, u.name AS unit_name FROM meeting_attendee a JOIN org_unit u ON u.id = $2
       WHERE a.meeting_id = $1 AND a.user_id <> $3`,
      [meeting.id, meeting.unitId, actorId],
    );
    if (people.length === 0) return [];
    return this.notifications.add(em, {
      userIds: people.map((p) => p.user_id),
      kind,
      meetingId: meeting.id,
      params: {
        title: meeting.title,
        start: (meeting.scheduledStart ?? meeting.startedAt).toISOString(),
        unitName: people[0].unit_name,
        ...params,
      },
    });
  }

  /** Replaces a meeting's attendees: `expected` (应到) and `observers` (列席; never also expected). */
  async saveAttendees(
    em: EntityManager,
    meetingId: string,
    expected: string[],
    observers: string[] = [],
  ): Promise<void> {
    await em.delete(MeetingAttendeeEntity, { meetingId });
    const rows = [
      ...expected.map((userId) => ({ meetingId, userId, kind: 'expected' as const })),
      ...observers.map((userId) => ({ meetingId, userId, kind: 'observer' as const })),
    ];
    if (rows.length) await em.insert(MeetingAttendeeEntity, rows);
  }

  private async full(meetingId: string): Promise<Meeting> {
    const meeting = await this.dataSource.getRepository(MeetingEntity).findOneByOrFail({ id: meetingId });
    return this.toDto(meeting, (await this.attendeesOf([meetingId])).get(meetingId) ?? []);
  }

  private checkPeople(
    inBranch: Set<string>,
    p: { hostId?: string; recorderId?: string | null; lecturerId: string | null; observerIds: string[] },
  ): void {
    const check = (id: string | null | undefined, who: MessageKey) => {
      if (id && !inBranch.has(id))
        throw new DomainError(ErrorCodes.validation, 400, 'meetings.notOfBranch', { who: { key: who } });
    };
    check(p.hostId, 'meetings.roleHost');
    check(p.recorderId, 'meetings.roleRecorder');
    check(p.lecturerId, 'meetings.roleLecturer');
    for (const o of p.observerIds) check(o, 'meetings.roleObserver');
  }

  private async attendeesOf(meetingIds: string[]): Promise<Map<string, MeetingAttendee[]>> {
    const out = new Map<string, MeetingAttendee[]>();
    if (meetingIds.length === 0) return out;
    const rows = await this.meetingsRepo.attendeeList(meetingIds);
    for (const { meetingId, ...a } of rows) {
      const list = out.get(meetingId) ?? [];
      list.push(a);
      out.set(meetingId, list);
    }
    return out;
  }

  private async authorised(user: AuthUser, meetingId: string, action: UnitAction): Promise<MeetingEntity> {
    return (await this.directory.authorise(user, meetingId, action)).meeting;
  }

  private auditView(m: MeetingEntity) {
    return {
      type: m.type,
      title: m.title,
      start: m.scheduledStart?.toISOString() ?? null,
      end: m.scheduledEnd?.toISOString() ?? null,
      hostId: m.hostId,
      recorderId: m.recorderId,
      lecturerId: m.lecturerId,
      groupId: m.groupId,
      agenda: m.agenda,
      settings: m.settings,
    };
  }

  toDto(m: MeetingEntity, attendees: MeetingAttendee[]): Meeting {
    return {
      ...liveMeetingDto(m, this.presence),
      type: m.type as MeetingType,
      groupId: m.groupId,
      scheduledStart: m.scheduledStart?.toISOString() ?? null,
      scheduledEnd: m.scheduledEnd?.toISOString() ?? null,
      recorderId: m.recorderId,
      lecturerId: m.lecturerId,
      agenda: m.agenda,
      settings: {
        waitingRoom: m.settings.waitingRoom,
        muteOnEntry: m.settings.muteOnEntry ?? false,
        recordingAllowed: m.settings.recordingAllowed ?? false,
      },
      attendees,
      seriesId: m.seriesId,
    };
  }
}
