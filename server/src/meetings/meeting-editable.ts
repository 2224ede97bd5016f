import type { MinutesStatus, UpdateMeetingRequest } from '@branchmeet/shared';
import { Conflict } from '../common/domain-error';
import type { MeetingEntity } from './meeting.entity';

const ROLES = ['hostId', 'recorderId', 'lecturerId'];

/**
 * A meeting to come or live can be edited. After it ended, its host, recorder and lecturer can still be set right
 * until the minutes are submitted (an absent recorder replaced, so that returned minutes can be fixed): nothing
 * else, and not once the minutes wait for review or are approved. A cancelled meeting is not edited.
 * `minutesStatus` is asked only for an ended meeting.
 */
export async function assertEditable(
  meeting: MeetingEntity,
  body: UpdateMeetingRequest,
  minutesStatus: () => Promise<MinutesStatus | null>,
): Promise<void> {
  if (meeting.status === 'scheduled' || meeting.status === 'live') return;
  if (meeting.status !== 'ended') throw Conflict('meetings.notEditable');
  const rolesOnly = Object.keys(body).every((k) => ROLES.includes(k));
  const minutes = rolesOnly ? await minutesStatus() : null;
  const writable = minutes === null || minutes === 'draft' || minutes === 'returned';
  if (!rolesOnly || !writable) throw Conflict('meetings.notEditable');
}
