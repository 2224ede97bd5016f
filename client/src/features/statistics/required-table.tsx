import type { RequiredMeetingCheck, RequiredMeetingEntry } from '@branchmeet/shared';
import { Card, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';

function why(m: RequiredMeetingEntry, check: RequiredMeetingCheck, t: TFunction): string {
  if (m.reason === 'too_short')
    return t('statistics.why.too_short', { minutes: m.minutes ?? 0, min: check.minMinutes });
  return t(`statistics.why.${m.reason}`, { minutes: m.minutes ?? 0 });
}

/**
 * 三会一课 held against required: per month/quarter and type, how many counted, and every meeting of the type
 * with the reason it counted or not (too short for the branch's minimum, cancelled, not ended).
 */
export function RequiredTable({ checks, bare = false }: { checks: RequiredMeetingCheck[]; bare?: boolean }) {
  const { t } = useTranslation();
  const columns: ColumnsType<RequiredMeetingCheck> = [
    { key: 'period', title: t('statistics.period'), dataIndex: 'period' },
    {
      key: 'type',
      title: t('meetingInfo.type'),
      render: (_, c) => `${t(`meetingType.${c.type}`)}${c.groupName ? ` · ${c.groupName}` : ''}`,
    },
    { key: 'held', title: t('statistics.held'), dataIndex: 'held', align: 'right' },
    {
      key: 'met',
      title: t('statistics.status'),
      render: (_, c) =>
        c.met ? (
          <Tag color="green">{t('statistics.checkMet')}</Tag>
        ) : c.complete ? (
          <Tag color="red">{t('statistics.checkMissed')}</Tag>
        ) : (
          <Tag>{t('statistics.checkOpen')}</Tag>
        ),
    },
    {
      key: 'meetings',
      title: t('statistics.whichCounted'),
      render: (_, c) => (
        <Space size={4} wrap data-testid="required-meetings">
          {c.meetings.map((m) => (
            <Tooltip key={m.meetingId} title={why(m, c, t)}>
              <Tag color={m.reason === 'counted' ? 'green' : 'default'} data-testid={`required-${m.reason}`}>
                <Link to={`/meetings/${m.meetingId}/info`}>{m.title}</Link> · {why(m, c, t)}
              </Tag>
            </Tooltip>
          ))}
        </Space>
      ),
    },
  ];
  const table = (
    <Table
      size="small"
      rowKey={(c) => `${c.period}-${c.type}-${c.groupId ?? ''}`}
      columns={columns}
      dataSource={checks}
      pagination={{ pageSize: 12, hideOnSinglePage: true }}
      scroll={{ x: 'max-content' }}
    />
  );
  if (bare) return table;
  const min = checks[0]?.minMinutes ?? 0;
  return (
    <Card size="small" title={t('statistics.requiredTable')} data-testid="statistics-required">
      <Typography.Paragraph type="secondary">
        {min > 0 ? t('statistics.requiredRule', { min }) : t('statistics.requiredRuleOff')}
      </Typography.Paragraph>
      {table}
    </Card>
  );
}
