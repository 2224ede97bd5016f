import { ReloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import type { AuditEvent, AuditVerifyResult } from '@branchmeet/shared';
import { Alert, App, Button, Card, Flex, Select, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { meetingTitleText } from '../../i18n/generated-text';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { useMe } from '../auth/auth-context';
import { useUnits } from '../orgs/units-context';
import { ForbiddenPage } from '../shell/not-found';
import { auditActionText, auditEntityText, auditTargetHref, snapshotName } from './audit-labels';

const PAGE = 100;

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxWidth: 520 }}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** `/admin/audit`: the append-only audit log, and a check of its hash chain. Administrators only. */
export function AuditPage() {
  const me = useMe();
  if (!me.user.isAdmin) return <ForbiddenPage />;
  return <AuditLog />;
}

function AuditLog() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { units, byId } = useUnits();
  const [unitId, setUnitId] = useState<string | undefined>(undefined);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [loading, setLoading] = useState(true);
  const [hasMore, setHasMore] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [verifyResult, setVerifyResult] = useState<AuditVerifyResult | null>(null);

  const load = useCallback(
    async (beforeId?: string) => {
      setLoading(true);
      try {
        const page = await http.auditEvents({ limit: PAGE, unitId, beforeId });
        setEvents((prev) => (beforeId ? [...prev, ...page] : page));
        setHasMore(page.length >= PAGE);
        setLoadError(null);
      } catch (err) {
        setLoadError(errorText(err, t));
      } finally {
        setLoading(false);
      }
    },
    [unitId, t],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const verify = async () => {
    setVerifying(true);
    try {
      setVerifyResult(await http.auditVerify());
    } catch (err) {
      message.error(errorText(err, t));
    } finally {
      setVerifying(false);
    }
  };

  const columns = useMemo<ColumnsType<AuditEvent>>(
    () => [
      {
        key: 'id',
        title: '#',
        dataIndex: 'id',
        width: 70,
      },
      {
        key: 'at',
        title: t('audit.at'),
        dataIndex: 'at',
        render: (at: string) => dayjs(at).format('YYYY-MM-DD HH:mm:ss'),
      },
      {
        key: 'actor',
        title: t('audit.actor'),
        dataIndex: 'actorName',
        render: (name: string | null) =>
          name ?? <Typography.Text type="secondary">{t('audit.system')}</Typography.Text>,
      },
      {
        key: 'action',
        title: t('audit.action'),
        dataIndex: 'action',
        render: (action: string) => (
          <Tooltip title={action}>
            <Tag>{auditActionText(i18n, action)}</Tag>
          </Tooltip>
        ),
      },
      {
        key: 'entity',
        title: t('audit.entity'),
        render: (_, e) => {
          const raw = snapshotName(e);
          const name = raw && e.entityType === 'meeting' ? meetingTitleText(t, raw) : raw;
          const text = `${auditEntityText(i18n, e.entityType)}${name ? ` · ${name}` : ''}`;
          const href = auditTargetHref(e);
          return href ? <Link to={href}>{text}</Link> : <span>{text}</span>;
        },
      },
      {
        key: 'unit',
        title: t('audit.unit'),
        dataIndex: 'unitId',
        render: (id: string | null) =>
          id ? (
            byId(id) ? (
              <Link to={`/units/${id}`}>{byId(id)?.name}</Link>
            ) : (
              id.slice(0, 8)
            )
          ) : (
            t('common.none')
          ),
      },
      {
        key: 'hash',
        title: t('audit.hash'),
        dataIndex: 'hash',
        responsive: ['md'],
        render: (hash: string) => (
          <Tooltip title={hash}>
            <Typography.Text code style={{ fontSize: 12 }}>
              {hash.slice(0, 12)}
            </Typography.Text>
          </Tooltip>
        ),
      },
    ],
    [t, i18n, byId],
  );

  return (
    <Flex vertical gap={16}>
      <Flex wrap align="center" justify="space-between" gap={8}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('audit.title')}
        </Typography.Title>
        <Flex wrap gap={8}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('audit.allUnits')}
            value={unitId}
            onChange={(v: string | undefined) => setUnitId(v)}
            options={units.map((u) => ({ value: u.id, label: u.name }))}
            style={{ minWidth: 200 }}
            data-testid="audit-unit-filter"
          />
          <Button icon={<ReloadOutlined />} onClick={() => void load()}>
            {t('common.refresh')}
          </Button>
          <Button
            type="primary"
            icon={<SafetyCertificateOutlined />}
            loading={verifying}
            onClick={() => void verify()}
            data-testid="audit-verify"
          >
            {t('audit.verify')}
          </Button>
        </Flex>
      </Flex>
      {verifyResult && (
        <Alert
          data-testid="audit-verify-result"
          type={verifyResult.ok ? 'success' : 'error'}
          showIcon
          closable={{ onClose: () => setVerifyResult(null) }}
          title={
            verifyResult.ok || !verifyResult.firstBroken
              ? t('audit.verifyOk', { checked: verifyResult.checked })
              : t('audit.verifyBroken', {
                  id: verifyResult.firstBroken.id,
                  reason: t(`audit.${verifyResult.firstBroken.reason}`),
                  checked: verifyResult.checked,
                })
          }
        />
      )}
      {loadError && <Alert type="error" showIcon title={loadError} />}
      <Card styles={{ body: { padding: 0 } }}>
        <Table<AuditEvent>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={events}
          columns={columns}
          scroll={{ x: 'max-content' }}
          pagination={false}
          locale={{ emptyText: t('audit.empty') }}
          expandable={{
            rowExpandable: (e) => e.before != null || e.after != null,
            expandedRowRender: (e) => (
              <Flex wrap gap={24}>
                <div>
                  <Typography.Text strong>{t('audit.before')}</Typography.Text>
                  <Json value={e.before} />
                </div>
                <div>
                  <Typography.Text strong>{t('audit.after')}</Typography.Text>
                  <Json value={e.after} />
                </div>
              </Flex>
            ),
          }}
          data-testid="audit-table"
        />
      </Card>
      {hasMore && (
        <Flex justify="center">
          <Button loading={loading} onClick={() => void load(events[events.length - 1]?.id)}>
            {t('audit.loadMore')}
          </Button>
        </Flex>
      )}
    </Flex>
  );
}
