import { Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { apiRoutes, BranchChannels, NotificationPrefs } from '@branchmeet/shared';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { UuidPipe } from '../common/uuid.pipe';
import { ZodBody } from '../common/zod';
import { ChannelsService } from './channels.service';

/** Channels beyond the tab: a branch's switches (managers) and one's own preferences. */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller()
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Get(apiRoutes.notificationPrefs)
  prefs(@CurrentUser() user: AuthUser): Promise<NotificationPrefs> {
    return this.channels.prefs(user);
  }

  @Put(apiRoutes.notificationPrefs)
  setPrefs(
    @CurrentUser() user: AuthUser,
    @ZodBody(NotificationPrefs) body: NotificationPrefs,
  ): Promise<NotificationPrefs> {
    return this.channels.setPrefs(user, body);
  }

  @Get(apiRoutes.branchChannels(':unitId'))
  branch(@CurrentUser() user: AuthUser, @Param('unitId', UuidPipe) unitId: string): Promise<BranchChannels> {
    return this.channels.branch(user, unitId);
  }

  @Put(apiRoutes.branchChannels(':unitId'))
  setBranch(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
    @ZodBody(BranchChannels) body: BranchChannels,
  ): Promise<BranchChannels> {
    return this.channels.setBranch(user, unitId, body);
  }
}
