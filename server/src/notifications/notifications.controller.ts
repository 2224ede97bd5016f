import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  apiRoutes,
  MarkNotificationsReadRequest,
  NotificationListQuery,
  type MarkNotificationsReadResult,
  type NotificationList,
  type TodoList,
} from '@branchmeet/shared';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { ZodBody, ZodQuery } from '../common/zod';
import { NotificationsService } from './notifications.service';
import { TodosService } from './todos.service';

/** One's own notifications: every signed-in person, nobody else's. */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller()
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly todos: TodosService,
  ) {}

  /** One's to-do list (待办): what waits for this person to act. */
  @Get(apiRoutes.todos)
  todoList(@CurrentUser() user: AuthUser): Promise<TodoList> {
    return this.todos.list(user);
  }

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
