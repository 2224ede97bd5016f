import { Foundation1795954103758 } from './1795954103758-foundation';
import { LiveMeetings1795956832149 } from './1795956832149-live-meetings';
import { PresenceSegments1795959730808 } from './1795959730808-presence-segments';
import { MeetingScheduling1795960580506 } from './1795960580506-meeting-scheduling';
import { Minutes1796151518842 } from './1796151518842-minutes';
import { AttendanceNotificationsGuests1796151500375 } from './1796151500375-attendance-notifications-guests';
import { LectureQuestions1796163173476 } from './1796163173476-lecture-questions';
import { Recordings1796300000000 } from './1796300000000-recordings';
import { AuditKey1796600000000 } from './1796600000000-audit-key';
import { SecretVotes1796600000001 } from './1796600000001-secret-votes';

/** Every migration, in order. A new one is generated with `npm run migration:generate`, reviewed and listed here. */
export const migrations = [
  Foundation1795954103758,
  LiveMeetings1795956832149,
  PresenceSegments1795959730808,
  MeetingScheduling1795960580506,
  AttendanceNotificationsGuests1796151500375,
  Minutes1796151518842,
  LectureQuestions1796163173476,
  Recordings1796300000000,
  AuditKey1796600000000,
  SecretVotes1796600000001,
];
