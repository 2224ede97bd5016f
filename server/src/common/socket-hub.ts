import { Injectable } from '@nestjs/common';
import type { Locale, RtcClientEvents, RtcServerEvents } from '@branchmeet/shared';
import type { Namespace } from 'socket.io';
import type { AuthUser } from '../auth/auth-user';

/** What the handshake established about a `/rtc` socket. */
export interface RtcSocketData {
  user: AuthUser;
  locale: Locale;
}
export type RtcNamespace = Namespace<RtcClientEvents, RtcServerEvents, Record<string, never>, RtcSocketData>;

export type ServerEvent = keyof RtcServerEvents & string;
/** The arguments of a server→client event: its one payload. */
export type ServerPayload<E extends ServerEvent> = Parameters<RtcServerEvents[E]>;

/** The broadcast channels of `/rtc`. */
const channels = {
  /** Everyone seated in a meeting's live room. */
  meeting: (meetingId: string) => `meeting:${meetingId}`,
  /** The readers of a meeting's minutes (in the room or on the minutes page). */
  readers: (meetingId: string) => `minutes:${meetingId}`,
  /** Every socket of one signed-in person (their notifications reach them in a room or anywhere else). */
  person: (userId: string) => `user:${userId}`,
};

/**
 * The one way the server reaches `/rtc` sockets: the live rooms, the minutes and the notifications all send
 * through it, each event typed by its payload in shared/src/rtc.ts. The gateway binds the namespace once it is
 * up; before that (REST-only tests, start-up) there is nobody to tell and every call does nothing.
 *
 * With several nodes (socket.io's Redis adapter), what goes to a person or to a meeting's minutes readers reaches
 * their sockets on every node; a meeting's room traffic, a single socket and channel membership stay on this node
 * (`local`: its sockets are here), so none of it goes through Redis.
 */
@Injectable()
export class SocketHub {
  private ns?: RtcNamespace;
  /** Per meeting, how many times its readers were told of something other than a document update. */
  private readonly readerChanges = new Map<string, number>();

  bind(ns: RtcNamespace): void {
    this.ns = ns;
  }

  toSocket<E extends ServerEvent>(socketId: string, event: E, ...payload: ServerPayload<E>): void {
    this.ns?.local.to(socketId).emit(event, ...payload);
  }

  toMeeting<E extends ServerEvent>(meetingId: string, event: E, ...payload: ServerPayload<E>): void {
    this.ns?.local.to(channels.meeting(meetingId)).emit(event, ...payload);
  }

  /** To the meeting's room but one socket (the sender, who has the answer in its acknowledgement). */
  toMeetingExcept<E extends ServerEvent>(
    meetingId: string,
    exceptSocketId: string | undefined,
    event: E,
    ...payload: ServerPayload<E>
  ): void {
    const to = this.ns?.local.to(channels.meeting(meetingId));
    (exceptSocketId ? to?.except(exceptSocketId) : to)?.emit(event, ...payload);
  }

  toReaders<E extends ServerEvent>(meetingId: string, event: E, ...payload: ServerPayload<E>): void {
    this.countReaderChange(meetingId, event);
    this.ns?.to(channels.readers(meetingId)).emit(event, ...payload);
  }

  toReadersExcept<E extends ServerEvent>(
    meetingId: string,
    exceptSocketId: string,
    event: E,
    ...payload: ServerPayload<E>
  ): void {
    this.countReaderChange(meetingId, event);
    this.ns
      ?.to(channels.readers(meetingId))
      .except(exceptSocketId)
      .emit(event, ...payload);
  }

  /** Changes (status, votes) told to a meeting's readers so far: a cached minutes answer older than one is stale. */
  readersVersion(meetingId: string): number {
    return this.readerChanges.get(meetingId) ?? 0;
  }

  private countReaderChange(meetingId: string, event: ServerEvent): void {
    if (event !== 'minutes.updated') this.readerChanges.set(meetingId, this.readersVersion(meetingId) + 1);
  }

  toPerson<E extends ServerEvent>(userId: string, event: E, ...payload: ServerPayload<E>): void {
    this.ns?.to(channels.person(userId)).emit(event, ...payload);
  }

  /** Adds the socket to / removes it from the meeting's room channel. */
  enterMeeting(socketId: string, meetingId: string): void {
    void this.ns?.local.in(socketId).socketsJoin(channels.meeting(meetingId));
  }

  leaveMeeting(socketId: string, meetingId: string): void {
    void this.ns?.local.in(socketId).socketsLeave(channels.meeting(meetingId));
  }

  /** Adds the socket to / removes it from the readers of a meeting's minutes. */
  enterReaders(socketId: string, meetingId: string): void {
    void this.ns?.local.in(socketId).socketsJoin(channels.readers(meetingId));
  }

  leaveReaders(socketId: string, meetingId: string): void {
    void this.ns?.local.in(socketId).socketsLeave(channels.readers(meetingId));
  }

  /** A signed-in person's socket hears their notifications from the moment it connects. */
  enterPerson(socketId: string, userId: string): void {
    void this.ns?.local.in(socketId).socketsJoin(channels.person(userId));
  }

  disconnect(socketId: string): void {
    this.ns?.sockets.get(socketId)?.disconnect(true);
  }
}
