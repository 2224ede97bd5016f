import type { UpdateMeetingRequest } from '@branchmeet/shared';
import type { EntityManager } from 'typeorm';
import { Conflict } from '../common/domain-error';
import type { MeetingEntity } from './meeting.entity';

const ROLES = ['hostId', 'recorderId', 'lecturerId'];

/**
 * A meeting to come or live can be edited. After it ended, its host, recorder and lecturer can still be set right
 * until the minutes are submitted (an absent recorder replaced, so that returned minutes can be fixed): nothing
 * else, and not once the minutes wait for review or are approved. A cancelled meeting is not edited.
 */
export async function assertEditable(
  em: EntityManager,
  meeting: MeetingEntity,
  body: UpdateMeetingRequest,
): Promise<void> {
  if (meeting.status === 'scheduled' || meeting.status === 'live') return;
  const rolesOnly = Object.keys(body).every((k) => ROLES.includes(k));
  const [minutes]: { status: string }[] = await em.query(`SELECT status FROM minutes WHERE meeting_id = $1`, [
    meeting.id,
  ]);
  const writable = !minutes || minutes.status === 'draft' || minutes.status === 'returned';
  if (meeting.status !== 'ended' || !rolesOnly || !writable) throw Conflict('meetings.notEditable');
}
