import { Foundation1795954103758 } from './1795954103758-foundation';
import { LiveMeetings1795956832149 } from './1795956832149-live-meetings';
import { PresenceSegments1795959730808 } from './1795959730808-presence-segments';
import { MeetingScheduling1795960580506 } from './1795960580506-meeting-scheduling';
import { Minutes1796151518842 } from './1796151518842-minutes';
import { AttendanceNotificationsGuests1796151500375 } from './1796151500375-attendance-notifications-guests';
import { LectureQuestions1796163173476 } from './1796163173476-lecture-questions';
import { Recordings1796300000000 } from './1796300000000-recordings';
import { PresenceFromSeat1796400000000 } from './1796400000000-presence-from-seat';
import { AttendanceCorrections1796400000001 } from './1796400000001-attendance-corrections';
import { MeetingMinMinutes1796400000002 } from './1796400000002-meeting-min-minutes';
import { AuthSessions1796500000000 } from './1796500000000-auth-sessions';
import { AuditKey1796600000000 } from './1796600000000-audit-key';
import { SecretVotes1796600000001 } from './1796600000001-secret-votes';
import { LeaveTypes1796700000000 } from './1796700000000-leave-types';
import { NotificationChannels1796700000001 } from './1796700000001-notification-channels';
import { StatisticsIndexes1796900000000 } from './1796900000000-statistics-indexes';
import { PresenceSegmentNode1797100000000 } from './1797100000000-presence-segment-node';
import { ClusterJobs1797100000001 } from './1797100000001-cluster-jobs';
import { PresenceMoved1797200000000 } from './1797200000000-presence-moved';
import { MinutesFoldPoint1797210000000 } from './1797210000000-minutes-fold-point';
import { RecordingRuns1797250000000 } from './1797250000000-recording-runs';
import { RecordingRunWorkFile1797300000000 } from './1797300000000-recording-run-work-file';

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
  PresenceFromSeat1796400000000,
  AttendanceCorrections1796400000001,
  MeetingMinMinutes1796400000002,
  AuthSessions1796500000000,
  AuditKey1796600000000,
  SecretVotes1796600000001,
  LeaveTypes1796700000000,
  NotificationChannels1796700000001,
  StatisticsIndexes1796900000000,
  PresenceSegmentNode1797100000000,
  ClusterJobs1797100000001,
  PresenceMoved1797200000000,
  MinutesFoldPoint1797210000000,
  RecordingRuns1797250000000,
  RecordingRunWorkFile1797300000000,
];
