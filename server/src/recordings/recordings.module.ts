import { Module } from '@nestjs/common';
import { AttendanceModule } from '../attendance/attendance.module';
import { AuditModule } from '../audit/audit.module';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MeetingDirectoryModule } from '../meetings/meeting-directory.service';
import { MakeUpStudy } from './make-up-study';
import { MediaToolsService } from './media-tools';
import { RecordingLinks } from './recording-links';
import { RecordingsController } from './recordings.controller';
import { RecordingsRepository } from './recordings.repository';
import { LiveRecordings } from './live-recordings';
import { RecordingRuns } from './recording-runs';
import { RECORDING_STORAGE } from './recording-storage';
import { RecordingsService, recordingStorageFor } from './recordings.service';

/** Lecture recording (ffmpeg fed by PlainTransport consumers), stored recordings, replay and make-up study. */
@Module({
  imports: [AuditModule, AttendanceModule, MeetingDirectoryModule],
  controllers: [RecordingsController],
  providers: [
    {
      provide: RECORDING_STORAGE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => recordingStorageFor(config),
    },
    RecordingsRepository,
    RecordingLinks,
    MakeUpStudy,
    RecordingsService,
    LiveRecordings,
    RecordingRuns,
    MediaToolsService,
  ],
  exports: [RecordingsService, LiveRecordings, MediaToolsService],
})
export class RecordingsModule {}
