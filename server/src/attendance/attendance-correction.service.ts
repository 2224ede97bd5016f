import { Injectable } from '@nestjs/common';
import type {
  CorrectAttendanceRequest,
  CorrectionListItem,
  MeetingAttendance,
  StatisticsQuery,
} from '@branchmeet/shared';
import { AuthUser } from '../auth/auth-user';
import { MeetingDirectory } from '../meetings/meeting-directory.service';
import { AccessService } from '../orgs/access.service';
import { AttendanceService } from './attendance.service';
import { AttendanceRepository } from './attendance.repository';

/**
 * Corrections in the open: a branch manager sets a person's status in an ended meeting with a mandatory reason.
 * It goes through the one recompute mechanism (AttendanceService.recompute, cause `correction`): the computed
 * record stays, the correction is stored beside it, and the run is audited with the correction before and
 * after. The unit's managers and every level above list them (更正记录).
 */
@Injectable()
export class AttendanceCorrectionService {
  constructor(
    private readonly repo: AttendanceRepository,
    private readonly meetings: MeetingDirectory,
    private readonly access: AccessService,
    private readonly attendance: AttendanceService,
  ) {}

  async correct(
    user: AuthUser,
    meetingId: string,
    userId: string,
    body: CorrectAttendanceRequest,
  ): Promise<MeetingAttendance> {
    const { meeting } = await this.meetings.authorise(user, meetingId, 'attendance.rules');
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
    const rows = await this.repo.correctionList(unit, new Date(query.from), new Date(query.to));
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
