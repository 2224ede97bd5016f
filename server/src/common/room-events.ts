import { Injectable, Logger } from '@nestjs/common';
import type { RecordingState } from '@branchmeet/shared';

/** What happened to a live room, for the features beside it (recordings, minutes, notifications). */
export interface RoomEventMap {
  /** The meeting's room opened on this node: a new meeting, or one another node held before (`restored`). */
  'room.opened': { meetingId: string; restored: boolean };
  /**
   * The room closed on this node; its media goes next. `ended`: the meeting ended (by the host, or because it
   * stayed empty). `moved`: the meeting goes on elsewhere (this node lost its lease, or handed the room over).
   */
  'room.closed': { meetingId: string; reason: RoomCloseReason };
}
export type RoomCloseReason = 'ended' | 'moved';

/**
 * What a live room asks of the features beside it, and they of it, about one meeting: the answer's type per
 * question. One answerer per question; asked before anyone answers, a question gets `undefined`.
 */
export interface RoomQueryMap {
  /** The meeting's recording indicator (recordings/ answers; a join hands it to the newcomer). */
  recordingState: RecordingState;
  /** Resolves once the presence segments opened and closed so far are stored (attendance/ answers). */
  segmentsStored: Promise<void>;
}
type Answerer<Q extends RoomQueryName> = (meetingId: string) => RoomQueryMap[Q];

export type RoomEventName = keyof RoomEventMap;
export type RoomQueryName = keyof RoomQueryMap;

/**
 * The one typed bus between the live rooms (rtc/) and the features that care about them: events go one way
 * (a listener's failure is logged, never thrown back at the room), questions are answered by whoever
 * registered for them. Features import this and not each other, so recordings/ and minutes/ never import rtc/.
 * Both stay on this node: what another node asks of a live room goes through RoomCalls (cluster/room-calls.ts).
 */
@Injectable()
export class RoomEvents {
  private readonly log = new Logger(RoomEvents.name);
  private readonly listeners = new Map<RoomEventName, Set<(payload: never) => void>>();
  private readonly answerers: { [Q in RoomQueryName]?: Answerer<Q> } = {};

  on<E extends RoomEventName>(event: E, listener: (payload: RoomEventMap[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<E extends RoomEventName>(event: E, payload: RoomEventMap[E]): void {
    const set = this.listeners.get(event) as Set<(payload: RoomEventMap[E]) => void> | undefined;
    for (const listener of [...(set ?? [])]) {
      try {
        listener(payload);
      } catch (e) {
        this.log.error(`a listener of ${event} failed: ${String(e)}`);
      }
    }
  }

  /** Registers the one answerer of a question; the returned function withdraws it. */
  answer<Q extends RoomQueryName>(query: Q, answerer: Answerer<Q>): () => void {
    if (this.answerers[query]) throw new Error(`${query} is answered twice`);
    Object.assign(this.answerers, { [query]: answerer });
    return () => {
      if (this.answerers[query] === answerer) delete this.answerers[query];
    };
  }

  ask<Q extends RoomQueryName>(query: Q, meetingId: string): RoomQueryMap[Q] | undefined {
    const answerer: Answerer<Q> | undefined = this.answerers[query];
    return answerer?.(meetingId);
  }
}
