import type { LiveMeeting } from '@branchmeet/shared';
import type { MeetingPresence } from './meeting-presence';
import type { MeetingEntity } from './meeting.entity';

/** The fields every view of a meeting shares; `participants` counts who is in the live room now. */
export function liveMeetingDto(m: MeetingEntity, presence: MeetingPresence): LiveMeeting {
  return {
    id: m.id,
    unitId: m.unitId,
    title: m.title,
    hostUserId: m.hostId,
    status: m.status,
    startedAt: m.startedAt.toISOString(),
    endedAt: m.endedAt?.toISOString() ?? null,
    participants: m.status === 'live' ? presence.count(m.id) : 0,
  };
}
