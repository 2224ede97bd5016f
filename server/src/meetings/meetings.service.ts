import { Injectable } from '@nestjs/common';
import {
  allows,
  formatMessage,
  type ChatMessage,
  type LiveMeeting,
  type OpenRoomRequest,
  type UnitAction,
} from '@branchmeet/shared';
import { DataSource } from 'typeorm';
import { AttendanceService } from '../attendance/attendance.service';
import { AuditService } from '../audit/audit.service';
import { RoomCalls } from '../cluster/room-calls';
import { AuthUser } from '../auth/auth-user';
import { UserDirectory } from '../auth/user-directory.service';
import { Conflict, DomainError, Forbidden, NotFound } from '../common/domain-error';
import { NotificationsService } from '../notifications/notifications.service';
import { RecipientsRepository } from '../notifications/recipients.repository';
import { MeetingDirectory } from './meeting-directory.service';
import { AccessService, OrgDirectory } from '../orgs/access.service';
import { MeetingAttendeeEntity } from './meeting-attendee.entity';
import { liveMeetingDto, roomCounts, type RoomCounts } from './meeting-dto';
import { MeetingEntity, MeetingSettings } from './meeting.entity';
import { MeetingsRepository } from './meetings.repository';
import type { UnattendedMeeting } from './unattended-end';

/** How many chat messages a joiner gets in the join answer (the newest ones). */
export const CHAT_HISTORY = 200;

/** A meeting someone may enter, with their display name and whether they host it. */
export interface MeetingEntry {
  meeting: MeetingEntity;
  userName: string;
  isHost: boolean;
  /** An outside guest (invite link): role `guest`, through the waiting room. */
  isGuest: boolean;
}

/**
 * host: the host ended it; empty: its room stayed empty (or nobody ever came); crash: its room went with a node
 * that died, and nobody came back in time.
 */
export type MeetingEndReason = 'host' | 'empty' | 'crash';

@Injectable()
export class MeetingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: MeetingsRepository,
    private readonly recipients: RecipientsRepository,
    private readonly users: UserDirectory,
    private readonly access: AccessService,
    private readonly directory: MeetingDirectory,
    private readonly orgs: OrgDirectory,
    private readonly audit: AuditService,
    private readonly calls: RoomCalls,
    private readonly attendance: AttendanceService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Live meetings nobody is seated in (no open presence segment) whose last activity — the start, or the last
   * heartbeat or close of any of their segments — is before `before`; `everSeated`: someone was in it once.
   * The reaper ends the ones no node holds (LiveReaper).
   */
  async unattended(before: Date): Promise<UnattendedMeeting[]> {
    return this.repo.unattended(before);
  }

  /**
   * Opens a live room ad hoc (a manager of the branch); the opener hosts it, the branch roster at this moment
   * is expected (应到). Audited.
   */
  async open(user: AuthUser, unitId: string, body: OpenRoomRequest): Promise<LiveMeeting> {
    const { unit } = await this.access.unit(user, unitId, 'meeting.open');
    const { meeting, deliveries } = await this.dataSource.transaction(async (em) => {
      const created = await em.save(
        em.create(MeetingEntity, {
          unitId: unit.id,
          type: 'other',
          title: body.title ?? formatMessage('meetings.defaultTitle', { unit: unit.name }, 'zh-CN'),
          hostId: user.id,
          status: 'live',
          startedAt: new Date(),
          endedAt: null,
          settings: { waitingRoom: body.waitingRoom, locked: false },
          createdBy: user.id,
        }),
      );
      const roster = await this.orgs.rosterEntries(unit.id, em);
      if (roster.length)
        await em.insert(
          MeetingAttendeeEntity,
          [...new Set(roster.map((p) => p.userId))].map((userId) => ({
            meetingId: created.id,
            userId,
            kind: 'expected' as const,
          })),
        );
      await this.audit.append(em, {
        actorId: user.id,
        action: 'meeting.open',
        entityType: 'meeting',
        entityId: created.id,
        unitId: unit.id,
        after: { title: created.title, type: created.type, settings: created.settings },
      });
      const deliveries = await this.notifications.aboutMeeting(
        em,
        created,
        'meeting.started',
        await this.recipients.attendeesOf(created.id, em),
        user.id,
      );
      return { meeting: created, deliveries };
    });
    this.notifications.push(deliveries);
    return this.toDto(meeting, await roomCounts(this.calls, [meeting]));
  }

  async listLive(user: AuthUser, unitId: string): Promise<LiveMeeting[]> {
    await this.access.unit(user, unitId, 'meeting.read');
    const rows = await this.dataSource
      .getRepository(MeetingEntity)
      .find({ where: { unitId, status: 'live' }, order: { startedAt: 'DESC' } });
    const counts = await roomCounts(this.calls, rows);
    return rows.map((m) => this.toDto(m, counts));
  }

  /**
   * The meeting's chat. In a lecture, a listener's messages were for the presenters (RoomChat): who neither
   * leads the lecture (its host or lecturer) nor manages the branch reads the leaders' messages and their own.
   * (Co-presenters are named in the live room only; afterwards their messages count as a listener's.)
   */
  async chatOf(user: AuthUser, meetingId: string): Promise<ChatMessage[]> {
    const { meeting, relation } = await this.directory.authorise(user, meetingId, 'meeting.read');
    const messages = await this.recentChat(meetingId);
    if (meeting.type !== 'lecture') return messages;
    const leaders = new Set([meeting.hostId, meeting.lecturerId].filter((id): id is string => !!id));
    const marked = messages.map((m) => ({
      ...m,
      audience: leaders.has(m.userId) ? ('all' as const) : ('presenters' as const),
    }));
    if (leaders.has(user.id) || allows(relation, 'meeting.manage')) return marked;
    return marked.filter((m) => m.audience === 'all' || m.userId === user.id);
  }

  /**
   * Checks that the user may enter the live room: the unit's rule `meeting.join`, or being its host. A meeting
   * of a unit the user has no relation to is reported as not found. A scheduled meeting goes live when its host
   * or a manager of the branch enters it; anyone else waits for that.
   */
  async entry(user: AuthUser, meetingId: string): Promise<MeetingEntry> {
    if (user.guest) return this.guestEntry(user, meetingId);
    let meeting = await this.repo.findById(meetingId);
    if (!meeting) throw NotFound('notFound.meeting');
    const isHost = meeting.hostId === user.id;
    if (!isHost) await this.checkUnit(user, meeting.unitId, 'meeting.join');
    if (meeting.status === 'scheduled') {
      if (!isHost && !(await this.mayManage(user, meeting.unitId))) throw Conflict('meetings.notStarted');
      meeting = await this.start(meeting.id, user.id);
    }
    if (meeting.status === 'cancelled') throw Conflict('meetings.cancelled');
    if (meeting.status !== 'live') throw Conflict('meetings.ended');
    const names = await this.users.names([user.id]);
    return { meeting, userName: names.get(user.id) ?? '', isHost, isGuest: false };
  }

  /**
   * A guest enters only the meeting of their invite, only while the invite is valid (not revoked, not expired)
   * and the meeting live: a guest never starts a meeting.
   */
  private async guestEntry(user: AuthUser, meetingId: string): Promise<MeetingEntry> {
    if (!user.guest || user.guest.meetingId !== meetingId) throw Forbidden('auth.guestToken');
    if (!(await this.repo.guestInviteValid(user.id, meetingId))) throw Forbidden('invite.invalid');
    const meeting = await this.repo.findById(meetingId);
    if (!meeting) throw NotFound('notFound.meeting');
    if (meeting.status === 'scheduled') throw Conflict('meetings.guestWaitsForHost');
    if (meeting.status === 'cancelled') throw Conflict('meetings.cancelled');
    if (meeting.status !== 'live') throw Conflict('meetings.ended');
    return { meeting, userName: user.guest.name, isHost: false, isGuest: true };
  }

  /** A scheduled meeting goes live now (its actual start). Audited; a meeting already started is left as it is. */
  private async start(meetingId: string, actorId: string): Promise<MeetingEntity> {
    const { started, deliveries } = await this.dataSource.transaction(async (em) => {
      const meeting = await em.findOneOrFail(MeetingEntity, {
        where: { id: meetingId },
        lock: { mode: 'pessimistic_write' },
      });
      if (meeting.status !== 'scheduled') return { started: meeting, deliveries: [] };
      const startedAt = new Date();
      await em.update(MeetingEntity, { id: meetingId }, { status: 'live', startedAt });
      await this.audit.append(em, {
        actorId,
        action: 'meeting.start',
        entityType: 'meeting',
        entityId: meetingId,
        unitId: meeting.unitId,
        before: { status: 'scheduled' },
        after: { status: 'live', startedAt: startedAt.toISOString() },
      });
      // The expected attendees and observers (not those on leave) are told they can join.
      const started: MeetingEntity = { ...meeting, status: 'live', startedAt };
      const deliveries = await this.notifications.aboutMeeting(
        em,
        started,
        'meeting.started',
        await this.recipients.attendeesOf(meetingId, em),
        actorId,
      );
      return { started, deliveries };
    });
    this.notifications.push(deliveries);
    return started;
  }

  private async mayManage(user: AuthUser, unitId: string): Promise<boolean> {
    try {
      await this.access.unit(user, unitId, 'meeting.manage');
      return true;
    } catch (e) {
      if (e instanceof DomainError) return false;
      throw e;
    }
  }

  /**
   * Ends a live meeting: by its host, when its room has stayed empty (at the moment it emptied), or by the reaper
   * for a meeting no node holds any more (at its last activity); actorId null but for the host. Audited; false if
   * it was not live.
   */
  async end(
    meetingId: string,
    actorId: string | null,
    reason: MeetingEndReason,
    at: Date = new Date(),
  ): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const meeting = await em.findOne(MeetingEntity, {
        where: { id: meetingId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!meeting || meeting.status !== 'live') return false;
      const endedAt = at < meeting.startedAt ? meeting.startedAt : at;
      await em.update(MeetingEntity, { id: meetingId }, { status: 'ended', endedAt });
      // The attendance records become final with the end, in the same transaction.
      const counts = (await this.attendance.finalize(em, [meetingId])).get(meetingId) ?? null;
      await this.audit.append(em, {
        actorId,
        action: 'meeting.end',
        entityType: 'meeting',
        entityId: meetingId,
        unitId: meeting.unitId,
        before: { status: 'live' },
        after: { status: 'ended', endedAt: endedAt.toISOString(), reason, attendance: counts },
      });
      return true;
    });
  }

  /** The host hands the meeting over to another participant. Audited. */
  async transferHost(meetingId: string, actorId: string, toUserId: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const meeting = await em.findOneBy(MeetingEntity, { id: meetingId });
      if (!meeting) throw NotFound('notFound.meeting');
      await em.update(MeetingEntity, { id: meetingId }, { hostId: toUserId });
      await this.audit.append(em, {
        actorId,
        action: 'meeting.host_transfer',
        entityType: 'meeting',
        entityId: meetingId,
        unitId: meeting.unitId,
        before: { hostId: meeting.hostId },
        after: { hostId: toUserId },
      });
    });
  }

  /** A host's action on others in the room (mute, remove, lock): one audit line under the meeting's unit. */
  async auditHostAction(meetingId: string, actorId: string, action: string, after: object): Promise<void> {
    await this.audit.record({
      actorId,
      action,
      entityType: 'meeting',
      entityId: meetingId,
      unitId: await this.repo.unitIdOf(meetingId),
      after,
    });
  }

  /** Merges room settings into the meeting's (the ones chosen when scheduling stay). */
  async saveSettings(meetingId: string, settings: Partial<MeetingSettings>): Promise<void> {
    await this.repo.mergeSettings(meetingId, settings);
  }

  /** Stores a chat message of a member or of a guest (`userId` is one or the other). */
  async addChat(meetingId: string, userId: string, name: string, text: string): Promise<ChatMessage> {
    const saved = await this.repo.insertChat(meetingId, userId, text);
    return { id: String(saved.id), meetingId, userId, name, text, at: saved.at.toISOString() };
  }

  /** The newest chat messages of a meeting, oldest first. */
  async recentChat(meetingId: string, limit = CHAT_HISTORY): Promise<ChatMessage[]> {
    const rows = await this.repo.newestChat(meetingId, limit);
    return rows
      .reverse()
      .map((r) => ({ ...r, id: String(r.id), name: r.name ?? '', at: r.at.toISOString() }));
  }

  private async authorised(user: AuthUser, meetingId: string, action: UnitAction): Promise<MeetingEntity> {
    return (await this.directory.authorise(user, meetingId, action)).meeting;
  }

  /** The unit's rule; a meeting of a unit the user cannot see is not found (its existence is not revealed). */
  private async checkUnit(user: AuthUser, unitId: string, action: UnitAction): Promise<void> {
    await this.access.unitOf(user, unitId, action, 'notFound.meeting');
  }

  private toDto(m: MeetingEntity, counts: RoomCounts): LiveMeeting {
    return liveMeetingDto(m, counts);
  }
}
