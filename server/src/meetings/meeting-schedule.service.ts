import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type CancelMeetingRequest,
  type Meeting,
  type MeetingAttendee,
  type MeetingCalendarQuery,
  type MeetingType,
  type ScheduleMeetingRequest,
  type ScheduleSeriesRequest,
  type UpdateMeetingRequest,
  type UnitAction,
} from '@branchmeet/shared';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { RoomCalls } from '../cluster/room-calls';
import { MinutesService } from '../minutes/minutes.service';
import { NotificationsService, type Delivery } from '../notifications/notifications.service';
import { AuthUser } from '../auth/auth-user';
import { Conflict } from '../common/domain-error';
import { MeetingDirectory } from './meeting-directory.service';
import { AccessService, OrgDirectory, type UnitAccess } from '../orgs/access.service';
import { MeetingsRepository } from './meetings.repository';
import { applyUpdate, auditView, badRequest, changedFields, checkPeople, newSettings } from './meeting-plan';
import { MeetingScheduleRepository } from './meeting-schedule.repository';
import {
  DEFAULT_DURATION_MS,
  defaultExpected,
  defaultHost,
  defaultRecorder,
  defaultTitle,
  monthlyOccurrences,
  type RosterEntry,
} from './meeting-defaults';
import { liveMeetingDto, roomCounts, type RoomCounts } from './meeting-dto';
import { assertEditable } from './meeting-editable';
import type { MeetingEntity } from './meeting.entity';

/**
 * Scheduling of a branch's meetings (三会一课 and others): schedule with defaults for everything the system
 * knows, the calendar, the full meeting, edit and cancel. Writes are for the branch's managers and audited. The
 * rules that need no database are in meeting-plan.ts.
 */
@Injectable()
export class MeetingScheduleService {
  constructor(
    private readonly repo: MeetingScheduleRepository,
    private readonly access: AccessService,
    private readonly directory: MeetingDirectory,
    private readonly meetingsRepo: MeetingsRepository,
    private readonly orgs: OrgDirectory,
    private readonly audit: AuditService,
    private readonly calls: RoomCalls,
    private readonly notifications: NotificationsService,
    private readonly minutes: MinutesService,
  ) {}

  async schedule(user: AuthUser, unitId: string, body: ScheduleMeetingRequest): Promise<Meeting> {
    const { unit } = await this.access.unit(user, unitId, 'meeting.schedule');
    if (unit.type !== 'branch') throw badRequest('meetings.branchOnly');
    const { id, deliveries } = await this.repo.transaction(async (em) => {
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
    const { ids, deliveries } = await this.repo.transaction(async (em) => {
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
    checkPeople(inBranch, {
      hostId,
      recorderId,
      lecturerId: body.lecturerId ?? null,
      observerIds: body.observerIds ?? [],
    });
    const start = new Date(body.start);
    const end = body.end ? new Date(body.end) : new Date(start.getTime() + DEFAULT_DURATION_MS);
    const expected = defaultExpected(body.type, roster, groupRoster);
    const observers = (body.observerIds ?? []).filter((u) => !expected.includes(u));
    const meeting = await this.repo.insert(em, {
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
      settings: newSettings(body),
      createdBy: user.id,
      seriesId: seriesId ?? null,
    });
    await this.repo.replaceAttendees(em, meeting.id, expected, observers);
    await this.audit.append(em, {
      actorId: user.id,
      action: 'meeting.schedule',
      entityType: 'meeting',
      entityId: meeting.id,
      unitId: unit.id,
      after: {
        ...auditView(meeting),
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
    const rows = await this.repo.calendar(unitId, new Date(query.from), new Date(query.to));
    const attendees = await this.attendeesOf(rows.map((m) => m.id));
    const counts = await roomCounts(this.calls, rows);
    return rows.map((m) => this.toDto(m, attendees.get(m.id) ?? [], counts));
  }

  async get(user: AuthUser, meetingId: string): Promise<Meeting> {
    const meeting = await this.authorised(user, meetingId, 'meeting.read');
    const counts = await roomCounts(this.calls, [meeting]);
    return this.toDto(meeting, (await this.attendeesOf([meeting.id])).get(meeting.id) ?? [], counts);
  }

  async update(user: AuthUser, meetingId: string, body: UpdateMeetingRequest): Promise<Meeting> {
    const found = await this.authorised(user, meetingId, 'meeting.manage');
    const deliveries = await this.repo.transaction(async (em) => {
      const meeting = await this.locked(em, found.id);
      await assertEditable(meeting, body, () => this.minutes.statusOf(meeting.id));
      if (body.hostId && body.hostId !== meeting.hostId && meeting.status === 'live')
        throw Conflict('meetings.hostInRoom');
      const inBranch = new Set((await this.orgs.rosterEntries(meeting.unitId, em)).map((p) => p.userId));
      checkPeople(inBranch, {
        hostId: body.hostId,
        recorderId: body.recorderId,
        lecturerId: body.lecturerId ?? null,
        observerIds: [],
      });
      const before = auditView(meeting);
      applyUpdate(meeting, body);
      await this.repo.save(em, meeting);
      const after = auditView(meeting);
      const changed = changedFields(before, after);
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
    const deliveries = await this.repo.transaction(async (em) => {
      const meeting = await this.locked(em, found.id);
      if (meeting.status === 'live') throw Conflict('meetings.cancelLive');
      if (meeting.status !== 'scheduled') throw Conflict('meetings.notEditable');
      await this.repo.cancel(em, meeting.id);
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
    const userIds = await this.repo.attendeeIds(em, meeting.id, actorId);
    if (userIds.length === 0) return [];
    const unit = await this.orgs.unit(meeting.unitId, em);
    return this.notifications.add(em, {
      userIds,
      kind,
      meetingId: meeting.id,
      params: {
        title: meeting.title,
        start: (meeting.scheduledStart ?? meeting.startedAt).toISOString(),
        unitName: unit?.name ?? '',
        ...params,
      },
    });
  }

  private async full(meetingId: string): Promise<Meeting> {
    const meeting = await this.directory.get(meetingId);
    if (!meeting) throw new Error(`meeting ${meetingId} is gone`);
    const counts = await roomCounts(this.calls, [meeting]);
    return this.toDto(meeting, (await this.attendeesOf([meetingId])).get(meetingId) ?? [], counts);
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

  /** The meeting's row, locked for the rest of the transaction. */
  private async locked(em: EntityManager, meetingId: string): Promise<MeetingEntity> {
    const meeting = await this.directory.lock(meetingId, em);
    if (!meeting) throw new Error(`meeting ${meetingId} is gone`);
    return meeting;
  }

  private async authorised(user: AuthUser, meetingId: string, action: UnitAction): Promise<MeetingEntity> {
    return (await this.directory.authorise(user, meetingId, action)).meeting;
  }

  toDto(m: MeetingEntity, attendees: MeetingAttendee[], counts: RoomCounts): Meeting {
    return {
      ...liveMeetingDto(m, counts),
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
