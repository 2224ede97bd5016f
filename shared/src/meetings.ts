import { z } from 'zod';
import { Uuid } from './common';
import { messageKey as m } from './messages';
import { LiveMeeting } from './rtc';

/** 三会一课 and the other meetings a branch holds. */
export const MeetingType = z.enum([
  'branch_assembly',
  'committee_meeting',
  'group_meeting',
  'lecture',
  'theme_day',
  'life_meeting',
  'other',
]);
export type MeetingType = z.infer<typeof MeetingType>;

export const meetingTypeLabelsZh: Record<MeetingType, string> = {
  branch_assembly: '支部党员大会',
  committee_meeting: '支委会',
  group_meeting: '党小组会',
  lecture: '党课',
  theme_day: '主题党日',
  life_meeting: '组织生活会',
  other: '支部会议',
};

export const MeetingStatus = LiveMeeting.shape.status;
export type MeetingStatus = z.infer<typeof MeetingStatus>;

/** 应到 (expected) or 列席 (observer: attends, is not counted). */
export const AttendeeKind = z.enum(['expected', 'observer']);
export type AttendeeKind = z.infer<typeof AttendeeKind>;

/** An ISO 8601 date-time with an offset (`2026-12-01T14:00:00+08:00` or `…Z`). */
export const DateTime = z.iso.datetime({ offset: true, error: m('validation.dateTime') });

export const MeetingSettingsInput = z.object({
  waitingRoom: z.boolean(),
  muteOnEntry: z.boolean(),
  recordingAllowed: z.boolean(),
});
export type MeetingSettingsInput = z.infer<typeof MeetingSettingsInput>;

const Title = z.string().trim().min(1).max(100);
const Agenda = z.array(z.string().trim().min(1).max(200)).max(50);

const endAfterStart = (v: { start?: string; end?: string }) =>
  !v.start || !v.end || Date.parse(v.end) > Date.parse(v.start);

const scheduleFields = z.object({
  type: MeetingType,
  start: DateTime,
  end: DateTime.optional(),
  title: Title.optional(),
  /** The party group of a group_meeting (required for that type, ignored for the others). */
  groupId: Uuid.optional(),
  hostId: Uuid.optional(),
  recorderId: Uuid.optional(),
  lecturerId: Uuid.nullable().optional(),
  agenda: Agenda.optional(),
  settings: MeetingSettingsInput.partial().optional(),
  /** Members of the branch invited to attend without being counted (列席). */
  observerIds: z.array(Uuid).max(200).optional(),
});

/**
 * Schedules a meeting of a branch. Only `type` and `start` are required; everything else is defaulted: the title
 * from the type and month, one hour, host = the secretary, recorder = the organizer (else the secretary),
 * expected = the roster (the party group's for a group meeting, the committee's for a committee meeting).
 */
export const ScheduleMeetingRequest = scheduleFields
  .refine((v) => v.type !== 'group_meeting' || !!v.groupId, {
    path: ['groupId'],
    message: m('validation.groupRequired'),
  })
  .refine(endAfterStart, { path: ['end'], message: m('validation.endAfterStart') });
export type ScheduleMeetingRequest = z.infer<typeof ScheduleMeetingRequest>;

/** The longest monthly series one request creates (a year). */
export const SERIES_MAX_MONTHS = 12;

/**
 * `POST /org-units/:unitId/meeting-series`: a monthly 主题党日 — `start` is the first occurrence; the next ones
 * fall on the same day of each following month (the month's last day when it is shorter) at the same time (China
 * time), `months` occurrences in all. Each occurrence is a meeting of its own (title, attendees, leave, minutes);
 * they share a series id.
 */
export const ScheduleSeriesRequest = scheduleFields
  .omit({ type: true, groupId: true, title: true })
  .extend({
    type: z.literal('theme_day'),
    months: z.number().int().min(2).max(SERIES_MAX_MONTHS),
  })
  .refine(endAfterStart, { path: ['end'], message: m('validation.endAfterStart') });
export type ScheduleSeriesRequest = z.infer<typeof ScheduleSeriesRequest>;

/** Changes a scheduled or live meeting; expected attendees stay as scheduled. */
export const UpdateMeetingRequest = z
  .object({
    title: Title,
    start: DateTime,
    end: DateTime,
    hostId: Uuid,
    recorderId: Uuid,
    lecturerId: Uuid.nullable(),
    agenda: Agenda,
    settings: MeetingSettingsInput.partial(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: m('validation.nothingToChange') })
  .refine(endAfterStart, { path: ['end'], message: m('validation.endAfterStart') });
export type UpdateMeetingRequest = z.infer<typeof UpdateMeetingRequest>;

export const CancelMeetingRequest = z.object({ reason: z.string().trim().max(500).optional() });
export type CancelMeetingRequest = z.infer<typeof CancelMeetingRequest>;

/** `GET /org-units/:unitId/meetings?from&to`: meetings whose planned start lies in [from, to). */
export const MeetingCalendarQuery = z.object({ from: DateTime, to: DateTime });
export type MeetingCalendarQuery = z.infer<typeof MeetingCalendarQuery>;

export const MeetingAttendee = z.object({ userId: Uuid, name: z.string(), kind: AttendeeKind });
export type MeetingAttendee = z.infer<typeof MeetingAttendee>;

/** A meeting with its schedule (a LiveMeeting with more fields: the live-room client reads it unchanged). */
export const Meeting = LiveMeeting.extend({
  type: MeetingType,
  /** The party group of a group meeting. */
  groupId: Uuid.nullable(),
  scheduledStart: z.string().nullable(),
  scheduledEnd: z.string().nullable(),
  recorderId: Uuid.nullable(),
  lecturerId: Uuid.nullable(),
  agenda: z.array(z.string()),
  settings: MeetingSettingsInput,
  attendees: z.array(MeetingAttendee),
  /** The series of a repeating meeting (null for a single one). */
  seriesId: Uuid.nullable(),
});
export type Meeting = z.infer<typeof Meeting>;

// ── leave requests (请假) ──────────────────────────────────────────────────────────────────────────────────
/** `withdrawn`: the member took back a pending request (they may ask again). */
export const LeaveStatus = z.enum(['pending', 'approved', 'rejected', 'withdrawn']);
export type LeaveStatus = z.infer<typeof LeaveStatus>;

/** 事假 / 病假 / 公差 / 其他. */
export const LeaveType = z.enum(['personal', 'sick', 'business', 'other']);
export type LeaveType = z.infer<typeof LeaveType>;

export const CreateLeaveRequest = z.object({
  reason: z.string().trim().min(1, m('validation.reasonRequired')).max(500),
  type: LeaveType.default('personal'),
});
export type CreateLeaveRequest = z.infer<typeof CreateLeaveRequest>;

export const LeaveDecisionRequest = z.object({
  approve: z.boolean(),
  note: z.string().trim().max(500).optional(),
});
export type LeaveDecisionRequest = z.infer<typeof LeaveDecisionRequest>;

export const LeaveRequest = z.object({
  id: Uuid,
  meetingId: Uuid,
  userId: Uuid,
  name: z.string(),
  reason: z.string(),
  type: LeaveType,
  status: LeaveStatus,
  decidedBy: Uuid.nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
  createdAt: z.string(),
});
export type LeaveRequest = z.infer<typeof LeaveRequest>;
