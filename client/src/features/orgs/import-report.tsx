import type { RosterImportError, RosterImportReport } from '@branchmeet/shared';
import { CloseOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Table } from 'antd';
import { useTranslation } from 'react-i18next';

/** What a roster upload did: a success summary, or every bad row with its reasons (nothing was applied). */
export function ImportReport({
  report,
  dryRun,
  fileName,
  onClose,
}: {
  report: RosterImportReport;
  dryRun: boolean;
  fileName?: string;
  onClose?: () => void;
}) {
  const { t } = useTranslation();
  const failed = report.errors.length > 0;
  let summary: string;
  if (failed) summary = t('import.failed', { count: report.errors.length });
  else if (report.applied)
    summary = t('import.success', {
      total: report.totalRows,
      created: report.created,
      updated: report.updated,
    });
  else summary = t('import.dryRunOk', { total: report.totalRows });

  return (
    <Card
      size="small"
      title={fileName ? `${t('import.title')} · ${fileName}` : t('import.title')}
      extra={
        onClose && (
          <Button
            type="text"
            size="small"
            icon={<CloseOutlined />}
            aria-label={t('common.close')}
            onClick={onClose}
            data-testid="import-report-close"
          />
        )
      }
      data-testid="import-report"
      data-applied={String(report.applied)}
      data-dry-run={String(dryRun)}
      style={{ marginBottom: 16 }}
    >
      <Alert
        type={failed ? 'error' : report.applied ? 'success' : 'info'}
        showIcon
        title={summary}
        description={
          !failed && report.groupsCreated.length > 0
            ? t('import.groupsCreated', { groups: report.groupsCreated.join('、') })
            : undefined
        }
        data-testid="import-summary"
      />
      {failed && (
        <Table<RosterImportError>
          style={{ marginTop: 12 }}
          size="small"
          rowKey="row"
          dataSource={report.errors}
          pagination={report.errors.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
          data-testid="import-errors"
          columns={[
            { key: 'row', title: t('import.row'), dataIndex: 'row', width: 64 },
            {
              key: 'reasons',
              title: t('import.reasons'),
              render: (_, record) =>
                record.reasons.length === 1 ? (
                  record.reasons[0]
                ) : (
                  <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                    {record.reasons.map((reason, i) => (
                      <li key={i}>{reason}</li>
                    ))}
                  </ul>
                ),
            },
          ]}
        />
      )}
    </Card>
  );
}
