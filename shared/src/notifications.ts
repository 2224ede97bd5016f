import { z } from 'zod';
import { Uuid } from './common';
import type { EventContracts } from './wire';

/**
 * In-app notifications (stored; pushed over `/rtc` as `notification.created` to every socket of the person).
 * The client words each kind in the reader's language from `params`:
 * - meeting.scheduled / meeting.updated / meeting.cancelled: `title`, `start` (ISO), `unitName`; cancelled may
 *   carry `reason`; updated carries `changes` (comma-separated field names: start, end, title, host, ...);
 * - meeting.series_scheduled: a repeating meeting (主题党日): `title` of the first, `start`, `count`;
 * - meeting.reminder: 15 minutes before the start: `title`, `start`;
 * - leave.decided: `title`, `status` (approved | rejected), `note`.
 * - leave.requested: to the branch's managers: `title`, `start`, `name` (who asks), `reason`, `leaveType`;
 * - leave.withdrawn: to the branch's managers: `title`, `start`, `name`;
 * - meeting.started: to the expected attendees and observers: `title`, `start`, `unitName`;
 * - minutes.submitted / minutes.returned / minutes.approved: `title`, `start`, `unitName`, `reason` (returned) or
 *   `comment` (approved); submitted goes to the upper level's reviewers and the writers (host, recorder,
 *   managers), returned / approved to the writers.
 */
export const NotificationKind = z.enum([
  'meeting.scheduled',
  'meeting.series_scheduled',
  'meeting.updated',
  'meeting.cancelled',
  'meeting.reminder',
  'leave.decided',
  'leave.requested',
  'leave.withdrawn',
  'meeting.started',
  'minutes.submitted',
  'minutes.returned',
  'minutes.approved',
]);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const NotificationParams = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
export type NotificationParams = z.infer<typeof NotificationParams>;

export const Notification = z.object({
  id: Uuid,
  kind: NotificationKind,
  meetingId: Uuid.nullable(),
  params: NotificationParams,
  read: z.boolean(),
  createdAt: z.string(),
});
export type Notification = z.infer<typeof Notification>;

/** `GET /notifications?limit&before`: the newest first, and how many are unread in all. */
export const NotificationListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** Only those created before this notification (paging back). */
  before: Uuid.optional(),
});
export type NotificationListQuery = z.infer<typeof NotificationListQuery>;

export const NotificationList = z.object({
  items: z.array(Notification),
  unread: z.number().int().min(0),
});
export type NotificationList = z.infer<typeof NotificationList>;

/** `POST /notifications/read`: mark some (`ids`) or all of one's notifications read. */
export const MarkNotificationsReadRequest = z
  .object({ ids: z.array(Uuid).min(1).max(100) })
  .or(z.object({ all: z.literal(true) }));
export type MarkNotificationsReadRequest = z.infer<typeof MarkNotificationsReadRequest>;

export const MarkNotificationsReadResult = z.object({ unread: z.number().int().min(0) });
export type MarkNotificationsReadResult = z.infer<typeof MarkNotificationsReadResult>;

/** Server → client on `/rtc` (merged into `rtcServerEvents`): every socket of the person gets it, in a room or not. */
export const notificationServerEvents = {
  'notification.created': Notification,
} as const satisfies EventContracts;
