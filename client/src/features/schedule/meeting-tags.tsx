import type { AttendanceStatus, Meeting, MeetingStatus } from '@branchmeet/shared';
import { Tag } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';

const statusColor: Record<MeetingStatus, string> = {
  scheduled: 'blue',
  live: 'red',
  ended: 'default',
  cancelled: 'default',
};

export function MeetingStatusTag({ status }: { status: MeetingStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={statusColor[status]} data-testid="meeting-status" style={{ marginInlineEnd: 0 }}>
      {t(`meetingStatus.${status}`)}
    </Tag>
  );
}

const attendanceColor: Record<AttendanceStatus, string> = {
  present: 'green',
  late: 'orange',
  left_early: 'gold',
  absent: 'red',
  excused: 'blue',
  make_up: 'cyan',
};

export function AttendanceStatusTag({ status }: { status: AttendanceStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={attendanceColor[status]} data-testid="attendance-status" style={{ marginInlineEnd: 0 }}>
      {t(`attendanceStatus.${status}`)}
    </Tag>
  );
}

/** The planned start (the actual one once it began). */
export function meetingStart(m: Pick<Meeting, 'scheduledStart' | 'startedAt' | 'status'>): string {
  return m.status === 'scheduled' || m.status === 'cancelled'
    ? (m.scheduledStart ?? m.startedAt)
    : m.startedAt;
}

export const JOIN_EARLY_MS = 15 * 60_000;

/** Live meetings, and scheduled ones from 15 minutes before their start. */
export function mayJoin(
  m: Pick<Meeting, 'scheduledStart' | 'startedAt' | 'status'>,
  now = Date.now(),
): boolean {
  if (m.status === 'live') return true;
  if (m.status !== 'scheduled') return false;
  return now >= Date.parse(meetingStart(m)) - JOIN_EARLY_MS;
}

export function formatTime(iso: string | null): string {
  return iso ? dayjs(iso).format('YYYY-MM-DD HH:mm') : '—';
}
