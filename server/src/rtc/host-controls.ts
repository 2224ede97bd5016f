import { Injectable } from '@nestjs/common';
import { Forbidden } from '../common/domain-error';
import { SocketHub } from '../common/socket-hub';
import { MediaService } from '../media/media.service';
import { MeetingsService } from '../meetings/meetings.service';
import { LectureRolesService } from './lecture-roles';
import { MediaRelay } from './media-relay';
import { RoomChat } from './room-chat';
import { RoomLobby } from './room-lobby';
import { RoomRegistry } from './room-registry';
import { RoomSeating } from './room-seating';
import { roomState, seatOf, type RtcCaller } from './room-state';

/** What only the host may do in a live room: mute, stop a camera, remove, lock, end, hand over, lower hands. */
@Injectable()
export class HostControls {
  constructor(
    private readonly registry: RoomRegistry,
    private readonly hub: SocketHub,
    private readonly media: MediaService,
    private readonly meetings: MeetingsService,
    private readonly relay: MediaRelay,
    private readonly seating: RoomSeating,
    private readonly lobby: RoomLobby,
    private readonly lecture: LectureRolesService,
    private readonly chat: RoomChat,
  ) {}

  /** Mutes one participant, or everyone but the host: their microphone producer is paused server-side. */
  async mute(caller: RtcCaller, peerId: string | undefined): Promise<null> {
    const { room, seat: host } = this.registry.hosting(caller);
    const targets = peerId ? [seatOf(room, peerId)] : [...room.seats.values()].filter((s) => s !== host);
    const mediaRoom = await this.media.room(room.meetingId);
    await Promise.all(
      targets.map(async (t) => {
        const mic = mediaRoom.peers.get(t.peerId)?.producerFor('mic');
        if (!mic || mic.paused) return;
        await this.relay.asHost(mic.id, () => this.media.pauseProducer(room.meetingId, mic.id));
      }),
    );
    await this.meetings.auditHostAction(
      room.meetingId,
      host.userId,
      'host.mute',
      peerId ? { userId: targets[0].userId } : { all: true, count: targets.length },
    );
    return null;
  }

  /** Stops a participant's camera: its producer is closed. */
  async stopVideo(caller: RtcCaller, peerId: string): Promise<null> {
    const { room } = this.registry.hosting(caller);
    const target = seatOf(room, peerId);
    const camera = (await this.media.room(room.meetingId)).peers.get(target.peerId)?.producerFor('camera');
    if (camera)
      await this.relay.asHost(camera.id, () =>
        this.media.closeProducer(room.meetingId, target.peerId, camera.id),
      );
    return null;
  }

  /** Removes a participant from the meeting; they cannot come back to it. */
  async remove(caller: RtcCaller, peerId: string): Promise<null> {
    const { room, seat: host } = this.registry.hosting(caller);
    const target = seatOf(room, peerId);
    if (target === host) throw Forbidden('rtc.cannotRemoveSelf');
    room.removed.add(target.userId);
    this.registry.changed(room);
    await this.meetings.auditHostAction(room.meetingId, host.userId, 'host.remove', {
      userId: target.userId,
    });
    const socketId = target.socketId;
    if (socketId) this.hub.toSocket(socketId, 'self.removed', { by: host.peerId, reason: 'removed_by_host' });
    await this.registry.serial(room.meetingId, () => this.seating.vacate(room, target, 'removed'));
    // Like a replaced socket, a removed one is closed: it has no business on /rtc for this meeting any more.
    if (socketId) this.hub.disconnect(socketId);
    return null;
  }

  async lock(caller: RtcCaller, locked: boolean): Promise<null> {
    const { room, seat } = this.registry.hosting(caller);
    room.locked = locked;
    this.registry.changed(room);
    await this.meetings.saveSettings(room.meetingId, { waitingRoom: room.waitingRoom, locked });
    await this.meetings.auditHostAction(room.meetingId, seat.userId, 'host.lock', { locked });
    this.hub.toMeeting(room.meetingId, 'room.changed', roomState(room));
    return null;
  }

  /**
   * Ends the meeting for everyone (audited). `room.ended` makes a client drop its connection, so the host's own
   * copy goes out just after the acknowledgement: sent first, it left the host's request unanswered.
   */
  async end(caller: RtcCaller): Promise<null> {
    const { room, seat } = this.registry.hosting(caller);
    await this.registry.serial(room.meetingId, async () => {
      await this.meetings.end(room.meetingId, seat.userId, 'host');
      await this.seating.close(room, seat.peerId, caller.socketId);
    });
    setImmediate(() => this.hub.toSocket(caller.socketId, 'room.ended', { by: seat.peerId }));
    return null;
  }

  async transfer(caller: RtcCaller, peerId: string): Promise<null> {
    const { room, seat } = this.registry.hosting(caller);
    const target = seatOf(room, peerId);
    if (target.userId === room.hostUserId) return null;
    if (target.guest) throw Forbidden('rtc.guestCannotHost');
    await this.meetings.transferHost(room.meetingId, seat.userId, target.userId);
    room.hostUserId = target.userId;
    this.registry.changed(room);
    this.hub.toMeeting(room.meetingId, 'room.changed', roomState(room));
    if (room.lecture)
      await this.registry.serial(room.meetingId, () => this.lecture.hostChanged(room, seat, target));
    if (target.socketId) this.lobby.showTo(room, target.socketId);
    return null;
  }

  lowerHand(caller: RtcCaller, peerId: string): null {
    const { room } = this.registry.hosting(caller);
    this.chat.setHand(room, seatOf(room, peerId), false);
    return null;
  }
}
