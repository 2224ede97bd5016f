import type { Meeting, OrgUnit } from '@branchmeet/shared';
import { Badge, Calendar, Grid, Popover, Space, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { http } from '../../api/endpoints';
import { meetingStart, MeetingStatusTag } from './meeting-tags';

const badge: Record<Meeting['status'], 'processing' | 'error' | 'default' | 'success'> = {
  scheduled: 'processing',
  live: 'error',
  ended: 'success',
  cancelled: 'default',
};
const SHOWN_PER_DAY = 2;

/** The branch's meetings on a month calendar (antd Calendar, in the upcoming card); a day's meetings open their pages. */
export function BranchCalendar({ unit }: { unit: OrgUnit }) {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const [month, setMonth] = useState<Dayjs>(() => dayjs().startOf('month'));
  const [meetings, setMeetings] = useState<Meeting[]>([]);

  const load = useCallback(async () => {
    // The whole grid: a few days of the months before and after show too.
    const from = month.startOf('month').subtract(7, 'day');
    const to = month.endOf('month').add(14, 'day');
    try {
      setMeetings(await http.meetingCalendar(unit.id, from.toISOString(), to.toISOString()));
    } catch {
      setMeetings([]);
    }
  }, [unit.id, month]);
  useEffect(() => {
    void load();
  }, [load]);

  const onDay = (day: Dayjs) => meetings.filter((m) => dayjs(meetingStart(m)).isSame(day, 'day'));
  const item = (m: Meeting) => (
    <Link key={m.id} to={`/meetings/${m.id}/info`} data-testid="calendar-meeting">
      <Badge
        status={badge[m.status]}
        text={
          <Typography.Text delete={m.status === 'cancelled'} style={{ fontSize: 12 }}>
            {dayjs(meetingStart(m)).format('HH:mm')} {t(`meetingType.${m.type}`)}
          </Typography.Text>
        }
      />
    </Link>
  );
  const full = !!screens.md;

  return (
    <div data-testid="branch-calendar">
      <Calendar
        fullscreen={full}
        // The month shown; in the current month today is the day marked (not the 1st).
        value={month.isSame(dayjs(), 'month') ? dayjs() : month}
        onPanelChange={(d) => setMonth(d.startOf('month'))}
        onSelect={(d, info) => info.source !== 'date' && setMonth(d.startOf('month'))}
        cellRender={(day, info) => {
          if (info.type !== 'date') return info.originNode;
          const list = onDay(day);
          if (list.length === 0) return null;
          if (!full)
            return (
              <Popover content={<Space direction="vertical">{list.map(item)}</Space>}>
                <Badge count={list.length} size="small" color="#c8161d" />
              </Popover>
            );
          return (
            <Space direction="vertical" size={0} style={{ width: '100%' }}>
              {list.slice(0, SHOWN_PER_DAY).map(item)}
              {list.length > SHOWN_PER_DAY && (
                <Popover
                  content={
                    <Space direction="vertical">
                      {list.map((m) => (
                        <Space key={m.id}>
                          <MeetingStatusTag status={m.status} />
                          {item(m)}
                        </Space>
                      ))}
                    </Space>
                  }
                >
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('calendar.more', { count: list.length - SHOWN_PER_DAY })}
                  </Typography.Text>
                </Popover>
              )}
            </Space>
          );
        }}
      />
    </div>
  );
}
