import { Injectable } from '@nestjs/common';
import type { ChatMessage } from '@branchmeet/shared';
import { SocketHub } from '../common/socket-hub';
import { MeetingsService } from '../meetings/meetings.service';
import { RoomAudience } from './room-audience';
import { RoomRegistry } from './room-registry';
import type { LiveRoom, RtcCaller, Seat } from './room-state';

/** The room's chat (stored with the meeting) and raised hands. */
@Injectable()
export class RoomChat {
  constructor(
    private readonly registry: RoomRegistry,
    private readonly hub: SocketHub,
    private readonly meetings: MeetingsService,
    private readonly audience: RoomAudience,
  ) {}

  async chat(caller: RtcCaller, text: string): Promise<ChatMessage> {
    const { room, seat } = this.registry.seated(caller);
    const message = await this.meetings.addChat(room.meetingId, seat.userId, seat.name, text);
    this.hub.toMeetingExcept(room.meetingId, caller.socketId, 'chat.received', message);
    return message;
  }

  hand(caller: RtcCaller, raised: boolean): null {
    const { room, seat } = this.registry.seated(caller);
    this.setHand(room, seat, raised);
    return null;
  }

  /** Raises or lowers a seat's hand; everyone who knows of the seat hears of a change (a lecture: the presenters). */
  setHand(room: LiveRoom, seat: Seat, raised: boolean): void {
    if (seat.handRaised === raised) return;
    seat.handRaised = raised;
    this.registry.changed(room);
    this.audience.aboutSeat(room, seat, 'hand.changed', { peerId: seat.peerId, raised });
  }
}
