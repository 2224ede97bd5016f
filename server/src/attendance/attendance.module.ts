import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { MeetingDirectoryModule } from '../meetings/meeting-directory.service';
import { AttendanceCorrectionService } from './attendance-correction.service';
import { AttendanceExportService } from './attendance-export.service';
import { AttendanceRulesService } from './attendance-rules.service';
import { AttendanceController } from './attendance.controller';
import { AttendanceService } from './attendance.service';
import { AttendanceRepository } from './attendance.repository';
import { PresenceRepository } from './presence.repository';
import { PresenceService } from './presence.service';
import { StatisticsController } from './statistics.controller';
import { StatisticsRepository } from './statistics.repository';
import { StatisticsService } from './statistics.service';

/**
 * Presence segments from the media layer's events, the attendance computed from them, its exports, and the
 * statistics and ledger over a period.
 */
@Module({
  imports: [AuditModule, MeetingDirectoryModule],
  controllers: [AttendanceController, StatisticsController],
  providers: [
    AttendanceRepository,
    PresenceRepository,
    PresenceService,
    AttendanceService,
    AttendanceExportService,
    AttendanceCorrectionService,
    AttendanceRulesService,
    StatisticsRepository,
    StatisticsService,
  ],
  exports: [AttendanceService, PresenceService],
})
export class AttendanceModule {}
