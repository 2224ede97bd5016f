import { z } from 'zod';
import { Uuid } from './common';
import { DateTime, MeetingType } from './meetings';
import { messageKey as m } from './messages';

/**
 * Outside guests (来宾) of one meeting, by an invite link that expires. A guest has no account: the link's
 * token and a name give them a guest token scoped to that one meeting — it opens its live room on `/rtc` as
 * role `guest` (through the host's waiting room), and nothing else (every REST route refuses it). Guests are
 * never expected (应到) and never counted; their presence is listed apart.
 */
export const INVITE_MAX_HOURS = 30 * 24;

/** `POST /meetings/:meetingId/invites` (managers of the branch). */
export const CreateInviteRequest = z.object({
  /** How long the link works (hours from now); default 72. */
  validHours: z.number().int().min(1).max(INVITE_MAX_HOURS).default(72),
});
export type CreateInviteRequest = z.infer<typeof CreateInviteRequest>;

export const MeetingInvite = z.object({
  id: Uuid,
  meetingId: Uuid,
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
  createdBy: Uuid,
  /** Guests who came in by this link. */
  guests: z.number().int().min(0),
});
export type MeetingInvite = z.infer<typeof MeetingInvite>;

/** The new invite with its secret token, shown once: the link is `/guest/<token>`. */
export const CreatedInvite = MeetingInvite.extend({ token: z.string() });
export type CreatedInvite = z.infer<typeof CreatedInvite>;

const InviteToken = z.string().trim().min(20, m('validation.inviteToken')).max(200);

/** `POST /guest/preview` (public): what the link opens, before the guest gives a name. */
export const GuestPreviewRequest = z.object({ token: InviteToken });
export type GuestPreviewRequest = z.infer<typeof GuestPreviewRequest>;

export const GuestMeetingInfo = z.object({
  meetingId: Uuid,
  title: z.string(),
  type: MeetingType,
  unitName: z.string(),
  status: z.enum(['scheduled', 'live', 'ended', 'cancelled']),
  /** The planned start (the actual one once live). */
  start: z.string(),
  inviteExpiresAt: z.string(),
});
export type GuestMeetingInfo = z.infer<typeof GuestMeetingInfo>;

/** `POST /guest/join` (public): the guest's name; answered with a guest token for that one meeting. */
export const GuestJoinRequest = z.object({
  token: InviteToken,
  name: z.string().trim().min(1).max(50),
});
export type GuestJoinRequest = z.infer<typeof GuestJoinRequest>;

export const GuestSession = z.object({
  /** Bearer token for `/rtc` only (the handshake's `token`), valid until `expiresAt`. */
  accessToken: z.string(),
  expiresAt: DateTime,
  guestId: Uuid,
  name: z.string(),
  meeting: GuestMeetingInfo,
});
export type GuestSession = z.infer<typeof GuestSession>;
