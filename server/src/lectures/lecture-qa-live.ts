import { Injectable } from '@nestjs/common';
import type { QaList, QaQuestion } from '@branchmeet/shared';
import { Conflict, Forbidden } from '../common/domain-error';
import { SocketHub } from '../common/socket-hub';
import { LectureQaService } from './lecture-qa.service';

/** The asker in a live room, as the room resolved them (seated, in which meeting, leading the lecture or not). */
export interface QaSeat {
  meetingId: string;
  socketId: string;
  userId: string;
  name: string;
  /** The room is a lecture. */
  lecture: boolean;
  /** The lecture's lecturer or the room's host. */
  leadsLecture: boolean;
}

/**
 * A lecture's Q&A during the live room: anyone seated asks and upvotes, the lecturer (or host) marks answered;
 * everyone else in the room hears `qa.changed`, the sender has the question in its acknowledgement.
 */
@Injectable()
export class LectureQaLive {
  constructor(
    private readonly qa: LectureQaService,
    private readonly hub: SocketHub,
  ) {}

  async ask(seat: QaSeat, text: string): Promise<QaQuestion> {
    this.lectureOnly(seat);
    const question = await this.qa.ask(seat.meetingId, { id: seat.userId, name: seat.name }, text);
    this.hub.toMeetingExcept(seat.meetingId, seat.socketId, 'qa.changed', question);
    return question;
  }

  async upvote(seat: QaSeat, questionId: string): Promise<QaQuestion> {
    this.lectureOnly(seat);
    const question = await this.qa.upvote(seat.meetingId, questionId, seat.userId);
    this.hub.toMeetingExcept(seat.meetingId, seat.socketId, 'qa.changed', question);
    return question;
  }

  async answer(seat: QaSeat, questionId: string): Promise<QaQuestion> {
    this.lectureOnly(seat);
    if (!seat.leadsLecture) throw Forbidden('lecture.lecturerOnly');
    const question = await this.qa.answer(seat.meetingId, questionId, seat.userId);
    this.hub.toMeetingExcept(seat.meetingId, seat.socketId, 'qa.changed', question);
    return question;
  }

  questions(seat: QaSeat): Promise<QaList> {
    this.lectureOnly(seat);
    return this.qa.list(seat.meetingId, seat.userId);
  }

  private lectureOnly(seat: QaSeat): void {
    if (!seat.lecture) throw Conflict('lecture.notLecture');
  }
}
