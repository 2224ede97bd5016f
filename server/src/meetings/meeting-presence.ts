import { Injectable } from '@nestjs/common';

/**
 * Who is in each live room right now (kept by the /rtc room service, read by the REST side for the
 * participant counts). In memory: one server process holds the rooms.
 */
@Injectable()
export class MeetingPresence {
  private readonly counts = new Map<string, number>();

  set(meetingId: string, participants: number): void {
    if (participants > 0) this.counts.set(meetingId, participants);
    else this.counts.delete(meetingId);
  }

  count(meetingId: string): number {
    return this.counts.get(meetingId) ?? 0;
  }
}
