import { ErrorCodes, type LiveMeeting } from '@branchmeet/shared';
import type { RoomCalls } from '../cluster/room-calls';
import { DomainError } from '../common/domain-error';
import type { MeetingEntity } from './meeting.entity';

/** How many are in each live meeting's room now, by meeting id: see roomCounts. */
export type RoomCounts = ReadonlyMap<string, number | null>;

/**
 * Asks the node that holds each live meeting how many are in its room (RoomCalls `room.count`, in parallel). A
 * view of several meetings does not fail because one of them is moving between nodes: its count is null
 * ("not known right now") while its owner cannot be reached.
 */
export async function roomCounts(
  calls: RoomCalls,
  meetings: readonly Pick<MeetingEntity, 'id' | 'status'>[],
): Promise<RoomCounts> {
  const live = meetings.filter((m) => m.status === 'live');
  const counts = await Promise.all(
    live.map((m) =>
      calls.call(m.id, 'room.count', {}).catch((e: unknown) => {
        if (e instanceof DomainError && e.code === ErrorCodes.unavailable) return null;
        throw e;
      }),
    ),
  );
  return new Map(live.map((m, i) => [m.id, counts[i]]));
}

/** The fields every view of a meeting shares; `participants` counts who is in the live room now. */
export function liveMeetingDto(m: MeetingEntity, counts: RoomCounts): LiveMeeting {
  const participants = counts.get(m.id);
  return {
    id: m.id,
    unitId: m.unitId,
    title: m.title,
    hostUserId: m.hostId,
    status: m.status,
    startedAt: m.startedAt.toISOString(),
    endedAt: m.endedAt?.toISOString() ?? null,
    participants: m.status === 'live' && participants !== undefined ? participants : 0,
  };
}
