import { FileExcelOutlined, FilePdfOutlined, FileTextOutlined } from '@ant-design/icons';
import type { Meeting, UnitAction } from '@branchmeet/shared';
import {
  App,
  Breadcrumb,
  Button,
  Card,
  Descriptions,
  Flex,
  Input,
  Result,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { meetingTitleText } from '../../i18n/generated-text';
import { saveBlob } from '../../api/client';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { useMe } from '../auth/auth-context';
import { unitAllows } from '../orgs/unit-tree';
import { useUnits } from '../orgs/units-context';
import { RecordingsSection } from '../recordings/recordings-section';
import { AttendanceSection } from './attendance-section';
import { InvitesSection } from './invites-section';
import { LeaveRequestsSection } from './leave-requests-section';
import { MeetingEditModal } from './meeting-edit-modal';
import { formatTime, mayJoin, meetingStart, MeetingStatusTag } from './meeting-tags';

type ExportFormat = 'xlsx' | 'csv' | 'pdf';

/** `/meetings/:meetingId/info`: a meeting's facts, attendance, leave requests, exports, edit and cancel. */
export function MeetingInfoPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const { meetingId = '' } = useParams();
  const me = useMe();
  const { byId } = useUnits();
  const [meeting, setMeeting] = useState<Meeting | null>(null);
  const [failed, setFailed] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [exporting, setExporting] = useState<ExportFormat | null>(null);
  const [attendanceKey, setAttendanceKey] = useState(0);

  const load = useCallback(async () => {
    try {
      setMeeting(await http.meetingDetails(meetingId));
      setFailed(null);
    } catch (err) {
      setFailed(err);
    }
  }, [meetingId]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!meeting) {
    if (failed) return <Result status="404" title="404" subTitle={t('meetingInfo.notFound')} />;
    return <Skeleton active />;
  }

  const unit = byId(meeting.unitId);
  const may = (action: UnitAction) => !!unit && unitAllows(unit, action);
  const open = meeting.status === 'scheduled' || meeting.status === 'live';
  const expected = meeting.attendees.filter((a) => a.kind === 'expected');
  const observers = meeting.attendees.filter((a) => a.kind === 'observer');
  const iAmExpected = expected.some((a) => a.userId === me.user.id);
  const nameOf = (userId: string | null) =>
    (userId && meeting.attendees.find((a) => a.userId === userId)?.name) ||
    (userId === me.user.id ? me.user.name : t('common.none'));
  const start = meetingStart(meeting);
  const end = meeting.endedAt ?? meeting.scheduledEnd;

  const doExport = async (format: ExportFormat) => {
    setExporting(format);
    try {
      const fallback = `${meeting.title}-${format === 'pdf' ? '签到表.pdf' : `出勤.${format}`}`;
      saveBlob(await http.exportAttendance(meeting.id, format), fallback);
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setExporting(null);
    }
  };

  const cancelMeeting = () => {
    let reason = '';
    void modal.confirm({
      title: t('meetingInfo.cancelMeeting'),
      content: (
        <Flex vertical gap={8}>
          <Typography.Text>{t('meetingInfo.cancelConfirm')}</Typography.Text>
          <Input.TextArea
            placeholder={t('meetingInfo.cancelReason')}
            maxLength={500}
            onChange={(e) => {
              reason = e.target.value;
            }}
            data-testid="cancel-reason"
          />
        </Flex>
      ),
      okButtonProps: { danger: true },
      okText: t('meetingInfo.cancelMeeting'),
      cancelText: t('common.close'),
      onOk: async () => {
        try {
          const trimmed = reason.trim();
          setMeeting(await http.cancelMeeting(meeting.id, trimmed ? { reason: trimmed } : {}));
          void message.success(t('meetingInfo.cancelled'));
        } catch (err) {
          void message.error(errorText(err, t));
        }
      },
    });
  };

  return (
    <Flex vertical gap={16} data-testid="meeting-info">
      <Breadcrumb
        items={[
          { title: <Link to="/org">{t('nav.org')}</Link> },
          ...(unit ? [{ title: <Link to={`/units/${unit.id}`}>{unit.name}</Link> }] : []),
          { title: t('meetingInfo.title') },
        ]}
      />
      <Flex wrap align="center" justify="space-between" gap={8}>
        <Space wrap align="center">
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="meeting-title">
            {meetingTitleText(t, meeting.title)}
          </Typography.Title>
          <MeetingStatusTag status={meeting.status} />
          {meeting.seriesId && <Tag color="purple">{t('scheduleExtra.series')}</Tag>}
        </Space>
        <Space wrap>
          {open && mayJoin(meeting) && (
            <Button
              type="primary"
              onClick={() => navigate(`/meetings/${meeting.id}`)}
              data-testid="info-join"
            >
              {t('meeting.join')}
            </Button>
          )}
          {meeting.status !== 'cancelled' && (
            <Button onClick={() => navigate(`/meetings/${meeting.id}/minutes`)} data-testid="info-minutes">
              {t('minutes.title')}
            </Button>
          )}
          {may('meeting.manage') && (open || meeting.status === 'ended') && (
            <Button onClick={() => setEditing(true)} data-testid="meeting-edit">
              {t('meetingInfo.edit')}
            </Button>
          )}
          {may('meeting.manage') && meeting.status === 'scheduled' && (
            <Button danger onClick={cancelMeeting} data-testid="meeting-cancel">
              {t('meetingInfo.cancelMeeting')}
            </Button>
          )}
        </Space>
      </Flex>

      <Card size="small">
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
          <Descriptions.Item label={t('meetingInfo.type')}>
            {t(`meetingType.${meeting.type}`)}
          </Descriptions.Item>
          <Descriptions.Item label={t('meetingInfo.time')}>
            {formatTime(start)}
            {end ? ` – ${dayjs(end).format('HH:mm')}` : ''}
          </Descriptions.Item>
          <Descriptions.Item label={t('meetingInfo.status')}>
            <MeetingStatusTag status={meeting.status} />
          </Descriptions.Item>
          <Descriptions.Item label={t('meetingInfo.host')}>{nameOf(meeting.hostUserId)}</Descriptions.Item>
          <Descriptions.Item label={t('meetingInfo.recorder')}>
            {nameOf(meeting.recorderId)}
          </Descriptions.Item>
          <Descriptions.Item label={t('meetingInfo.expectedCount', { count: expected.length })}>
            {expected.map((a) => a.name).join(t('common.listSep')) || t('common.none')}
          </Descriptions.Item>
          {observers.length > 0 && (
            <Descriptions.Item label={t('scheduleExtra.observers')}>
              <span data-testid="meeting-observers">
                {observers.map((a) => a.name).join(t('common.listSep'))}
              </span>
            </Descriptions.Item>
          )}
          {meeting.agenda.length > 0 && (
            <Descriptions.Item label={t('meetingInfo.agenda')} span="filled">
              <ol style={{ margin: 0, paddingInlineStart: 20 }}>
                {meeting.agenda.map((item, i) => (
                  <li key={i}>{item}</li>
                ))}
              </ol>
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>

      {(meeting.status === 'live' || meeting.status === 'ended') && (
        <AttendanceSection
          key={`${meeting.status}-${attendanceKey}`}
          meetingId={meeting.id}
          live={meeting.status === 'live'}
          canCorrect={may('attendance.rules')}
        />
      )}

      {(meeting.status === 'live' || meeting.status === 'ended') && (
        <RecordingsSection meetingId={meeting.id} live={meeting.status === 'live'} />
      )}

      {may('attendance.export') && meeting.status !== 'cancelled' && (
        <Space wrap data-testid="attendance-exports">
          <Button
            icon={<FileExcelOutlined />}
            loading={exporting === 'xlsx'}
            onClick={() => void doExport('xlsx')}
            data-testid="export-xlsx"
          >
            {t('meetingInfo.exportXlsx')}
          </Button>
          <Button
            icon={<FileTextOutlined />}
            loading={exporting === 'csv'}
            onClick={() => void doExport('csv')}
            data-testid="export-csv"
          >
            {t('meetingInfo.exportCsv')}
          </Button>
          <Button
            icon={<FilePdfOutlined />}
            loading={exporting === 'pdf'}
            onClick={() => void doExport('pdf')}
            data-testid="export-pdf"
          >
            {t('meetingInfo.signInPdf')}
          </Button>
        </Space>
      )}

      <LeaveRequestsSection
        meetingId={meeting.id}
        myUserId={me.user.id}
        mayAsk={iAmExpected && open}
        mayDecide={may('leave.decide')}
        onChanged={() => setAttendanceKey((k) => k + 1)}
      />

      {may('meeting.invite') && meeting.status !== 'cancelled' && (
        <InvitesSection meetingId={meeting.id} open={open} />
      )}

      {editing && (
        <MeetingEditModal
          meeting={meeting}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            setMeeting(saved);
          }}
        />
      )}
    </Flex>
  );
}
