import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { LeaveRequestsController } from './leave-requests.controller';
import { LeaveRequestsService } from './leave-requests.service';
import { MeetingPresence } from './meeting-presence';
import { MeetingScheduleService } from './meeting-schedule.service';
import { MeetingsController } from './meetings.controller';
import { MeetingsService } from './meetings.service';

@Module({
  imports: [AuditModule],
  controllers: [MeetingsController, LeaveRequestsController],
  providers: [MeetingsService, MeetingScheduleService, LeaveRequestsService, MeetingPresence],
  exports: [MeetingsService, MeetingPresence],
})
export class MeetingsModule {}
