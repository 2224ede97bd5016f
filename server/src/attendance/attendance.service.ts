import { Inject, Injectable } from '@nestjs/common';
import { ErrorCodes, type MeetingAttendance } from '@branchmeet/shared';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { UserEntity } from '../auth/user.entity';
import { DomainError, NotFound } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { LeaveRequestEntity } from '../meetings/leave-request.entity';
import { MeetingAttendeeEntity } from '../meetings/meeting-attendee.entity';
import { MeetingEntity } from '../meetings/meeting.entity';
import { MembershipEntity } from '../orgs/membership.entity';
import { AccessService } from '../orgs/access.service';
import type { AttendanceRules } from './attendance-rules';
import { computeAttendance } from './compute-attendance';
import { PresenceSegmentEntity } from './presence-segment.entity';

/**
 * Attendance of a meeting, computed on read from its presence segments: expected attendees (应到) are the
 * people the meeting expected when it was scheduled or opened; the rules are the server's defaults until
 * branches set their own; approved leave requests make an absent member excused.
 */
@Injectable()
export class AttendanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  rules(): AttendanceRules {
    return {
      lateAfterMinutes: this.config.ATTENDANCE_LATE_AFTER_MINUTES,
      presentMinPercent: this.config.ATTENDANCE_PRESENT_MIN_PERCENT,
    };
  }

  async forMeeting(user: AuthUser, meetingId: string, now = new Date()): Promise<MeetingAttendance> {
    const meeting = await this.dataSource.getRepository(MeetingEntity).findOneBy({ id: meetingId });
    if (!meeting) throw NotFound('notFound.meeting');
    try {
      await this.access.unit(user, meeting.unitId, 'attendance.read');
    } catch (e) {
      if (e instanceof DomainError && e.code === ErrorCodes.notFound) throw NotFound('notFound.meeting');
      throw e;
    }
    const [attendees, roster, segments, leaves] = await Promise.all([
      this.dataSource
        .getRepository(MeetingAttendeeEntity)
        .createQueryBuilder('a')
        .innerJoin(UserEntity, 'u', 'u.id = a.user_id')
        .select(['a.user_id AS "userId"', 'u.name AS name'])
        .where(`a.meeting_id = :meetingId AND a.kind = 'expected'`, { meetingId })
        .orderBy('u.name', 'ASC')
        .getRawMany<{ userId: string; name: string }>(),
      this.dataSource
        .getRepository(MembershipEntity)
        .createQueryBuilder('m')
        .innerJoin(UserEntity, 'u', 'u.id = m.user_id')
        .select(['m.user_id AS "userId"', 'u.name AS name'])
        .where('m.unit_id = :unitId', { unitId: meeting.unitId })
        .orderBy('m.created_at', 'ASC')
        .addOrderBy('u.name', 'ASC')
        .getRawMany<{ userId: string; name: string }>(),
      this.dataSource.getRepository(PresenceSegmentEntity).find({ where: { meetingId } }),
      this.dataSource
        .getRepository(LeaveRequestEntity)
        .find({ where: { meetingId, status: 'approved' }, select: { userId: true } }),
    ]);
    // Expected attendees as fixed when the meeting was scheduled or opened, in roster order; the branch roster
    // for meetings from before attendees were recorded.
    const order = new Map(roster.map((m, i) => [m.userId, i]));
    const members =
      attendees.length === 0
        ? roster
        : [...attendees].sort(
            (a, b) => (order.get(a.userId) ?? Infinity) - (order.get(b.userId) ?? Infinity),
          );
    const end = meeting.endedAt ?? now;
    const rules = this.rules();
    const records = computeAttendance({
      start: meeting.startedAt,
      end,
      expected: members.map((m) => m.userId),
      segments: segments.map((s) => ({ userId: s.userId, joinedAt: s.openedAt, leftAt: s.closedAt })),
      rules,
      excused: leaves.map((l) => l.userId),
    });
    const names = new Map(members.map((m) => [m.userId, m.name]));
    return {
      meetingId,
      status: meeting.status,
      startedAt: meeting.startedAt.toISOString(),
      endedAt: meeting.endedAt?.toISOString() ?? null,
      durationSeconds: Math.max(0, Math.round((end.getTime() - meeting.startedAt.getTime()) / 1000)),
      rules,
      records: records.map((r) => ({
        userId: r.userId,
        name: names.get(r.userId) ?? '',
        firstJoin: r.firstJoin?.toISOString() ?? null,
        lastLeave: r.lastLeave?.toISOString() ?? null,
        joinCount: r.joinCount,
        totalSeconds: r.totalSeconds,
        status: r.status,
      })),
    };
  }
}
