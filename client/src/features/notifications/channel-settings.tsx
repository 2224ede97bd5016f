import {
  ExternalChannel,
  NotificationKind,
  type BranchChannels,
  type NotificationPrefs,
  type OrgUnit,
  type WebhookKind,
} from '@branchmeet/shared';
import { App, Card, Checkbox, Form, Input, Modal, Select, Space, Switch, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { unitAllows } from '../orgs/unit-tree';

const kindKey = (k: NotificationKind) => k.replace('.', '_') as 'meeting_scheduled';

/**
 * One's channels beyond the tab: an e-mail address, a WeCom / DingTalk robot, and per event which of them.
 * An event with both boxes ticked (the default) goes to every channel set up.
 */
export function ChannelPrefsModal({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [prefs, setPrefs] = useState<NotificationPrefs | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ email: string; webhookKind: WebhookKind; webhookUrl: string }>();

  useEffect(() => {
    void http.notificationPrefs().then(
      (p) => {
        setPrefs(p);
        form.setFieldsValue({
          email: p.email ?? '',
          webhookKind: p.webhook?.kind ?? 'wecom',
          webhookUrl: p.webhook?.url ?? '',
        });
      },
      () => setPrefs({ email: null, webhook: null, events: {} }),
    );
  }, [form]);

  const channelsOf = (k: NotificationKind) => prefs?.events[k] ?? ExternalChannel.options;
  const toggle = (k: NotificationKind, c: ExternalChannel, on: boolean) =>
    setPrefs((p) => {
      if (!p) return p;
      const now = new Set(channelsOf(k));
      if (on) now.add(c);
      else now.delete(c);
      return { ...p, events: { ...p.events, [k]: [...now] } };
    });

  const save = async () => {
    const v = await form.validateFields();
    if (!prefs) return;
    setSaving(true);
    try {
      await http.setNotificationPrefs({
        email: v.email.trim() || null,
        webhook: v.webhookUrl.trim() ? { kind: v.webhookKind, url: v.webhookUrl.trim() } : null,
        events: prefs.events,
      });
      void message.success(t('channels.saved'));
      onClose();
    } catch (err) {
      void message.error(errorText(err, t));
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={t('channels.title')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => void save()}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'channel-prefs-save' }}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('channels.hint')}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="email" label={t('channels.email')} rules={[{ type: 'email' }]}>
          <Input maxLength={200} data-testid="channel-email" />
        </Form.Item>
        <Space.Compact style={{ width: '100%' }}>
          <Form.Item name="webhookKind" label={t('channels.robot')} style={{ width: 140 }}>
            <Select
              options={[
                { value: 'wecom', label: t('channels.wecom') },
                { value: 'dingtalk', label: t('channels.dingtalk') },
              ]}
            />
          </Form.Item>
          <Form.Item
            name="webhookUrl"
            label={t('channels.robotUrl')}
            rules={[{ type: 'url' }]}
            style={{ flex: 1 }}
          >
            <Input maxLength={500} data-testid="channel-webhook" />
          </Form.Item>
        </Space.Compact>
      </Form>
      <Table
        size="small"
        pagination={false}
        rowKey={(k) => k}
        dataSource={NotificationKind.options}
        columns={[
          { title: t('channels.event'), render: (_, k) => t(`channels.events.${kindKey(k)}`) },
          ...ExternalChannel.options.map((c) => ({
            title: t(`channels.${c}`),
            render: (_: unknown, k: NotificationKind) => (
              <Checkbox
                checked={channelsOf(k).includes(c)}
                onChange={(e) => toggle(k, c, e.target.checked)}
                data-testid={`channel-${k}-${c}`}
              />
            ),
          })),
        ]}
      />
    </Modal>
  );
}

/** On a branch page: which channels the branch has switched on; its managers switch them. */
export function BranchChannelsCard({ unit }: { unit: OrgUnit }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [value, setValue] = useState<BranchChannels | null>(null);
  const manager = unitAllows(unit, 'unit.update');

  useEffect(() => {
    void http.branchChannels(unit.id).then(setValue, () => setValue(null));
  }, [unit.id]);

  const set = async (next: BranchChannels) => {
    try {
      setValue(await http.setBranchChannels(unit.id, next));
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };

  if (!value) return null;
  return (
    <Card size="small" title={t('channels.branchTitle')} data-testid="branch-channels">
      <Space wrap size={24}>
        {ExternalChannel.options.map((c) => (
          <Space key={c}>
            <Switch
              checked={value[c]}
              disabled={!manager}
              onChange={(on) => void set({ ...value, [c]: on })}
              data-testid={`branch-channel-${c}`}
            />
            {t(`channels.${c}`)}
          </Space>
        ))}
      </Space>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('channels.branchHint')}
      </Typography.Paragraph>
    </Card>
  );
}
