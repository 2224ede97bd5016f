import {
  ErrorCodes,
  type MessageKey,
  type ScheduleMeetingRequest,
  type UpdateMeetingRequest,
} from '@branchmeet/shared';
import { DomainError } from '../common/domain-error';
import { DEFAULT_DURATION_MS } from './meeting-defaults';
import type { MeetingEntity } from './meeting.entity';

/** The rules of a meeting's plan that need no database: who may hold a role, times, what an edit changes. */

export const badRequest = (key: MessageKey, params?: Record<string, string>) =>
  new DomainError(ErrorCodes.validation, 400, key, params);

/** Every named person belongs to the branch (`inBranch`): 400 naming the role otherwise. */
export function checkPeople(
  inBranch: Set<string>,
  p: { hostId?: string; recorderId?: string | null; lecturerId: string | null; observerIds: string[] },
): void {
  const check = (id: string | null | undefined, who: MessageKey) => {
    if (id && !inBranch.has(id))
      throw new DomainError(ErrorCodes.validation, 400, 'meetings.notOfBranch', { who: { key: who } });
  };
  check(p.hostId, 'meetings.roleHost');
  check(p.recorderId, 'meetings.roleRecorder');
  check(p.lecturerId, 'meetings.roleLecturer');
  for (const o of p.observerIds) check(o, 'meetings.roleObserver');
}

/** A new meeting's settings: what the request sets, the defaults for the rest. */
export function newSettings(body: ScheduleMeetingRequest): MeetingEntity['settings'] {
  return {
    waitingRoom: body.settings?.waitingRoom ?? false,
    locked: false,
    muteOnEntry: body.settings?.muteOnEntry ?? false,
    recordingAllowed: body.settings?.recordingAllowed ?? false,
  };
}

/** What the audit log and the change notice compare of a meeting. */
export function auditView(m: MeetingEntity) {
  return {
    type: m.type,
    title: m.title,
    start: m.scheduledStart?.toISOString() ?? null,
    end: m.scheduledEnd?.toISOString() ?? null,
    hostId: m.hostId,
    recorderId: m.recorderId,
    lecturerId: m.lecturerId,
    groupId: m.groupId,
    agenda: m.agenda,
    settings: m.settings,
  };
}

export type AuditView = ReturnType<typeof auditView>;

/**
 * Applies an edit to `meeting` (in place). A new start alone moves the meeting and keeps its length; an end
 * before its start is refused.
 */
export function applyUpdate(meeting: MeetingEntity, body: UpdateMeetingRequest): void {
  const oldStart = meeting.scheduledStart ?? meeting.startedAt;
  const oldEnd = meeting.scheduledEnd ?? new Date(oldStart.getTime() + DEFAULT_DURATION_MS);
  const start = body.start ? new Date(body.start) : oldStart;
  const end = body.end
    ? new Date(body.end)
    : body.start
      ? new Date(start.getTime() + (oldEnd.getTime() - oldStart.getTime()))
      : oldEnd;
  if (end <= start) throw badRequest('validation.endAfterStart');
  if (body.start || body.end) {
    meeting.scheduledStart = start;
    meeting.scheduledEnd = end;
    if (meeting.status === 'scheduled') meeting.startedAt = start;
  }
  if (body.title !== undefined) meeting.title = body.title;
  if (body.hostId !== undefined) meeting.hostId = body.hostId;
  if (body.recorderId !== undefined) meeting.recorderId = body.recorderId;
  if (body.lecturerId !== undefined) meeting.lecturerId = body.lecturerId;
  if (body.agenda !== undefined) meeting.agenda = body.agenda;
  if (body.settings) meeting.settings = { ...meeting.settings, ...body.settings };
}

/** The fields that differ between two views of a meeting. */
export function changedFields(before: AuditView, after: AuditView): (keyof AuditView)[] {
  return (Object.keys(after) as (keyof AuditView)[]).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
}
