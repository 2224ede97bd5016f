import {
  MeetingType,
  SERIES_MAX_MONTHS,
  type OrgUnit,
  type RosterMember,
  type ScheduleMeetingRequest,
} from '@branchmeet/shared';
import { App, Checkbox, Collapse, DatePicker, Form, Input, InputNumber, Modal, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';

interface FormValues {
  type?: MeetingType;
  start?: Dayjs;
  groupId?: string;
  title?: string;
  durationMinutes?: number | null;
  agenda?: string;
  waitingRoom?: boolean;
  muteOnEntry?: boolean;
  recordingAllowed?: boolean;
  /** A theme day repeating monthly: how many months in all (empty: once). */
  repeatMonths?: number | null;
  /** 列席: members invited to attend without being counted. */
  observerIds?: string[];
  /** 主持人 / 记录人 / 主讲人 (lecture): empty keeps the defaults (the secretary, the organizer, the host). */
  hostId?: string;
  recorderId?: string;
  lecturerId?: string;
}

const settingKeys = ['waitingRoom', 'muteOnEntry', 'recordingAllowed'] as const;

/** Builds the request: type and start always, every other field only when the user filled it in. */
export function toScheduleRequest(
  values: FormValues,
  touchedSettings: (key: (typeof settingKeys)[number]) => boolean,
): ScheduleMeetingRequest {
  if (!values.type || !values.start) throw new Error('type and start are required');
  const start = values.start.second(0).millisecond(0);
  const body: ScheduleMeetingRequest = { type: values.type, start: start.toISOString() };
  if (values.type === 'group_meeting' && values.groupId) body.groupId = values.groupId;
  const title = values.title?.trim();
  if (title) body.title = title;
  if (values.durationMinutes) body.end = start.add(values.durationMinutes, 'minute').toISOString();
  const agenda = (values.agenda ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (agenda.length > 0) body.agenda = agenda;
  if (values.observerIds?.length) body.observerIds = values.observerIds;
  if (values.hostId) body.hostId = values.hostId;
  if (values.recorderId) body.recorderId = values.recorderId;
  if (values.type === 'lecture' && values.lecturerId) body.lecturerId = values.lecturerId;
  const settings: NonNullable<ScheduleMeetingRequest['settings']> = {};
  for (const key of settingKeys) if (touchedSettings(key)) settings[key] = !!values[key];
  if (Object.keys(settings).length > 0) body.settings = settings;
  return body;
}

/** Schedules a meeting of a branch: type and start first; the rest under "more options". */
export function ScheduleMeetingModal({
  unit,
  groups,
  onClose,
  onScheduled,
}: {
  unit: OrgUnit;
  groups: OrgUnit[];
  onClose(): void;
  onScheduled(): void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [saving, setSaving] = useState(false);
  const type = Form.useWatch('type', form);
  const [roster, setRoster] = useState<RosterMember[]>([]);
  const people = roster.map((m) => ({ value: m.userId, label: m.name }));

  useEffect(() => {
    void http.listMembers(unit.id).then(setRoster, () => setRoster([]));
  }, [unit.id]);

  const submit = async (values: FormValues) => {
    setSaving(true);
    try {
      const body = toScheduleRequest(values, (key) => form.isFieldTouched(key));
      const months = values.type === 'theme_day' ? (values.repeatMonths ?? 0) : 0;
      if (months >= 2) {
        const { title: _title, groupId: _groupId, ...rest } = body;
        const series = await http.scheduleSeries(unit.id, { ...rest, type: 'theme_day', months });
        void message.success(t('scheduleExtra.seriesScheduled', { count: series.length }));
      } else {
        const meeting = await http.scheduleMeeting(unit.id, body);
        void message.success(t('schedule.scheduled', { title: meeting.title }));
      }
      onScheduled();
    } catch (err) {
      void message.error(errorText(err, t));
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={t('schedule.title')}
      okText={t('schedule.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      okButtonProps={{ 'data-testid': 'schedule-submit' }}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        initialValues={{ groupId: groups.length === 1 ? groups[0].id : undefined }}
        data-testid="schedule-form"
      >
        <Form.Item
          name="type"
          label={t('schedule.type')}
          rules={[{ required: true, message: t('schedule.typeRequired') }]}
        >
          <Select
            data-testid="schedule-type"
            options={MeetingType.options.map((value) => ({ value, label: t(`meetingType.${value}`) }))}
          />
        </Form.Item>
        <Form.Item
          name="start"
          label={t('schedule.start')}
          rules={[{ required: true, message: t('schedule.startRequired') }]}
        >
          <DatePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            style={{ width: '100%' }}
            data-testid="schedule-start"
          />
        </Form.Item>
        {type === 'theme_day' && (
          <Form.Item
            name="repeatMonths"
            label={t('scheduleExtra.repeat')}
            extra={t('scheduleExtra.repeatHint')}
          >
            <InputNumber
              min={2}
              max={SERIES_MAX_MONTHS}
              placeholder={t('scheduleExtra.once')}
              style={{ width: '100%' }}
              data-testid="schedule-repeat"
            />
          </Form.Item>
        )}
        <Form.Item name="hostId" label={t('roles.host')} extra={t('roles.defaultHint')}>
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            options={people}
            data-testid="schedule-host"
          />
        </Form.Item>
        <Form.Item name="recorderId" label={t('roles.recorder')}>
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            options={people}
            data-testid="schedule-recorder"
          />
        </Form.Item>
        {type === 'lecture' && (
          <Form.Item name="lecturerId" label={t('roles.lecturer')} extra={t('roles.lecturerHint')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              options={people}
              data-testid="schedule-lecturer"
            />
          </Form.Item>
        )}
        {type === 'group_meeting' && (
          <Form.Item
            name="groupId"
            label={t('schedule.group')}
            rules={[{ required: true, message: t('schedule.groupRequired') }]}
          >
            <Select
              data-testid="schedule-group"
              options={groups.map((g) => ({ value: g.id, label: g.name }))}
            />
          </Form.Item>
        )}
        <Collapse
          size="small"
          ghost
          items={[
            {
              key: 'more',
              label: t('schedule.more'),
              forceRender: true,
              children: (
                <>
                  <Form.Item name="title" label={t('schedule.meetingTitle')} extra={t('schedule.titleHint')}>
                    <Input maxLength={100} data-testid="schedule-title" />
                  </Form.Item>
                  <Form.Item
                    name="durationMinutes"
                    label={t('schedule.duration')}
                    extra={t('schedule.durationHint')}
                  >
                    <InputNumber min={5} max={24 * 60} step={15} style={{ width: '100%' }} />
                  </Form.Item>
                  <Form.Item
                    name="observerIds"
                    label={t('scheduleExtra.observers')}
                    extra={t('scheduleExtra.observersHint')}
                  >
                    <Select
                      mode="multiple"
                      allowClear
                      optionFilterProp="label"
                      data-testid="schedule-observers"
                      options={roster.map((m) => ({ value: m.userId, label: m.name }))}
                    />
                  </Form.Item>
                  <Form.Item name="agenda" label={t('schedule.agenda')} extra={t('schedule.agendaHint')}>
                    <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} data-testid="schedule-agenda" />
                  </Form.Item>
                  {settingKeys.map((key) => (
                    <Form.Item key={key} name={key} valuePropName="checked" style={{ marginBottom: 4 }}>
                      <Checkbox>{t(`schedule.${key}`)}</Checkbox>
                    </Form.Item>
                  ))}
                </>
              ),
            },
          ]}
        />
      </Form>
    </Modal>
  );
}
