import { LeaveType, type LeaveRequest, type LeaveStatus } from '@branchmeet/shared';
import {
  App,
  Button,
  Card,
  Form,
  Input,
  List,
  Modal,
  Popconfirm,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { useNotifications } from '../notifications/notifications-context';
import { formatTime } from './meeting-tags';

const leaveColor: Record<LeaveStatus, string> = {
  pending: 'gold',
  approved: 'green',
  rejected: 'red',
  withdrawn: 'default',
};

/**
 * Leave requests (请假) of a meeting: an expected member asks with a type and a reason (while the meeting is
 * still to come or live) and may withdraw a pending one; a manager approves or rejects with a note. A member sees
 * only their own. A decision (or a new request) pushed to this person reloads the list at once.
 */
export function LeaveRequestsSection({
  meetingId,
  myUserId,
  mayAsk,
  mayDecide,
  onChanged,
}: {
  meetingId: string;
  myUserId: string;
  mayAsk: boolean;
  mayDecide: boolean;
  onChanged(): void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [requests, setRequests] = useState<LeaveRequest[] | null>(null);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [form] = Form.useForm<{ reason: string; type: LeaveType }>();
  const { items: pushed } = useNotifications();
  const lastPush = pushed.find((n) => n.meetingId === meetingId && n.kind.startsWith('leave.'))?.id;

  const load = useCallback(async () => {
    try {
      setRequests(await http.leaveRequests(meetingId));
    } catch {
      setRequests((current) => current ?? []);
    }
  }, [meetingId]);

  useEffect(() => {
    void load();
  }, [load]);

  // Something about this meeting's leave was pushed to me (my request decided, a request to decide): reload.
  const seenPush = useRef(lastPush);
  useEffect(() => {
    if (lastPush === seenPush.current) return;
    seenPush.current = lastPush;
    void load();
    onChanged();
  }, [lastPush, load, onChanged]);

  const mine = (requests ?? []).filter((r) => r.userId === myUserId);
  const canAskNow = mayAsk && !mine.some((r) => r.status === 'pending' || r.status === 'approved');

  const ask = async ({ reason, type }: { reason: string; type: LeaveType }) => {
    setBusy('ask');
    try {
      await http.askLeave(meetingId, reason.trim(), type);
      void message.success(t('leave.submitted'));
      setAsking(false);
      await load();
      onChanged();
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setBusy(null);
    }
  };

  const withdraw = async (request: LeaveRequest) => {
    setBusy(request.id);
    try {
      await http.withdrawLeave(request.id);
      void message.success(t('leave.withdrawnToast'));
      await load();
      onChanged();
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setBusy(null);
    }
  };

  const decide = async (request: LeaveRequest, approve: boolean) => {
    setBusy(request.id);
    try {
      const note = notes[request.id]?.trim();
      await http.decideLeave(request.id, { approve, ...(note ? { note } : {}) });
      void message.success(t('leave.decided'));
      await load();
      onChanged();
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card
      size="small"
      title={t('leave.title')}
      data-testid="leave-requests"
      extra={
        canAskNow && (
          <Button size="small" onClick={() => setAsking(true)} data-testid="ask-leave">
            {t('leave.ask')}
          </Button>
        )
      }
    >
      <List
        size="small"
        loading={requests === null}
        dataSource={requests ?? []}
        locale={{ emptyText: t('leave.empty') }}
        renderItem={(r) => (
          <List.Item data-testid="leave-request">
            <Space direction="vertical" size={4} style={{ width: '100%' }}>
              <Space wrap size={8}>
                <Typography.Text strong>{r.name}</Typography.Text>
                <Tag data-testid="leave-type">{t(`leaveTypes.${r.type}`)}</Tag>
                <Tag color={leaveColor[r.status]} data-testid="leave-status">
                  {t(`leave.${r.status}`)}
                </Tag>
                <Typography.Text type="secondary">{formatTime(r.createdAt)}</Typography.Text>
              </Space>
              <Typography.Text>{r.reason}</Typography.Text>
              {r.decisionNote && (
                <Typography.Text type="secondary">
                  {t('leave.note')}：{r.decisionNote}
                </Typography.Text>
              )}
              {r.userId === myUserId && r.status === 'pending' && (
                <Popconfirm
                  title={t('leave.withdrawConfirm')}
                  okText={t('leave.withdraw')}
                  cancelText={t('common.cancel')}
                  onConfirm={() => void withdraw(r)}
                >
                  <Button size="small" loading={busy === r.id} data-testid="leave-withdraw">
                    {t('leave.withdraw')}
                  </Button>
                </Popconfirm>
              )}
              {mayDecide && r.status === 'pending' && (
                <Space wrap>
                  <Input
                    size="small"
                    placeholder={t('leave.notePlaceholder')}
                    value={notes[r.id] ?? ''}
                    onChange={(e) => setNotes((n) => ({ ...n, [r.id]: e.target.value }))}
                    maxLength={500}
                    style={{ width: 240 }}
                    data-testid="leave-note"
                  />
                  <Button
                    size="small"
                    type="primary"
                    loading={busy === r.id}
                    onClick={() => void decide(r, true)}
                    data-testid="leave-approve"
                  >
                    {t('leave.approve')}
                  </Button>
                  <Button
                    size="small"
                    danger
                    disabled={busy === r.id}
                    onClick={() => void decide(r, false)}
                    data-testid="leave-reject"
                  >
                    {t('leave.reject')}
                  </Button>
                </Space>
              )}
            </Space>
          </List.Item>
        )}
      />
      {asking && (
        <Modal
          open
          title={t('leave.ask')}
          okText={t('leave.submit')}
          cancelText={t('common.cancel')}
          confirmLoading={busy === 'ask'}
          okButtonProps={{ 'data-testid': 'leave-submit' }}
          onOk={() => form.submit()}
          onCancel={() => setAsking(false)}
          destroyOnHidden
        >
          <Form
            form={form}
            layout="vertical"
            initialValues={{ type: 'personal' }}
            onFinish={(v) => void ask(v)}
          >
            <Form.Item name="type" label={t('leave.type')}>
              <Select
                data-testid="leave-type-select"
                options={LeaveType.options.map((v) => ({ value: v, label: t(`leaveTypes.${v}`) }))}
              />
            </Form.Item>
            <Form.Item
              name="reason"
              label={t('leave.reason')}
              rules={[{ required: true, whitespace: true, message: t('leave.reasonRequired') }]}
            >
              <Input.TextArea maxLength={500} autoSize={{ minRows: 3 }} data-testid="leave-reason" />
            </Form.Item>
          </Form>
        </Modal>
      )}
    </Card>
  );
}
