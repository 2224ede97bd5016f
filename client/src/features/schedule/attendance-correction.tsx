import {
  AttendanceStatus,
  type AttendanceRecord,
  type AttendanceStatus as Status,
  type MeetingAttendance,
} from '@branchmeet/shared';
import { App, Button, Form, Input, Modal, Select, Space, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors';
import { http } from '../../api/endpoints';
import { AttendanceStatusTag } from './meeting-tags';

/** The status a record counts as, and — when a manager corrected it — 已更正 with the reason and who did it. */
export function CorrectedStatus({ record }: { record: AttendanceRecord }) {
  const { t } = useTranslation();
  const c = record.correction;
  return (
    <Space size={4} wrap>
      <AttendanceStatusTag status={record.status} />
      {c && (
        <Tooltip
          title={t('correction.detail', {
            computed: t(`attendanceStatus.${record.computedStatus ?? record.status}`),
            reason: c.reason,
            by: c.correctedByName ?? '—',
          })}
        >
          <Tag color="purple" data-testid="attendance-corrected">
            {t('correction.corrected')}：{c.reason}
          </Tag>
        </Tooltip>
      )}
    </Space>
  );
}

/** A manager's "更正" for one record of an ended meeting: a status and a mandatory reason. */
export function CorrectButton({
  meetingId,
  record,
  onDone,
}: {
  meetingId: string;
  record: AttendanceRecord;
  onDone(a: MeetingAttendance): void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ status: Status; reason: string }>();
  const submit = async (v: { status: Status; reason: string }) => {
    setSaving(true);
    try {
      onDone(await http.correctAttendance(meetingId, record.userId, v));
      void message.success(t('correction.saved'));
      setOpen(false);
    } catch (e) {
      void message.error(errorText(e, t));
    } finally {
      setSaving(false);
    }
  };
  return (
    <>
      <Button size="small" type="link" onClick={() => setOpen(true)} data-testid="attendance-correct">
        {t('correction.action')}
      </Button>
      <Modal
        open={open}
        title={t('correction.title', { name: record.name })}
        okText={t('correction.save')}
        confirmLoading={saving}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ status: record.status, reason: record.correction?.reason ?? '' }}
          onFinish={(v) => void submit(v)}
        >
          <Form.Item name="status" label={t('correction.status')} rules={[{ required: true }]}>
            <Select
              options={AttendanceStatus.options.map((s) => ({ value: s, label: t(`attendanceStatus.${s}`) }))}
              data-testid="correction-status"
            />
          </Form.Item>
          <Form.Item
            name="reason"
            label={t('correction.reason')}
            rules={[{ required: true, whitespace: true, min: 2, max: 500 }]}
            extra={t('correction.hint')}
          >
            <Input.TextArea rows={3} maxLength={500} data-testid="correction-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
