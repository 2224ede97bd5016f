import { Injectable } from '@nestjs/common';
import type { RtcServerEvents } from '@branchmeet/shared';

/** How the minutes reach sockets and learn who is in a live room; the /rtc gateway implements it. */
export interface MinutesNotifier {
  toSocket<E extends keyof RtcServerEvents>(
    socketId: string,
    event: E,
    payload: Parameters<RtcServerEvents[E]>[0],
  ): void;
  /** Everyone who opened the minutes of the meeting (in the room or on the minutes page). */
  toReaders<E extends keyof RtcServerEvents>(
    meetingId: string,
    event: E,
    payload: Parameters<RtcServerEvents[E]>[0],
    exceptSocketId?: string,
  ): void;
  /** Adds the socket to / removes it from the readers of a meeting's minutes. */
  enter(socketId: string, meetingId: string): void;
  leave(socketId: string, meetingId: string): void;
  /** The users seated in the meeting's live room now. */
  roomUsers(meetingId: string): string[];
}

/** The minutes' side of the `/rtc` namespace: set once by the gateway, used by the minutes services. */
@Injectable()
export class MinutesChannel {
  private notifier?: MinutesNotifier;
  /** Per meeting, how many times its readers were told of something other than a document update. */
  private readonly versions = new Map<string, number>();

  attach(notifier: MinutesNotifier): void {
    const toReaders = notifier.toReaders.bind(notifier);
    this.notifier = {
      ...notifier,
      toSocket: notifier.toSocket.bind(notifier),
      enter: notifier.enter.bind(notifier),
      leave: notifier.leave.bind(notifier),
      roomUsers: notifier.roomUsers.bind(notifier),
      toReaders: (meetingId, event, payload, except) => {
        if (event !== 'minutes.updated') this.versions.set(meetingId, this.version(meetingId) + 1);
        toReaders(meetingId, event, payload, except);
      },
    };
  }

  /** Changes (status, votes) told to the meeting's readers so far: an answer older than a change is stale. */
  version(meetingId: string): number {
    return this.versions.get(meetingId) ?? 0;
  }

  /** Null until the gateway attached (REST-only tests, or before the socket server is up): nothing to tell. */
  get notify(): MinutesNotifier | null {
    return this.notifier ?? null;
  }

  roomUsers(meetingId: string): string[] {
    return this.notifier?.roomUsers(meetingId) ?? [];
  }
}
