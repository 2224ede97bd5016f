import { Module } from '@nestjs/common';
import { AttendanceModule } from '../attendance/attendance.module';
import { AuditModule } from '../audit/audit.module';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MediaToolsService } from './media-tools';
import { RecordingsController } from './recordings.controller';
import { RECORDING_STORAGE, RecordingsService, recordingStorageFor } from './recordings.service';

/** Lecture recording (ffmpeg fed by PlainTransport consumers), stored recordings, replay and make-up study. */
@Module({
  imports: [AuditModule, AttendanceModule],
  controllers: [RecordingsController],
  providers: [
    {
      provide: RECORDING_STORAGE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => recordingStorageFor(config),
    },
    RecordingsService,
    MediaToolsService,
  ],
  exports: [RecordingsService, MediaToolsService],
})
export class RecordingsModule {}
