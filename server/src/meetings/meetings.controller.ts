import { Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  apiRoutes,
  CancelMeetingRequest,
  MeetingCalendarQuery,
  OpenRoomRequest,
  ScheduleMeetingRequest,
  ScheduleSeriesRequest,
  UpdateMeetingRequest,
} from '@branchmeet/shared';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { UuidPipe } from '../common/uuid.pipe';
import { ZodBody, ZodQuery } from '../common/zod';
import { MeetingScheduleService } from './meeting-schedule.service';
import { MeetingsService } from './meetings.service';

@ApiTags('meetings')
@ApiBearerAuth()
@Controller()
export class MeetingsController {
  constructor(
    private readonly meetings: MeetingsService,
    private readonly schedule: MeetingScheduleService,
  ) {}

  /** The branch's live rooms (anyone who may read the branch). */
  @Get(apiRoutes.meetings.live(':unitId'))
  listLive(@CurrentUser() user: AuthUser, @Param('unitId', UuidPipe) unitId: string) {
    return this.meetings.listLive(user, unitId);
  }

  /** Opens a live room ad hoc (a manager of the branch); the caller hosts it. */
  @Post(apiRoutes.meetings.live(':unitId'))
  open(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
    @ZodBody(OpenRoomRequest) body: OpenRoomRequest,
  ) {
    return this.meetings.open(user, unitId, body);
  }

  /** The full meeting: schedule, people, agenda, settings, expected attendees and observers. */
  @Get(apiRoutes.meetings.one(':meetingId'))
  get(@CurrentUser() user: AuthUser, @Param('meetingId', UuidPipe) meetingId: string) {
    return this.schedule.get(user, meetingId);
  }

  /** The branch's meetings whose planned start lies in [from, to) (the calendar). */
  @Get(apiRoutes.meetings.ofUnit(':unitId'))
  calendar(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
    @ZodQuery(MeetingCalendarQuery) query: MeetingCalendarQuery,
  ) {
    return this.schedule.calendar(user, unitId, query);
  }

  /** Schedules a meeting of the branch (managers): only type and start are required. */
  @Post(apiRoutes.meetings.ofUnit(':unitId'))
  scheduleMeeting(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
    @ZodBody(ScheduleMeetingRequest) body: ScheduleMeetingRequest,
  ) {
    return this.schedule.schedule(user, unitId, body);
  }

  /** Schedules a monthly 主题党日 series (managers): one meeting per month, `months` of them. */
  @Post(apiRoutes.meetings.series(':unitId'))
  scheduleSeries(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
    @ZodBody(ScheduleSeriesRequest) body: ScheduleSeriesRequest,
  ) {
    return this.schedule.scheduleSeries(user, unitId, body);
  }

  @Patch(apiRoutes.meetings.one(':meetingId'))
  update(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @ZodBody(UpdateMeetingRequest) body: UpdateMeetingRequest,
  ) {
    return this.schedule.update(user, meetingId, body);
  }

  @Post(apiRoutes.meetings.cancel(':meetingId'))
  @HttpCode(200)
  cancel(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @ZodBody(CancelMeetingRequest) body: CancelMeetingRequest,
  ) {
    return this.schedule.cancel(user, meetingId, body);
  }

  /** The meeting's chat, oldest first (the newest 200). */
  @Get(apiRoutes.meetings.chat(':meetingId'))
  chat(@CurrentUser() user: AuthUser, @Param('meetingId', UuidPipe) meetingId: string) {
    return this.meetings.chatOf(user, meetingId);
  }
}
