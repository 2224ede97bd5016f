import { z } from 'zod';
import { Uuid } from './common';
import { LeaveType } from './meetings';

/**
 * One's to-do list (待办): what is waiting for this person to act, most urgent first.
 * - leave.decide: a pending leave request in a branch the person manages (`leaveRequestId`, `name`, `reason`,
 *   `leaveType`);
 * - minutes.write: an ended meeting whose minutes are a draft (or not begun) and the person is its recorder, host
 *   or a manager of its branch: write and submit them;
 * - minutes.fix: minutes returned by the upper level (`reason`), for the same people;
 * - minutes.review: minutes submitted by a branch below a unit the person manages;
 * - meeting.soon: a meeting the person is expected at (not on approved leave) that is live or starts within the
 *   next hours (`live`);
 * - makeup.owed: a lecture with a recording that the person missed and has not yet made up (补学).
 */
export const TodoKind = z.enum([
  'leave.decide',
  'minutes.write',
  'minutes.fix',
  'minutes.review',
  'meeting.soon',
  'makeup.owed',
]);
export type TodoKind = z.infer<typeof TodoKind>;

export const TodoItem = z.object({
  kind: TodoKind,
  meetingId: Uuid,
  title: z.string(),
  unitName: z.string(),
  /** The meeting's planned (or actual) start, ISO. */
  start: z.string(),
  live: z.boolean().optional(),
  leaveRequestId: Uuid.optional(),
  name: z.string().optional(),
  reason: z.string().nullable().optional(),
  leaveType: LeaveType.optional(),
});
export type TodoItem = z.infer<typeof TodoItem>;

/** `GET /todos`: one's own to-do list. */
export const TodoList = z.object({ items: z.array(TodoItem) });
export type TodoList = z.infer<typeof TodoList>;
