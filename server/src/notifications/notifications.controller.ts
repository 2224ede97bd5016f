import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  apiRoutes,
  MarkNotificationsReadRequest,
  NotificationListQuery,
  type MarkNotificationsReadResult,
  type NotificationList,
} from '@branchmeet/shared';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { ZodBody, ZodQuery } from '../common/zod';
import { NotificationsService } from './notifications.service';

/** One's own notifications: every signed-in person, nobody else's. */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller()
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get(apiRoutes.notifications.list)
  list(
    @CurrentUser() user: AuthUser,
    @ZodQuery(NotificationListQuery) query: NotificationListQuery,
  ): Promise<NotificationList> {
    return this.notifications.list(user, query);
  }

  @Post(apiRoutes.notifications.read)
  @HttpCode(200)
  markRead(
    @CurrentUser() user: AuthUser,
    @ZodBody(MarkNotificationsReadRequest) body: MarkNotificationsReadRequest,
  ): Promise<MarkNotificationsReadResult> {
    return this.notifications.markRead(user, body);
  }
}
