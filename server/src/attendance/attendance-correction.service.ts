import { Injectable } from '@nestjs/common';
import type {
  AttendanceStatus,
  CorrectAttendanceRequest,
  CorrectionListItem,
  MeetingAttendance,
  StatisticsQuery,
} from '@branchmeet/shared';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { NotFound } from '../common/domain-error';
import { MeetingEntity } from '../meetings/meeting.entity';
import { AccessService } from '../orgs/access.service';
import { AttendanceService } from './attendance.service';

/**
 * Corrections in the open: a branch manager sets a person's status in an ended meeting with a mandatory reason.
 * It goes through the one recompute mechanism (AttendanceService.recompute, cause `correction`): the computed
 * record stays, the correction is stored beside it, and the run is audited with the correction before and
 * after. The unit's managers and every level above list them (更正记录).
 */
@Injectable()
export class AttendanceCorrectionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly attendance: AttendanceService,
  ) {}

  async correct(
    user: AuthUser,
    meetingId: string,
    userId: string,
    body: CorrectAttendanceRequest,
  ): Promise<MeetingAttendance> {
    const meeting = await this.dataSource.getRepository(MeetingEntity).findOneBy({ id: meetingId });
    if (!meeting) throw NotFound('notFound.meeting');
    await this.access.unitOf(user, meeting.unitId, 'attendance.rules', 'notFound.meeting');
    await this.attendance.recompute(meeting.id, {
      kind: 'correction',
      actorId: user.id,
      userId,
      status: body.status,
      reason: body.reason.trim(),
    });
    return this.attendance.forMeeting(user, meeting.id);
  }

  /** The corrections of meetings of the unit and every unit below it that started in [from, to). */
  async list(user: AuthUser, unitId: string, query: StatisticsQuery): Promise<CorrectionListItem[]> {
    const { unit } = await this.access.unit(user, unitId, 'attendance.export');
    const rows: {
      meeting_id: string;
      title: string;
      unit_id: string;
      unit_name: string;
      started_at: Date;
      user_id: string;
      name: string;
      computed: AttendanceStatus | null;
      status: AttendanceStatus;
      reason: string;
      by_name: string | null;
      corrected_at: Date;
    }[] = await this.dataSource.query(
      `SELECT m.id AS meeting_id, m.title, m.unit_id, o.name AS unit_name, m.started_at, c.user_id, u.name,
              r.status AS computed, c.status, c.reason, b.name AS by_name, c.corrected_at
       FROM attendance_correction c
       JOIN meeting m ON m.id = c.meeting_id
       JOIN org_unit o ON o.id = m.unit_id
       JOIN app_user u ON u.id = c.user_id
       LEFT JOIN app_user b ON b.id = c.corrected_by
       LEFT JOIN attendance_record r ON r.meeting_id = c.meeting_id AND r.user_id = c.user_id
       WHERE (o.id = $1 OR o.path LIKE $2) AND m.started_at >= $3 AND m.started_at < $4
       ORDER BY m.started_at, m.id, c.corrected_at`,
      [unit.id, `${unit.path}/%`, new Date(query.from), new Date(query.to)],
    );
    return rows.map((r) => ({
      meetingId: r.meeting_id,
      meetingTitle: r.title,
      unitId: r.unit_id,
      unitName: r.unit_name,
      startedAt: r.started_at.toISOString(),
      userId: r.user_id,
      name: r.name,
      computedStatus: r.computed ?? r.status,
      status: r.status,
      reason: r.reason,
      correctedByName: r.by_name,
      correctedAt: r.corrected_at.toISOString(),
    }));
  }
}
