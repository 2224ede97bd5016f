import { CopyOutlined, LinkOutlined } from '@ant-design/icons';
import type { CreatedInvite, MeetingInvite } from '@branchmeet/shared';
import { Alert, App, Button, Card, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { formatTime } from './meeting-tags';

const VALID_HOURS = [24, 72, 168] as const;

/** The link a guest opens (the token is known only right after creating it). */
export const inviteLink = (token: string) => `${window.location.origin}/guest/${token}`;

/** A link of a meeting that has ended (or was cancelled) lets nobody in any more: closed. */
function inviteState(i: MeetingInvite, meetingOpen: boolean, now = Date.now()) {
  if (i.revokedAt) return 'revoked' as const;
  if (Date.parse(i.expiresAt) <= now) return 'expired' as const;
  return meetingOpen ? ('valid' as const) : ('closed' as const);
}

/** Invite links for outside guests (来宾) of an open meeting: create, copy once, see and revoke (managers). */
export function InvitesSection({ meetingId, open }: { meetingId: string; open: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [invites, setInvites] = useState<MeetingInvite[] | null>(null);
  const [hours, setHours] = useState<number>(72);
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setInvites(await http.meetingInvites(meetingId));
    } catch {
      setInvites((list) => list ?? []);
    }
  }, [meetingId]);
  useEffect(() => {
    void load();
  }, [load]);

  const create = async () => {
    setBusy(true);
    try {
      setCreated(await http.createInvite(meetingId, { validHours: hours }));
      await load();
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (id: string) => {
    try {
      await http.revokeInvite(id);
      if (created?.id === id) setCreated(null);
      void message.success(t('invites.revoked'));
      await load();
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      void message.success(t('invites.copied'));
    } catch {
      void message.info(text);
    }
  };

  const columns: ColumnsType<MeetingInvite> = [
    { key: 'createdAt', title: t('invites.createdAt'), render: (_, i) => formatTime(i.createdAt) },
    { key: 'expiresAt', title: t('invites.expiresAt'), render: (_, i) => formatTime(i.expiresAt) },
    {
      key: 'state',
      title: t('meetingInfo.status'),
      render: (_, i) => {
        const s = inviteState(i, open);
        return (
          <Tag color={s === 'valid' ? 'green' : 'default'} data-testid="invite-state">
            {t(`invites.${s}`)}
          </Tag>
        );
      },
    },
    { key: 'guests', title: t('invites.guests'), dataIndex: 'guests', align: 'right' },
    {
      key: 'actions',
      title: '',
      render: (_, i) =>
        inviteState(i, open) === 'valid' && (
          <Popconfirm title={t('invites.revokeConfirm')} onConfirm={() => void revoke(i.id)}>
            <Button size="small" danger data-testid="invite-revoke">
              {t('invites.revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <Card
      size="small"
      title={t('invites.title')}
      data-testid="invites"
      extra={
        open && (
          <Space wrap>
            <Select
              size="small"
              value={hours}
              onChange={setHours}
              style={{ width: 110 }}
              options={VALID_HOURS.map((h) => ({
                value: h,
                label: t('invites.validFor', { count: h / 24 }),
              }))}
            />
            <Button
              size="small"
              type="primary"
              icon={<LinkOutlined />}
              loading={busy}
              onClick={() => void create()}
              data-testid="invite-create"
            >
              {t('invites.create')}
            </Button>
          </Space>
        )
      }
    >
      {created && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 12 }}
          message={t('invites.createdOnce')}
          description={
            <Space.Compact style={{ width: '100%' }}>
              <Typography.Text code copyable={false} ellipsis style={{ flex: 1 }} data-testid="invite-link">
                {inviteLink(created.token)}
              </Typography.Text>
              <Button icon={<CopyOutlined />} onClick={() => void copy(inviteLink(created.token))}>
                {t('invites.copy')}
              </Button>
            </Space.Compact>
          }
        />
      )}
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t('invites.hint')}
      </Typography.Paragraph>
      <Table
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={invites ?? []}
        loading={invites === null}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: t('invites.none') }}
      />
    </Card>
  );
}
