import { Module } from '@nestjs/common';
import { LecturesModule } from '../lectures/lectures.module';
import { MeetingsModule } from '../meetings/meetings.module';
import { MinutesModule } from '../minutes/minutes.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { RoomService } from './room.service';
import { RtcGateway } from './rtc.gateway';

/** The `/rtc` signalling gateway and the live rooms' state; media through MediaService (MediaModule). */
@Module({
  imports: [MeetingsModule, MinutesModule, NotificationsModule, LecturesModule],
  providers: [RtcGateway, RoomService],
  exports: [RoomService],
})
export class RtcModule {}
