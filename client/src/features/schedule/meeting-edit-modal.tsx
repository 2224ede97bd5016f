import type { Meeting, UpdateMeetingRequest } from '@branchmeet/shared';
import { App, DatePicker, Form, Input, InputNumber, Modal } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { meetingStart } from './meeting-tags';

interface EditValues {
  title: string;
  start: Dayjs;
  durationMinutes: number;
  agenda: string;
}

/** Edits title, time and agenda of a meeting; sends only what changed. */
export function MeetingEditModal({
  meeting,
  onClose,
  onSaved,
}: {
  meeting: Meeting;
  onClose(): void;
  onSaved(meeting: Meeting): void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditValues>();
  const [saving, setSaving] = useState(false);
  const start = dayjs(meetingStart(meeting));
  const end = meeting.scheduledEnd ? dayjs(meeting.scheduledEnd) : start.add(60, 'minute');
  const initial: EditValues = {
    title: meeting.title,
    start,
    durationMinutes: Math.max(5, end.diff(start, 'minute')),
    agenda: meeting.agenda.join('\n'),
  };

  const submit = async (values: EditValues) => {
    const body: UpdateMeetingRequest = {};
    if (values.title.trim() !== meeting.title) body.title = values.title.trim();
    const newStart = values.start.second(0).millisecond(0);
    if (!newStart.isSame(initial.start, 'minute') || values.durationMinutes !== initial.durationMinutes) {
      body.start = newStart.toISOString();
      body.end = newStart.add(values.durationMinutes, 'minute').toISOString();
    }
    const agenda = values.agenda
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (agenda.join('\n') !== meeting.agenda.join('\n')) body.agenda = agenda;
    if (Object.keys(body).length === 0) {
      onClose();
      return;
    }
    setSaving(true);
    try {
      const saved = await http.updateMeeting(meeting.id, body);
      void message.success(t('meetingInfo.saved'));
      onSaved(saved);
    } catch (err) {
      void message.error(errorText(err, t));
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={t('meetingInfo.editTitle')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => void submit(v)}>
        <Form.Item
          name="title"
          label={t('schedule.meetingTitle')}
          rules={[{ required: true, whitespace: true }]}
        >
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="start" label={t('schedule.start')} rules={[{ required: true }]}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="durationMinutes" label={t('schedule.duration')} rules={[{ required: true }]}>
          <InputNumber min={5} max={24 * 60} step={15} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="agenda" label={t('schedule.agenda')} extra={t('schedule.agendaHint')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
