import { Module } from '@nestjs/common';
import { AttendanceModule } from '../attendance/attendance.module';
import { AuditModule } from '../audit/audit.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { MinutesNotifier } from './minutes-notifier';
import { MinutesDocService } from './minutes-doc.service';
import { MinutesExportService } from './minutes-export.service';
import { MinutesLiveService } from './minutes-live.service';
import { MinutesSearchRepository } from './minutes-search.repository';
import { MinutesSearchService } from './minutes-search.service';
import { MinutesVotesService } from './minutes-votes.service';
import { MinutesController } from './minutes.controller';
import { MinutesService } from './minutes.service';
import { MinutesAttachmentsService } from './minutes-attachments.service';
import { MinutesInboxService } from './minutes-inbox.service';
import { MinutesReviewService } from './minutes-review.service';
import { MinutesRepository } from './minutes.repository';
import { MeetingDirectoryModule } from '../meetings/meeting-directory.service';

/**
 * Minutes (会议记录): auto-filled fields, the live Yjs document (its socket requests are served on /rtc by the
 * gateway through MinutesLiveService), votes, review and revisions, exports and the archive search.
 */
@Module({
  imports: [AuditModule, AttendanceModule, NotificationsModule, MeetingDirectoryModule],
  controllers: [MinutesController],
  providers: [
    MinutesNotifier,
    MinutesDocService,
    MinutesVotesService,
    MinutesRepository,
    MinutesService,
    MinutesReviewService,
    MinutesAttachmentsService,
    MinutesInboxService,
    MinutesLiveService,
    MinutesExportService,
    MinutesSearchService,
    MinutesSearchRepository,
  ],
  exports: [MinutesLiveService, MinutesService],
})
export class MinutesModule {}
