import type { LeaveRequest, LeaveStatus } from '@branchmeet/shared';
import { App, Button, Card, Form, Input, List, Modal, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { formatTime } from './meeting-tags';

const leaveColor: Record<LeaveStatus, string> = { pending: 'gold', approved: 'green', rejected: 'red' };

/**
 * Leave requests (请假) of a meeting: an expected member asks with a reason (while the meeting is still to come
 * or live); a manager approves or rejects with a note. A member sees only their own.
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
  const [form] = Form.useForm<{ reason: string }>();

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

  const mine = (requests ?? []).filter((r) => r.userId === myUserId);
  const canAskNow = mayAsk && !mine.some((r) => r.status !== 'rejected');

  const ask = async ({ reason }: { reason: string }) => {
    setBusy('ask');
    try {
      await http.askLeave(meetingId, reason.trim());
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
          <Form form={form} layout="vertical" onFinish={(v) => void ask(v)}>
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
