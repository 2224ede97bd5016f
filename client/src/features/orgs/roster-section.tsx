import {
  DeleteOutlined,
  EditOutlined,
  FileExcelOutlined,
  KeyOutlined,
  MoreOutlined,
  PlusOutlined,
  SearchOutlined,
} from '@ant-design/icons';
import type { OrgUnit, RosterMember, UnitRole } from '@branchmeet/shared';
import {
  Alert,
  App,
  Button,
  Card,
  Dropdown,
  Flex,
  Input,
  Table,
  Tag,
  Typography,
  type MenuProps,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { saveBlob } from '../../api/client';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { ResetPasswordModal } from '../admin/reset-password-modal';
import { useMe } from '../auth/auth-context';
import { ImportReport } from './import-report';
import { MemberFormModal } from './member-form-modal';
import { RosterImportControls, type ImportOutcome } from './roster-import';
import { unitAllows } from './unit-tree';

const roleColors: Record<UnitRole, string> = {
  secretary: 'red',
  deputy_secretary: 'volcano',
  organizer: 'orange',
  committee_member: 'gold',
  member: 'default',
};

type Dialog =
  | { kind: 'none' }
  | { kind: 'add' }
  | { kind: 'edit'; member: RosterMember }
  | { kind: 'reset'; member: RosterMember };

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** The unit's roster: search, add/edit/remove, import with its report, export. Buttons follow `unit.access`. */
export function RosterSection({
  unit,
  groups,
  onChanged,
}: {
  unit: OrgUnit;
  groups: OrgUnit[];
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const me = useMe();
  const manage = unitAllows(unit, 'roster.manage');
  // The roster as the server answered it, and the search term it answered for.
  const [loaded, setLoaded] = useState<{ term: string; members: RosterMember[] }>({ term: '', members: [] });
  const members = loaded.members;
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const term = useDebounced(query.trim(), 300);
  const [tick, setTick] = useState(0);
  const [dialog, setDialog] = useState<Dialog>({ kind: 'none' });
  const [importOutcome, setImportOutcome] = useState<ImportOutcome | null>(null);
  const [importFailure, setImportFailure] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  const reload = useCallback(() => setTick((n) => n + 1), []);

  // While the server search is pending (debounce, request), narrow the current list at once.
  const visible = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (q === loaded.term.toLowerCase()) return loaded.members;
    return loaded.members.filter((m) =>
      [m.name, m.phone, m.username, m.groupName].some((v) => v?.toLowerCase().includes(q)),
    );
  }, [query, loaded]);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    http
      .listMembers(unit.id, term)
      .then((list) => {
        if (cancelled) return;
        setLoaded({ term, members: list });
        setLoadError(null);
      })
      .catch((err: unknown) => {
        if (!cancelled) setLoadError(errorText(err, t));
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [unit.id, term, tick, t]);

  // A new unit starts without the previous unit's import report or search.
  useEffect(() => {
    setImportOutcome(null);
    setImportFailure(null);
    setQuery('');
  }, [unit.id]);

  const afterChange = useCallback(() => {
    reload();
    onChanged();
  }, [reload, onChanged]);

  const confirmRemove = useCallback(
    (member: RosterMember) => {
      modal.confirm({
        title: t('roster.removeConfirm', { name: member.name, unit: unit.name }),
        okText: t('roster.remove'),
        okButtonProps: { danger: true },
        cancelText: t('common.cancel'),
        onOk: async () => {
          try {
            await http.removeMember(unit.id, member.membershipId);
            message.success(t('roster.removed', { name: member.name }));
            afterChange();
          } catch (err) {
            message.error(errorText(err, t));
          }
        },
      });
    },
    [modal, message, t, unit, afterChange],
  );

  const exportRoster = async () => {
    setExporting(true);
    try {
      saveBlob(await http.exportRoster(unit.id), `${unit.name}.xlsx`);
    } catch (err) {
      message.error(errorText(err, t));
    } finally {
      setExporting(false);
    }
  };

  const columns = useMemo<ColumnsType<RosterMember>>(() => {
    const cols: ColumnsType<RosterMember> = [
      {
        key: 'name',
        title: t('roster.name'),
        dataIndex: 'name',
        fixed: 'left',
        render: (name: string) => <Typography.Text strong>{name}</Typography.Text>,
      },
      {
        key: 'phone',
        title: t('roster.phone'),
        dataIndex: 'phone',
        render: (v: string | null) => v ?? t('common.none'),
      },
      {
        key: 'role',
        title: t('roster.role'),
        dataIndex: 'role',
        render: (role: UnitRole) => <Tag color={roleColors[role]}>{t(`role.${role}`)}</Tag>,
      },
      {
        key: 'memberType',
        title: t('roster.memberType'),
        dataIndex: 'memberType',
        render: (type: RosterMember['memberType']) =>
          type === 'probationary' ? (
            <Tag color="orange">{t('memberType.probationary')}</Tag>
          ) : (
            t('memberType.member')
          ),
      },
    ];
    if (unit.type === 'branch' || members.some((m) => m.groupName)) {
      cols.push({
        key: 'group',
        title: t('roster.group'),
        dataIndex: 'groupName',
        render: (v: string | null) => v ?? t('common.none'),
      });
    }
    cols.push({
      key: 'username',
      title: t('roster.username'),
      dataIndex: 'username',
      responsive: ['md'],
      render: (v: string | null) => v ?? t('common.none'),
    });
    if (manage || me.user.isAdmin) {
      cols.push({
        key: 'actions',
        title: t('common.actions'),
        width: 72,
        render: (_, member) => {
          const items: NonNullable<MenuProps['items']> = [];
          if (manage) items.push({ key: 'edit', icon: <EditOutlined />, label: t('common.edit') });
          if (me.user.isAdmin)
            items.push({ key: 'reset', icon: <KeyOutlined />, label: t('admin.resetPassword') });
          if (manage) {
            items.push({ type: 'divider' });
            items.push({ key: 'remove', icon: <DeleteOutlined />, label: t('roster.remove'), danger: true });
          }
          return (
            <Dropdown
              trigger={['click']}
              menu={{
                items,
                onClick: ({ key }) => {
                  if (key === 'edit') setDialog({ kind: 'edit', member });
                  else if (key === 'reset') setDialog({ kind: 'reset', member });
                  else if (key === 'remove') confirmRemove(member);
                },
              }}
            >
              <Button
                type="text"
                icon={<MoreOutlined />}
                aria-label={t('common.actions')}
                data-testid="member-actions"
              />
            </Dropdown>
          );
        },
      });
    }
    return cols;
  }, [t, unit.type, members, manage, me.user.isAdmin, confirmRemove]);

  return (
    <Card
      title={
        <Flex align="center" gap={8}>
          {t('roster.title')}
          {!manage && <Tag>{t('roster.readOnly')}</Tag>}
        </Flex>
      }
      styles={{ body: { paddingTop: 12 } }}
    >
      <Flex wrap gap={8} justify="space-between" style={{ marginBottom: 12 }}>
        {/* The test id sits on a wrapper; browser tests fill the input inside it. */}
        <span data-testid="roster-search" style={{ width: 260, maxWidth: '100%' }}>
          <Input
            allowClear
            prefix={<SearchOutlined />}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder={t('roster.searchPlaceholder')}
          />
        </span>
        <Flex wrap gap={8}>
          {manage && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setDialog({ kind: 'add' })}
              data-testid="member-add"
            >
              {t('roster.add')}
            </Button>
          )}
          {manage && (
            <RosterImportControls
              unitId={unit.id}
              onResult={(outcome) => {
                setImportFailure(null);
                setImportOutcome(outcome);
                if (outcome.report.applied) afterChange();
              }}
              onFailure={(text) => {
                setImportOutcome(null);
                setImportFailure(text);
              }}
            />
          )}
          {unitAllows(unit, 'roster.export') && (
            <Button
              icon={<FileExcelOutlined />}
              loading={exporting}
              onClick={() => void exportRoster()}
              data-testid="roster-export"
            >
              {t('roster.export')}
            </Button>
          )}
        </Flex>
      </Flex>

      {importFailure && (
        <Alert
          type="error"
          showIcon
          title={importFailure}
          closable={{ onClose: () => setImportFailure(null) }}
          style={{ marginBottom: 16 }}
          data-testid="import-report"
        />
      )}
      {importOutcome && (
        <ImportReport
          report={importOutcome.report}
          dryRun={importOutcome.dryRun}
          fileName={importOutcome.fileName}
          onClose={() => setImportOutcome(null)}
        />
      )}
      {loadError && <Alert type="error" showIcon title={loadError} style={{ marginBottom: 16 }} />}

      <Table<RosterMember>
        rowKey="membershipId"
        size="middle"
        loading={loading}
        dataSource={visible}
        columns={columns}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('roster.empty') }}
        pagination={{
          defaultPageSize: 50,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100, 200],
          showTotal: (total) => t('roster.total', { count: total }),
          hideOnSinglePage: false,
        }}
        data-testid="roster-table"
      />

      {(dialog.kind === 'add' || dialog.kind === 'edit') && (
        <MemberFormModal
          unit={unit}
          groups={groups}
          member={dialog.kind === 'edit' ? dialog.member : null}
          onClose={() => setDialog({ kind: 'none' })}
          onSaved={() => {
            setDialog({ kind: 'none' });
            afterChange();
          }}
        />
      )}
      {dialog.kind === 'reset' && (
        <ResetPasswordModal member={dialog.member} onClose={() => setDialog({ kind: 'none' })} />
      )}
    </Card>
  );
}
