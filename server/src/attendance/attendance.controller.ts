import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { apiRoutes, type MeetingAttendance } from '@branchmeet/shared';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { UuidPipe } from '../common/uuid.pipe';
import { AttendanceService } from './attendance.service';

@ApiTags('attendance')
@ApiBearerAuth()
@Controller()
export class AttendanceController {
  constructor(private readonly attendance: AttendanceService) {}

  /** Per expected member: first join, last leave, join count, total time, status (readers of the branch). */
  @Get(apiRoutes.meetings.attendance(':meetingId'))
  forMeeting(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
  ): Promise<MeetingAttendance> {
    return this.attendance.forMeeting(user, meetingId);
  }
}
