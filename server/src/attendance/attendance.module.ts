import { Module } from '@nestjs/common';
import { AttendanceController } from './attendance.controller';
import { AttendanceService } from './attendance.service';
import { PresenceService } from './presence.service';

/** Presence segments from the media layer's events, and the attendance computed from them. */
@Module({
  controllers: [AttendanceController],
  providers: [PresenceService, AttendanceService],
  exports: [AttendanceService, PresenceService],
})
export class AttendanceModule {}
