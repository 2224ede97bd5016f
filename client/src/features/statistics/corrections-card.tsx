import type { CorrectionListItem } from '@branchmeet/shared';
import { Card, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { AttendanceStatusTag, formatTime } from '../schedule/meeting-tags';

/**
 * Every attendance correction (已更正) of the unit and the branches below it over the period, with the computed
 * status, the corrected one and the reason: for the unit's managers and the upper levels. Hidden when none.
 * They come with the statistics (one request for the page).
 */
export function CorrectionsCard({ items }: { items: CorrectionListItem[] }) {
  const { t } = useTranslation();
  if (items.length === 0) return null;
  const columns: ColumnsType<CorrectionListItem> = [
    { key: 'date', title: t('statistics.date'), render: (_, c) => formatTime(c.startedAt) },
    { key: 'unit', title: t('correction.unit'), dataIndex: 'unitName' },
    {
      key: 'meeting',
      title: t('correction.meeting'),
      render: (_, c) => <Link to={`/meetings/${c.meetingId}/info`}>{c.meetingTitle}</Link>,
    },
    { key: 'name', title: t('correction.member'), dataIndex: 'name' },
    {
      key: 'computed',
      title: t('correction.computed'),
      render: (_, c) => <AttendanceStatusTag status={c.computedStatus} />,
    },
    {
      key: 'status',
      title: t('correction.correctedTo'),
      render: (_, c) => <AttendanceStatusTag status={c.status} />,
    },
    { key: 'reason', title: t('correction.reasonCol'), dataIndex: 'reason' },
    { key: 'by', title: t('correction.by'), render: (_, c) => c.correctedByName ?? '—' },
    { key: 'at', title: t('correction.at'), render: (_, c) => formatTime(c.correctedAt) },
  ];
  return (
    <Card
      size="small"
      title={t('correction.listTitle', { count: items.length })}
      data-testid="corrections-card"
    >
      <Table
        size="small"
        rowKey={(c) => `${c.meetingId}/${c.userId}`}
        columns={columns}
        dataSource={items}
        pagination={false}
        scroll={{ x: true }}
      />
    </Card>
  );
}
