import { Injectable } from '@nestjs/common';
import { Conflict, Forbidden } from '../common/domain-error';
import { SocketHub } from '../common/socket-hub';
import { MediaService } from '../media/media.service';
import { MediaError } from '../media/media.types';
import { RoomAudience } from './room-audience';
import { RoomChat } from './room-chat';
import { RoomRegistry } from './room-registry';
import {
  isPresenter,
  lectureOf,
  lectureState,
  leadsLecture,
  maySend,
  seatOf,
  wireTransport,
  type LectureRoles,
  type LiveRoom,
  type RtcCaller,
  type Seat,
} from './room-state';

/**
 * Lecture mode (微课堂): who presents and who holds the floor. Presenters (lecturer, host, co-presenters) have a
 * send transport; a listener gets one (audio only) with the floor and loses it, with its producers, when the
 * floor is taken back. Every change is told to the room as `lecture.changed`, the seat itself as `lecture.send`;
 * a listener on stage for the first time is announced to everyone (`peer.joined`, see RoomAudience).
 */
@Injectable()
export class LectureRolesService {
  constructor(
    private readonly registry: RoomRegistry,
    private readonly hub: SocketHub,
    private readonly media: MediaService,
    private readonly chat: RoomChat,
    private readonly audience: RoomAudience,
  ) {}

  /** The lecturer or the host gives a listener the floor: an audio send transport, its hand lowered. */
  async giveFloor(caller: RtcCaller, peerId: string): Promise<null> {
    const { room, lecture } = this.lecturing(caller);
    return this.registry.serial(room.meetingId, async () => {
      const target = seatOf(room, peerId);
      if (isPresenter(room, target)) throw Conflict('lecture.isPresenter');
      if (lecture.floorPeerIds.has(target.peerId)) return null;
      await this.grantSend(room, target, true);
      lecture.floorPeerIds.add(target.peerId);
      this.chat.setHand(room, target, false);
      this.changed(room);
      return null;
    });
  }

  /** Takes the floor back: the listener's producers and send transport close; it is told `lecture.send` null. */
  async takeFloor(caller: RtcCaller, peerId: string): Promise<null> {
    const { room, lecture } = this.lecturing(caller);
    return this.registry.serial(room.meetingId, async () => {
      const target = seatOf(room, peerId);
      if (!lecture.floorPeerIds.delete(target.peerId)) return null;
      await this.revokeSend(room, target);
      this.changed(room);
      return null;
    });
  }

  /** The host makes a participant a co-presenter: camera, microphone and screen like the lecturer. */
  async addPresenter(caller: RtcCaller, peerId: string): Promise<null> {
    const { room } = this.registry.hosting(caller);
    const lecture = lectureOf(room);
    return this.registry.serial(room.meetingId, async () => {
      const target = seatOf(room, peerId);
      if (isPresenter(room, target)) return null;
      lecture.coPresenterUserIds.add(target.userId);
      if (lecture.floorPeerIds.delete(target.peerId)) await this.revokeSend(room, target);
      await this.grantSend(room, target, false);
      this.chat.setHand(room, target, false);
      this.changed(room);
      return null;
    });
  }

  async removePresenter(caller: RtcCaller, peerId: string): Promise<null> {
    const { room } = this.registry.hosting(caller);
    const lecture = lectureOf(room);
    return this.registry.serial(room.meetingId, async () => {
      const target = seatOf(room, peerId);
      if (target.userId === lecture.lecturerUserId) throw Conflict('lecture.cannotRemoveLecturer');
      if (!lecture.coPresenterUserIds.delete(target.userId)) return null;
      if (target.userId !== room.hostUserId) await this.revokeSend(room, target);
      this.changed(room);
      return null;
    });
  }

  /** The host changed (the room's hostUserId is already `to`'s): the new one may publish now, the old one only if still a presenter. */
  async hostChanged(room: LiveRoom, from: Seat, to: Seat): Promise<void> {
    const lecture = lectureOf(room);
    if (lecture.floorPeerIds.delete(to.peerId)) await this.revokeSend(room, to);
    await this.grantSend(room, to, false);
    this.audience.rolesChanged(room); // announced before its media can appear (the old host's goes first)
    if (room.seats.get(from.peerId) === from && !maySend(room, from)) await this.revokeSend(room, from);
    this.changed(room);
  }

  /** The caller is the lecture's lecturer or the room's host. */
  private lecturing(caller: RtcCaller): { room: LiveRoom; seat: Seat; lecture: LectureRoles } {
    const { room, seat } = this.registry.seated(caller);
    const lecture = lectureOf(room);
    if (!leadsLecture(room, seat.userId)) throw Forbidden('lecture.lecturerOnly');
    return { room, seat, lecture };
  }

  /** A send transport for the seat (unless it has one), handed to its socket with `lecture.send`. */
  private async grantSend(room: LiveRoom, seat: Seat, audioOnly: boolean): Promise<void> {
    if (seat.sendTransportId) return;
    const t = await this.media.createTransport(room.meetingId, seat.peerId, 'send');
    seat.sendTransportId = t.id;
    if (seat.socketId)
      this.hub.toSocket(seat.socketId, 'lecture.send', { audioOnly, sendTransport: wireTransport(t) });
  }

  /** Closes the seat's send transport and with it its producers (everyone gets producer.closed). */
  private async revokeSend(room: LiveRoom, seat: Seat): Promise<void> {
    const id = seat.sendTransportId;
    if (!id) return;
    seat.sendTransportId = '';
    await this.media.closeTransport(room.meetingId, seat.peerId, id).catch((e: unknown) => {
      if (!(e instanceof MediaError)) throw e; // already gone with its media
    });
    if (seat.socketId)
      this.hub.toSocket(seat.socketId, 'lecture.send', { sendTransport: null, audioOnly: true });
  }

  /** Whoever stepped on stage is announced first (their media follows), then everyone hears the new roles. */
  private changed(room: LiveRoom): void {
    this.registry.changed(room);
    this.audience.rolesChanged(room);
    this.hub.toMeeting(room.meetingId, 'lecture.changed', lectureState(room));
  }
}
