import type { Notification } from '@branchmeet/shared';
import dayjs from 'dayjs';
import type { TFunction } from 'i18next';
import { meetingTitleText } from '../../i18n/generated-text';

const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

/** A notification in the reader's language, from its kind and parameters. */
export function notificationText(n: Notification, t: TFunction): string {
  const p = n.params;
  const time = p.start ? dayjs(str(p.start)).format('YYYY-MM-DD HH:mm') : '';
  // A title the server made up (2026年12月 支部党员大会) reads in the reader's language; a typed one as typed.
  const base = { title: meetingTitleText(t, str(p.title)), unitName: str(p.unitName), time };
  switch (n.kind) {
    case 'meeting.scheduled':
      return t('notifications.kinds.meeting_scheduled', base);
    case 'meeting.series_scheduled':
      return t('notifications.kinds.meeting_series_scheduled', { ...base, count: Number(p.count ?? 0) });
    case 'meeting.updated': {
      const changes = str(p.changes)
        .split(',')
        .filter(Boolean)
        .map((c) => t(`notifications.changes.${c}` as 'notifications.changes.start', { defaultValue: c }))
        .join('、');
      return t('notifications.kinds.meeting_updated', { ...base, changes });
    }
    case 'meeting.cancelled': {
      const text = t('notifications.kinds.meeting_cancelled', base);
      return p.reason ? `${text}。${t('notifications.cancelReason', { reason: str(p.reason) })}` : text;
    }
    case 'meeting.reminder':
      return t('notifications.kinds.meeting_reminder', base);
    case 'leave.decided': {
      const decision = t(p.status === 'approved' ? 'notifications.approved' : 'notifications.rejected');
      const text = t('notifications.kinds.leave_decided', { ...base, decision });
      return p.note ? `${text}。${t('notifications.note', { note: str(p.note) })}` : text;
    }
    case 'leave.requested': {
      const type = p.leaveType ? t(`leaveTypes.${str(p.leaveType)}` as 'leaveTypes.personal') : '';
      return t('notifications.kinds.leave_requested', {
        ...base,
        name: str(p.name),
        reason: str(p.reason),
        type,
      });
    }
    case 'leave.withdrawn':
      return t('notifications.kinds.leave_withdrawn', { ...base, name: str(p.name) });
    case 'meeting.started':
      return t('notifications.kinds.meeting_started', base);
    case 'minutes.submitted':
      return t('notifications.kinds.minutes_submitted', base);
    case 'minutes.returned': {
      const text = t('notifications.kinds.minutes_returned', base);
      return p.reason ? `${text}。${t('notifications.cancelReason', { reason: str(p.reason) })}` : text;
    }
    case 'minutes.approved': {
      const text = t('notifications.kinds.minutes_approved', base);
      return p.comment ? `${text}。${t('notifications.note', { note: str(p.comment) })}` : text;
    }
  }
}
