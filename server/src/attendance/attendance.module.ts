import { Module } from '@nestjs/common';
import { AttendanceExportService } from './attendance-export.service';
import { AttendanceController } from './attendance.controller';
import { AttendanceService } from './attendance.service';
import { PresenceService } from './presence.service';

/** Presence segments from the media layer's events, the attendance computed from them, and its exports. */
@Module({
  controllers: [AttendanceController],
  providers: [PresenceService, AttendanceService, AttendanceExportService],
  exports: [AttendanceService, PresenceService],
})
export class AttendanceModule {}
