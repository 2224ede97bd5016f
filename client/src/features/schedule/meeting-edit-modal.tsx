import type { Meeting, RosterMember, UpdateMeetingRequest } from '@branchmeet/shared';
import { Alert, App, DatePicker, Form, Input, InputNumber, Modal, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { meetingStart } from './meeting-tags';

interface EditValues {
  title: string;
  start: Dayjs;
  durationMinutes: number;
  agenda: string;
  hostId: string;
  recorderId: string | null;
  lecturerId: string | null;
}

/**
 * Edits title, time, agenda and roles (主持人, 记录人, 主讲人 from the branch's roster) of a meeting; sends only
 * what changed. After the meeting only the roles can change (until the minutes are submitted).
 */
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
  const [roster, setRoster] = useState<RosterMember[]>([]);
  const ended = meeting.status === 'ended';
  useEffect(() => {
    void http.listMembers(meeting.unitId).then(setRoster, () => setRoster([]));
  }, [meeting.unitId]);
  const people = roster.map((m) => ({ value: m.userId, label: m.name }));
  const start = dayjs(meetingStart(meeting));
  const end = meeting.scheduledEnd ? dayjs(meeting.scheduledEnd) : start.add(60, 'minute');
  const initial: EditValues = {
    title: meeting.title,
    start,
    durationMinutes: Math.max(5, end.diff(start, 'minute')),
    agenda: meeting.agenda.join('\n'),
    hostId: meeting.hostUserId,
    recorderId: meeting.recorderId,
    lecturerId: meeting.lecturerId,
  };

  const submit = async (values: EditValues) => {
    const body: UpdateMeetingRequest = {};
    if (!ended) {
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
    }
    if (values.hostId !== meeting.hostUserId) body.hostId = values.hostId;
    if (values.recorderId && values.recorderId !== meeting.recorderId) body.recorderId = values.recorderId;
    if (meeting.type === 'lecture' && (values.lecturerId ?? null) !== meeting.lecturerId)
      body.lecturerId = values.lecturerId ?? null;
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
        {ended && <Alert type="info" showIcon message={t('roles.afterEnd')} style={{ marginBottom: 12 }} />}
        <Form.Item name="hostId" label={t('roles.host')} rules={[{ required: true }]}>
          <Select showSearch optionFilterProp="label" options={people} data-testid="edit-host" />
        </Form.Item>
        <Form.Item name="recorderId" label={t('roles.recorder')}>
          <Select showSearch optionFilterProp="label" options={people} data-testid="edit-recorder" />
        </Form.Item>
        {meeting.type === 'lecture' && (
          <Form.Item name="lecturerId" label={t('roles.lecturer')} extra={t('roles.lecturerHint')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              options={people}
              data-testid="edit-lecturer"
            />
          </Form.Item>
        )}
        <Form.Item
          hidden={ended}
          name="title"
          label={t('schedule.meetingTitle')}
          rules={[{ required: true, whitespace: true }]}
        >
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item hidden={ended} name="start" label={t('schedule.start')} rules={[{ required: true }]}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item
          hidden={ended}
          name="durationMinutes"
          label={t('schedule.duration')}
          rules={[{ required: true }]}
        >
          <InputNumber min={5} max={24 * 60} step={15} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item hidden={ended} name="agenda" label={t('schedule.agenda')} extra={t('schedule.agendaHint')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
