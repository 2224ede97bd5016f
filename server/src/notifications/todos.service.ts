import { Injectable } from '@nestjs/common';
import type { TodoItem, TodoList } from '@branchmeet/shared';
import { AuthUser } from '../auth/auth-user';
import { NotificationsRepository } from './notifications.repository';
import type { TodoRow } from './todos.sql';

/**
 * One's to-do list (待办), computed from what is waiting: read from the meetings, leave requests, minutes and
 * attendance as they are now, so an item disappears the moment it is done (by this person or another).
 */
@Injectable()
export class TodosService {
  constructor(private readonly repo: NotificationsRepository) {}

  async list(user: AuthUser): Promise<TodoList> {
    if (user.guest) return { items: [] };
    const rows = await this.repo.todoRows(user.id);
    return { items: rows.map(toItem) };
  }
}

export function toItem(r: TodoRow): TodoItem {
  const item: TodoItem = {
    kind: r.kind,
    meetingId: r.meeting_id,
    title: r.title,
    unitName: r.unit_name,
    start: r.start.toISOString(),
  };
  if (r.live !== null) item.live = r.live;
  if (r.leave_request_id) item.leaveRequestId = r.leave_request_id;
  if (r.name) item.name = r.name;
  if (r.reason !== null) item.reason = r.reason;
  if (r.leave_type) item.leaveType = r.leave_type;
  return item;
}
