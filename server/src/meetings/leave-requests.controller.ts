import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { apiRoutes, CreateLeaveRequest, LeaveDecisionRequest } from '@branchmeet/shared';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { UuidPipe } from '../common/uuid.pipe';
import { ZodBody } from '../common/zod';
import { LeaveRequestsService } from './leave-requests.service';

@ApiTags('meetings')
@ApiBearerAuth()
@Controller()
export class LeaveRequestsController {
  constructor(private readonly leave: LeaveRequestsService) {}

  /** Asks for leave from a meeting (an expected attendee, before or during it). */
  @Post(apiRoutes.meetings.leaveRequests(':meetingId'))
  create(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @ZodBody(CreateLeaveRequest) body: CreateLeaveRequest,
  ) {
    return this.leave.create(user, meetingId, body);
  }

  /** The meeting's leave requests: managers and upper levels see all, a member their own. */
  @Get(apiRoutes.meetings.leaveRequests(':meetingId'))
  list(@CurrentUser() user: AuthUser, @Param('meetingId', UuidPipe) meetingId: string) {
    return this.leave.list(user, meetingId);
  }

  /** Approves or rejects a pending leave request (managers of the branch). */
  @Post(apiRoutes.meetings.leaveDecision(':leaveRequestId'))
  @HttpCode(200)
  decide(
    @CurrentUser() user: AuthUser,
    @Param('leaveRequestId', UuidPipe) leaveRequestId: string,
    @ZodBody(LeaveDecisionRequest) body: LeaveDecisionRequest,
  ) {
    return this.leave.decide(user, leaveRequestId, body);
  }

  /** The member takes back their own pending request. */
  @Post(apiRoutes.meetings.leaveWithdraw(':leaveRequestId'))
  @HttpCode(200)
  withdraw(@CurrentUser() user: AuthUser, @Param('leaveRequestId', UuidPipe) leaveRequestId: string) {
    return this.leave.withdraw(user, leaveRequestId);
  }
}
