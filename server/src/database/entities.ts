import { AttendanceRecordEntity } from '../attendance/attendance-record.entity';
import { AttendanceRuleEntity } from '../attendance/attendance-rule.entity';
import { MeetingAttendanceEntity } from '../attendance/meeting-attendance.entity';
import { PresenceSegmentEntity } from '../attendance/presence-segment.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { RefreshTokenEntity } from '../auth/refresh-token.entity';
import { UserEntity } from '../auth/user.entity';
import { ChatMessageEntity } from '../meetings/chat-message.entity';
import { LectureQuestionEntity, LectureQuestionVoteEntity } from '../lectures/lecture-question.entity';
import { LeaveRequestEntity } from '../meetings/leave-request.entity';
import { MeetingGuestEntity } from '../meetings/meeting-guest.entity';
import { MeetingInviteEntity } from '../meetings/meeting-invite.entity';
import { MeetingAttendeeEntity } from '../meetings/meeting-attendee.entity';
import { MeetingEntity } from '../meetings/meeting.entity';
import { MinutesAttachmentEntity } from '../minutes/minutes-attachment.entity';
import { MinutesRevisionEntity } from '../minutes/minutes-revision.entity';
import { MinutesUpdateEntity } from '../minutes/minutes-update.entity';
import { MinutesBallotEntity, MinutesVoteEntity } from '../minutes/minutes-vote.entity';
import { MinutesEntity } from '../minutes/minutes.entity';
import { MembershipEntity } from '../orgs/membership.entity';
import { NotificationEntity } from '../notifications/notification.entity';
import { OrgUnitEntity } from '../orgs/org-unit.entity';
import { RecordingEntity, RecordingRunEntity, RecordingWatchEntity } from '../recordings/recording.entity';

export const entities = [
  UserEntity,
  RefreshTokenEntity,
  OrgUnitEntity,
  MembershipEntity,
  AuditEventEntity,
  MeetingEntity,
  ChatMessageEntity,
  PresenceSegmentEntity,
  MeetingAttendeeEntity,
  LeaveRequestEntity,
  MinutesEntity,
  MinutesUpdateEntity,
  MinutesRevisionEntity,
  MinutesVoteEntity,
  MinutesBallotEntity,
  MinutesAttachmentEntity,
  AttendanceRuleEntity,
  MeetingAttendanceEntity,
  AttendanceRecordEntity,
  NotificationEntity,
  MeetingInviteEntity,
  MeetingGuestEntity,
  LectureQuestionEntity,
  LectureQuestionVoteEntity,
  RecordingEntity,
  RecordingRunEntity,
  RecordingWatchEntity,
];
