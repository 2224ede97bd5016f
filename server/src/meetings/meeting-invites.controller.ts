import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  apiRoutes,
  CreateInviteRequest,
  GuestJoinRequest,
  GuestPreviewRequest,
  type CreatedInvite,
  type GuestMeetingInfo,
  type GuestSession,
  type MeetingInvite,
} from '@branchmeet/shared';
import { AuthUser, CurrentUser, Public } from '../auth/auth-user';
import { LoginThrottleGuard } from '../auth/login-throttle.guard';
import { UuidPipe } from '../common/uuid.pipe';
import { ZodBody } from '../common/zod';
import { MeetingInvitesService } from './meeting-invites.service';

/** Invite links of a meeting for outside guests (the branch's managers). */
@ApiTags('meetings')
@ApiBearerAuth()
@Controller()
export class MeetingInvitesController {
  constructor(private readonly invites: MeetingInvitesService) {}

  @Get(apiRoutes.meetings.invites(':meetingId'))
  list(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
  ): Promise<MeetingInvite[]> {
    return this.invites.list(user, meetingId);
  }

  /** A new link; its token is in this answer only. */
  @Post(apiRoutes.meetings.invites(':meetingId'))
  create(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @ZodBody(CreateInviteRequest) body: CreateInviteRequest,
  ): Promise<CreatedInvite> {
    return this.invites.create(user, meetingId, body);
  }

  @Post(apiRoutes.meetings.revokeInvite(':inviteId'))
  @HttpCode(200)
  revoke(
    @CurrentUser() user: AuthUser,
    @Param('inviteId', UuidPipe) inviteId: string,
  ): Promise<MeetingInvite> {
    return this.invites.revoke(user, inviteId);
  }
}

/** Public: a guest opens an invite link. Limited per client address like sign-in. */
@ApiTags('guest')
@Controller()
export class GuestController {
  constructor(private readonly invites: MeetingInvitesService) {}

  @Public()
  @UseGuards(LoginThrottleGuard)
  @Post(apiRoutes.guest.preview)
  @HttpCode(200)
  preview(@ZodBody(GuestPreviewRequest) body: GuestPreviewRequest): Promise<GuestMeetingInfo> {
    return this.invites.preview(body.token);
  }

  @Public()
  @UseGuards(LoginThrottleGuard)
  @Post(apiRoutes.guest.join)
  @HttpCode(200)
  join(@ZodBody(GuestJoinRequest) body: GuestJoinRequest): Promise<GuestSession> {
    return this.invites.join(body);
  }
}
