import type { AttendanceRecord, GuestPresence, MeetingAttendance } from '@branchmeet/shared';
import { attendanceRate, RATE_STATUSES } from '@branchmeet/shared';
import { Card, Col, Empty, Row, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/endpoints';
import { CorrectButton, CorrectedStatus } from './attendance-correction';
import { formatTime } from './meeting-tags';

export const ATTENDANCE_POLL_MS = 10_000;

/**
 * Whether a member is in the meeting now: while it is live the server counts an open presence segment up to
 * "now", which is the meeting's end in the answer, so the member's last leave equals that end.
 */
export function isInNow(attendance: MeetingAttendance, record: Pick<AttendanceRecord, 'lastLeave'>): boolean {
  if (attendance.status !== 'live' || !record.lastLeave) return false;
  const end = Date.parse(attendance.startedAt) + attendance.durationSeconds * 1000;
  return Date.parse(record.lastLeave) >= end - 1500;
}

/** Attendance of a live meeting (who is in, who is missing; polled) or of an ended one (the table). */
export function AttendanceSection({
  meetingId,
  live,
  canCorrect = false,
}: {
  meetingId: string;
  live: boolean;
  /** A manager of the branch: may correct the final records (已更正, with a reason). */
  canCorrect?: boolean;
}) {
  const { t } = useTranslation();
  const [attendance, setAttendance] = useState<MeetingAttendance | null>(null);
  const [failed, setFailed] = useState(false);

  const load = useCallback(async () => {
    try {
      setAttendance(await http.meetingAttendance(meetingId));
      setFailed(false);
    } catch {
      setFailed(true);
    }
  }, [meetingId]);

  useEffect(() => {
    void load();
    if (!live) return;
    const timer = setInterval(() => void load(), ATTENDANCE_POLL_MS);
    return () => clearInterval(timer);
  }, [load, live]);

  if (!attendance) {
    return <Card size="small" title={t('meetingInfo.attendance')} loading={!failed} />;
  }
  return live ? (
    <PresenceNow attendance={attendance} />
  ) : (
    <AttendanceTable
      attendance={attendance}
      onCorrected={canCorrect && attendance.final ? setAttendance : undefined}
    />
  );
}

function PresenceNow({ attendance }: { attendance: MeetingAttendance }) {
  const { t } = useTranslation();
  const inNow = attendance.records.filter((r) => isInNow(attendance, r));
  const missing = attendance.records.filter((r) => !isInNow(attendance, r));
  const names = (list: AttendanceRecord[], color: string, testId: string) =>
    list.length === 0 ? (
      <Typography.Text type="secondary">{t('meetingInfo.nobody')}</Typography.Text>
    ) : (
      <Space wrap size={4}>
        {list.map((r) => (
          <Tag key={r.userId} color={color} data-testid={testId}>
            {r.name}
            {r.status === 'excused' ? ` · ${t('attendanceStatus.excused')}` : ''}
          </Tag>
        ))}
      </Space>
    );
  return (
    <Card size="small" title={t('meetingInfo.attendance')} data-testid="presence-now">
      <Row gutter={[16, 16]}>
        <Col xs={24} md={12}>
          <Typography.Title level={5}>{t('meetingInfo.inNow', { count: inNow.length })}</Typography.Title>
          {names(inNow, 'green', 'present-now')}
        </Col>
        <Col xs={24} md={12}>
          <Typography.Title level={5}>{t('meetingInfo.missing', { count: missing.length })}</Typography.Title>
          {names(missing, 'default', 'missing-now')}
        </Col>
        {(attendance.observers.length > 0 || attendance.guests.length > 0) && (
          <Col xs={24}>
            <Typography.Title level={5}>{t('attendanceExtra.notCounted')}</Typography.Title>
            <Space wrap size={4}>
              {attendance.observers.map((r) => (
                <Tag
                  key={r.userId}
                  color={isInNow(attendance, r) ? 'blue' : 'default'}
                  data-testid="observer-now"
                >
                  {r.name} · {t('attendanceExtra.observer')}
                </Tag>
              ))}
              {attendance.guests.map((g) => (
                <Tag
                  key={g.guestId}
                  color={isInNow(attendance, g) ? 'purple' : 'default'}
                  data-testid="guest-now"
                >
                  {g.name} · {t('attendanceExtra.guest')}
                </Tag>
              ))}
            </Space>
          </Col>
        )}
      </Row>
    </Card>
  );
}

export function AttendanceTable({
  attendance,
  onCorrected,
}: {
  attendance: MeetingAttendance;
  /** Set for a manager of an ended meeting: each record gets "更正". */
  onCorrected?: (a: MeetingAttendance) => void;
}) {
  const { t } = useTranslation();
  const columns = useMemo<ColumnsType<AttendanceRecord>>(
    () => [
      { key: 'name', title: t('meetingInfo.member'), dataIndex: 'name' },
      {
        key: 'status',
        title: t('leave.status'),
        render: (_, r) => <CorrectedStatus record={r} />,
      },
      { key: 'firstJoin', title: t('meetingInfo.firstJoin'), render: (_, r) => formatTime(r.firstJoin) },
      { key: 'lastLeave', title: t('meetingInfo.lastLeave'), render: (_, r) => formatTime(r.lastLeave) },
      { key: 'joinCount', title: t('meetingInfo.joinCount'), dataIndex: 'joinCount', align: 'right' },
      {
        key: 'minutes',
        title: t('meetingInfo.minutes'),
        align: 'right',
        render: (_, r) => (
          <Space size={4}>
            {Math.round(r.totalSeconds / 60)}
            {(r.noMediaSeconds ?? 0) >= 60 && (
              <Tooltip title={t('attendanceExtra.noMediaHint')}>
                <Tag data-testid="no-media">
                  {t('attendanceExtra.noMedia', { minutes: Math.round((r.noMediaSeconds ?? 0) / 60) })}
                </Tag>
              </Tooltip>
            )}
          </Space>
        ),
      },
      ...(onCorrected
        ? [
            {
              key: 'correct',
              title: '',
              render: (_: unknown, r: AttendanceRecord) => (
                <CorrectButton meetingId={attendance.meetingId} record={r} onDone={onCorrected} />
              ),
            },
          ]
        : []),
    ],
    [t, onCorrected, attendance.meetingId],
  );
  const count = (pred: (r: AttendanceRecord) => boolean) => attendance.records.filter(pred).length;
  const madeUp = count((r) => r.status === 'make_up');
  const summary =
    t('meetingInfo.summary', {
      expected: attendance.records.length,
      present: count((r) => r.status === 'present' || r.status === 'late' || r.status === 'left_early'),
      excused: count((r) => r.status === 'excused'),
      absent: count((r) => r.status === 'absent'),
    }) +
    (madeUp > 0 ? ` · ${t('attendanceExtra.makeUp', { count: madeUp })}` : '') +
    ` · ${t('attendanceExtra.rate', {
      rate: attendanceRate(
        count((r) => RATE_STATUSES.includes(r.status)),
        attendance.records.length,
      ),
    })}`;
  const guestColumns: ColumnsType<GuestPresence> = [
    { key: 'name', title: t('meetingInfo.member'), dataIndex: 'name' },
    { key: 'firstJoin', title: t('meetingInfo.firstJoin'), render: (_, g) => formatTime(g.firstJoin) },
    { key: 'lastLeave', title: t('meetingInfo.lastLeave'), render: (_, g) => formatTime(g.lastLeave) },
    { key: 'joinCount', title: t('meetingInfo.joinCount'), dataIndex: 'joinCount', align: 'right' },
    {
      key: 'minutes',
      title: t('meetingInfo.minutes'),
      align: 'right',
      render: (_, g) => Math.round(g.totalSeconds / 60),
    },
  ];
  return (
    <Card
      size="small"
      title={
        <Space wrap size={8}>
          {t('meetingInfo.attendance')}
          {attendance.final && (
            <Tag color="green" data-testid="attendance-final">
              {t('attendanceExtra.final')}
            </Tag>
          )}
        </Space>
      }
      extra={summary}
      data-testid="attendance-table"
    >
      <Table
        size="small"
        rowKey="userId"
        columns={columns}
        dataSource={attendance.records}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: <Empty description={t('common.none')} /> }}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('attendanceExtra.rules', {
          late: attendance.rules.lateAfterMinutes,
          percent: attendance.rules.presentMinPercent,
        })}
        <br />
        {t('attendanceExtra.rateRule')}
      </Typography.Paragraph>
      {attendance.observers.length > 0 && (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('attendanceExtra.observers', { count: attendance.observers.length })}
          </Typography.Title>
          <Table
            size="small"
            rowKey="userId"
            columns={columns.filter((c) => c.key !== 'status')}
            dataSource={attendance.observers}
            pagination={false}
            scroll={{ x: true }}
            data-testid="observers-table"
          />
        </>
      )}
      {attendance.guests.length > 0 && (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('attendanceExtra.guests', { count: attendance.guests.length })}
          </Typography.Title>
          <Table
            size="small"
            rowKey="guestId"
            columns={guestColumns}
            dataSource={attendance.guests}
            pagination={false}
            scroll={{ x: true }}
            data-testid="guests-table"
          />
        </>
      )}
    </Card>
  );
}
