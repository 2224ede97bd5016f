import { PresenceSegmentEntity } from '../attendance/presence-segment.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { RefreshTokenEntity } from '../auth/refresh-token.entity';
import { UserEntity } from '../auth/user.entity';
import { ChatMessageEntity } from '../meetings/chat-message.entity';
import { LeaveRequestEntity } from '../meetings/leave-request.entity';
import { MeetingAttendeeEntity } from '../meetings/meeting-attendee.entity';
import { MeetingEntity } from '../meetings/meeting.entity';
import { MembershipEntity } from '../orgs/membership.entity';
import { OrgUnitEntity } from '../orgs/org-unit.entity';

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
];
