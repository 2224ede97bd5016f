import { Module } from '@nestjs/common';
import { LecturesModule } from '../lectures/lectures.module';
import { MeetingsModule } from '../meetings/meetings.module';
import { MinutesModule } from '../minutes/minutes.module';
import { HostControls } from './host-controls';
import { LectureRolesService } from './lecture-roles';
import { MediaRelay } from './media-relay';
import { RoomAudience } from './room-audience';
import { RoomChat } from './room-chat';
import { RoomHandover } from './room-handover';
import { RoomLobby } from './room-lobby';
import { RoomOwnership } from './room-ownership';
import { RoomRegistry } from './room-registry';
import { RoomSeating } from './room-seating';
import { RtcGateway } from './rtc.gateway';

/**
 * The `/rtc` signalling gateway and the live rooms: their registry and the units that change them (seating,
 * lobby, host controls, media relay, lecture roles, chat and hands), their ownership among several nodes and
 * the hand-over when this node stops (RoomHandover); media through MediaService (MediaModule).
 */
@Module({
  imports: [MeetingsModule, MinutesModule, LecturesModule],
  providers: [
    RtcGateway,
    RoomRegistry,
    RoomSeating,
    RoomLobby,
    RoomOwnership,
    RoomHandover,
    HostControls,
    MediaRelay,
    LectureRolesService,
    RoomChat,
    RoomAudience,
  ],
  exports: [RoomRegistry, RoomHandover],
})
export class RtcModule {}
