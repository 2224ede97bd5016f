import { Inject, Injectable } from '@nestjs/common';
import { ErrorCodes, type MeetingAttendance } from '@branchmeet/shared';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { UserEntity } from '../auth/user.entity';
import { DomainError, NotFound } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MeetingEntity } from '../meetings/meeting.entity';
import { MembershipEntity } from '../orgs/membership.entity';
import { AccessService } from '../orgs/access.service';
import type { AttendanceRules } from './attendance-rules';
import { computeAttendance } from './compute-attendance';
import { PresenceSegmentEntity } from './presence-segment.entity';

/**
 * Attendance of a meeting, computed on read from its presence segments: expected attendees (应到) are the
 * members of the meeting's unit; the rules are the server's defaults until branches set their own; approved
 * leave requests come with the leave-request feature (none yet).
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
    const [members, segments] = await Promise.all([
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
    ]);
    const end = meeting.endedAt ?? now;
    const rules = this.rules();
    const records = computeAttendance({
      start: meeting.startedAt,
      end,
      expected: members.map((m) => m.userId),
      segments: segments.map((s) => ({ userId: s.userId, joinedAt: s.openedAt, leftAt: s.closedAt })),
      rules,
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
