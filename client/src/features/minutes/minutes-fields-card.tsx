import type { MinutesFields } from '@branchmeet/shared';
import { Card, Descriptions, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { periodText, placeText } from '../../i18n/generated-text';

/** A time as the minutes show it ('' for none). */
export const minutesTime = (iso: string | null) => (iso ? dayjs(iso).format('YYYY-MM-DD HH:mm') : '');

/** The fields the server fills in from the meeting and its attendance. */
export function FieldsCard({ fields }: { fields: MinutesFields }) {
  const { t } = useTranslation();
  const names = (people: { name: string; reason?: string }[]) =>
    people
      .map((p) => (p.reason ? t('common.withReason', { name: p.name, reason: p.reason }) : p.name))
      .join(t('common.listSep')) || t('common.none');
  const actual = fields.actualStart
    ? `${minutesTime(fields.actualStart)} – ${fields.actualEnd ? dayjs(fields.actualEnd).format('HH:mm') : t('minutes.ongoing')}` +
      (fields.durationMinutes !== null ? ` · ${t('minutes.minutesLong', { n: fields.durationMinutes })}` : '')
    : t('minutes.notStarted');
  return (
    <Card size="small" title={t('minutes.fields')} data-testid="minutes-fields">
      <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
        <Descriptions.Item label={t('minutes.meetingType')}>
          {t(`meetingType.${fields.meetingType}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.period')}>
          {t('minutes.periodOrdinal', { period: periodText(t, fields.period), n: fields.ordinal })}
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.place')}>{placeText(t, fields.place)}</Descriptions.Item>
        <Descriptions.Item label={t('minutes.planned')}>
          {fields.scheduledStart
            ? `${minutesTime(fields.scheduledStart)} – ${dayjs(fields.scheduledEnd).format('HH:mm')}`
            : t('common.none')}
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.actual')}>{actual}</Descriptions.Item>
        <Descriptions.Item label={t('minutes.host')}>
          <span data-testid="minutes-host">{fields.host?.name ?? t('common.none')}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.recorder')}>
          <span data-testid="minutes-recorder">{fields.recorder?.name ?? t('common.none')}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.counts')} span="filled">
          <span data-testid="minutes-counts">
            {t('minutes.countsText', {
              expected: fields.expected,
              present: fields.present,
              excused: fields.excused,
              absent: fields.absent,
            })}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.presentNames')} span="filled">
          {names(fields.presentNames)}
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.excusedNames')} span="filled">
          {names(fields.excusedNames)}
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.absentNames')} span="filled">
          {names(fields.absentNames)}
        </Descriptions.Item>
        <Descriptions.Item label={t('minutes.observers')} span="filled">
          {names(fields.observers)}
        </Descriptions.Item>
      </Descriptions>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('minutes.autoHint', { type: t(`meetingType.${fields.meetingType}`) })}
      </Typography.Text>
    </Card>
  );
}
