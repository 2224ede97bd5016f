import { z } from 'zod';
import { NotificationKind } from './notifications';

/**
 * Channels beyond the browser tab: e-mail (SMTP) and a WeCom (企业微信) / DingTalk (钉钉) group-robot
 * webhook. A branch's managers switch each channel on for the branch; each person says where they are reached
 * (an address, a robot) and which events go to which channel. Sending is queued and retried with backoff after
 * the change that caused it has committed; it never blocks that change.
 */
export const ExternalChannel = z.enum(['email', 'webhook']);
export type ExternalChannel = z.infer<typeof ExternalChannel>;

export const WebhookKind = z.enum(['wecom', 'dingtalk']);
export type WebhookKind = z.infer<typeof WebhookKind>;

/** `GET/PUT /org-units/:id/notification-channels`: which channels the branch has switched on. */
export const BranchChannels = z.object({ email: z.boolean(), webhook: z.boolean() });
export type BranchChannels = z.infer<typeof BranchChannels>;

/** `GET/PUT /notification-prefs`: one's own. `events` missing a kind: that kind goes to every channel set up. */
export const NotificationPrefs = z.object({
  email: z.email().max(200).nullable(),
  webhook: z
    .object({
      kind: WebhookKind,
      url: z
        .url()
        .max(500)
        .regex(/^https?:\/\//),
    })
    .nullable(),
  events: z.partialRecord(NotificationKind, z.array(ExternalChannel).max(2)),
});
export type NotificationPrefs = z.infer<typeof NotificationPrefs>;
