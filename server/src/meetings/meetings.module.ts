import { Module } from '@nestjs/common';
import { AttendanceModule } from '../attendance/attendance.module';
import { AuditModule } from '../audit/audit.module';
import { MinutesModule } from '../minutes/minutes.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { LiveReaper } from './live-reaper';
import { MeetingDirectoryModule } from './meeting-directory.service';
import { LeaveRequestsController } from './leave-requests.controller';
import { LeaveRequestsService } from './leave-requests.service';
import { LeaveRequestsRepository } from './leave-requests.repository';
import { GuestController, MeetingInvitesController } from './meeting-invites.controller';
import { MeetingInvitesService } from './meeting-invites.service';
import { MeetingInvitesRepository } from './meeting-invites.repository';
import { MeetingScheduleRepository } from './meeting-schedule.repository';
import { MeetingScheduleService } from './meeting-schedule.service';
import { MeetingsController } from './meetings.controller';
import { MeetingsService } from './meetings.service';

@Module({
  imports: [AuditModule, AttendanceModule, NotificationsModule, MeetingDirectoryModule, MinutesModule],
  controllers: [MeetingsController, LeaveRequestsController, MeetingInvitesController, GuestController],
  providers: [
    MeetingsService,
    MeetingScheduleService,
    MeetingScheduleRepository,
    LeaveRequestsService,
    LeaveRequestsRepository,
    MeetingInvitesService,
    MeetingInvitesRepository,
    LiveReaper,
  ],
  exports: [MeetingsService],
})
export class MeetingsModule {}
