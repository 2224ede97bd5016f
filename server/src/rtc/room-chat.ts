import { Injectable } from '@nestjs/common';
import type { ChatMessage } from '@branchmeet/shared';
import { SocketHub } from '../common/socket-hub';
import { MeetingsService } from '../meetings/meetings.service';
import { RoomAudience } from './room-audience';
import { RoomRegistry } from './room-registry';
import { isPresenter, roleOf, type LiveRoom, type RtcCaller, type Seat } from './room-state';

/** The room's chat (stored with the meeting) and raised hands. */
@Injectable()
export class RoomChat {
  constructor(
    private readonly registry: RoomRegistry,
    private readonly hub: SocketHub,
    private readonly meetings: MeetingsService,
    private readonly audience: RoomAudience,
  ) {}

  /**
   * A message to the room. In a lecture a listener's message goes to the presenters only (Q&A is the listeners'
   * public channel): a lecture of thousands stays readable, and one message costs a few sends, not thousands.
   */
  async chat(caller: RtcCaller, text: string): Promise<ChatMessage> {
    const { room, seat } = this.registry.seated(caller);
    const stored = await this.meetings.addChat(room.meetingId, seat.userId, seat.name, text);
    const message = withAudience(room, stored);
    if (message.audience !== 'presenters')
      this.hub.toMeetingExcept(room.meetingId, caller.socketId, 'chat.received', message);
    else
      for (const s of room.seats.values())
        if (s.socketId && s.socketId !== caller.socketId && isPresenter(room, s))
          this.hub.toSocket(s.socketId, 'chat.received', message);
    return message;
  }

  /** The chat history a seat is shown when it joins: in a lecture a listener sees the presenters' and its own. */
  async history(room: LiveRoom, seat: Seat): Promise<ChatMessage[]> {
    const messages = (await this.meetings.recentChat(room.meetingId)).map((m) => withAudience(room, m));
    return isPresenter(room, seat)
      ? messages
      : messages.filter((m) => m.audience !== 'presenters' || m.userId === seat.userId);
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

/** A message's audience: in a lecture, a message by someone who does not present is for the presenters. */
function withAudience(room: LiveRoom, message: ChatMessage): ChatMessage {
  if (!room.lecture) return message;
  const role = roleOf(room, { peerId: '', userId: message.userId });
  return { ...message, audience: role === 'listener' ? 'presenters' : 'all' };
}
