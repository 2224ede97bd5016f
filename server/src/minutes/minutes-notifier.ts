import { Injectable, Logger } from '@nestjs/common';
import type { MinutesStatus } from '@branchmeet/shared';
import { DataSource } from 'typeorm';
import type { MeetingRow } from '../meetings/meeting-directory.service';
import { NotificationsService } from '../notifications/notifications.service';
import { RecipientsRepository } from '../notifications/recipients.repository';

/**
 * Tells people about the review of a meeting's minutes, after the change committed: submitted goes to the upper
 * level's reviewers and to the writers (host, recorder, the branch's managers), returned and approved to the
 * writers; never to the person who made the change. A failure is logged and never fails the change.
 */
@Injectable()
export class MinutesNotifier {
  private readonly log = new Logger(MinutesNotifier.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: NotificationsService,
    private readonly recipients: RecipientsRepository,
  ) {}

  async changed(meeting: MeetingRow, actorId: string, status: MinutesStatus, note: string | null) {
    try {
      const em = this.dataSource.manager;
      const writers = await this.recipients.writersOf(meeting);
      const kind =
        status === 'submitted'
          ? 'minutes.submitted'
          : status === 'returned'
            ? 'minutes.returned'
            : status === 'approved'
              ? 'minutes.approved'
              : null;
      if (!kind) return;
      const to =
        kind === 'minutes.submitted'
          ? [...(await this.recipients.reviewersOf(meeting.unitId)), ...writers]
          : writers;
      const params = note ? { [status === 'returned' ? 'reason' : 'comment']: note } : {};
      this.notifications.push(await this.notifications.aboutMeeting(em, meeting, kind, to, actorId, params));
    } catch (e) {
      this.log.error(`minutes notification failed: ${String(e)}`);
    }
  }
}
