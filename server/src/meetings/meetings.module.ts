import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { MeetingPresence } from './meeting-presence';
import { MeetingsController } from './meetings.controller';
import { MeetingsService } from './meetings.service';

@Module({
  imports: [AuditModule],
  controllers: [MeetingsController],
  providers: [MeetingsService, MeetingPresence],
  exports: [MeetingsService, MeetingPresence],
})
export class MeetingsModule {}
