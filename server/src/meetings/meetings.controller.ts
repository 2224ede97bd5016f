import { Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { apiRoutes, OpenRoomRequest } from '@branchmeet/shared';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { UuidPipe } from '../common/uuid.pipe';
import { ZodBody } from '../common/zod';
import { MeetingsService } from './meetings.service';

@ApiTags('meetings')
@ApiBearerAuth()
@Controller()
export class MeetingsController {
  constructor(private readonly meetings: MeetingsService) {}

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

  @Get(apiRoutes.meetings.one(':meetingId'))
  get(@CurrentUser() user: AuthUser, @Param('meetingId', UuidPipe) meetingId: string) {
    return this.meetings.get(user, meetingId);
  }

  /** The meeting's chat, oldest first (the newest 200). */
  @Get(apiRoutes.meetings.chat(':meetingId'))
  chat(@CurrentUser() user: AuthUser, @Param('meetingId', UuidPipe) meetingId: string) {
    return this.meetings.chatOf(user, meetingId);
  }
}
