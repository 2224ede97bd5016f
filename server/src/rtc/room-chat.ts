import { Injectable } from '@nestjs/common';
import type { ChatMessage } from '@branchmeet/shared';
import { SocketHub } from '../common/socket-hub';
import { MeetingsService } from '../meetings/meetings.service';
import { RoomRegistry } from './room-registry';
import type { LiveRoom, RtcCaller, Seat } from './room-state';

/** The room's chat (stored with the meeting) and raised hands. */
@Injectable()
export class RoomChat {
  constructor(
    private readonly registry: RoomRegistry,
    private readonly hub: SocketHub,
    private readonly meetings: MeetingsService,
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

  /** Raises or lowers a seat's hand; everyone hears of a change. */
  setHand(room: LiveRoom, seat: Seat, raised: boolean): void {
    if (seat.handRaised === raised) return;
    seat.handRaised = raised;
    this.registry.changed(room);
    this.hub.toMeeting(room.meetingId, 'hand.changed', { peerId: seat.peerId, raised });
  }
}
