import { CalendarOutlined, UnorderedListOutlined } from '@ant-design/icons';
import type { Meeting, OrgUnit } from '@branchmeet/shared';
import { Button, Card, List, Segmented, Space, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { meetingTitleText } from '../../i18n/generated-text';
import { http } from '../../api/endpoints';
import { useMe } from '../auth/auth-context';
import { unitAllows } from '../orgs/unit-tree';
import { BranchCalendar } from './branch-calendar';
import { formatTime, mayJoin, meetingStart, MeetingStatusTag } from './meeting-tags';
import { ScheduleMeetingModal } from './schedule-meeting-modal';
import { RefreshButton } from '../shell/refresh-button';

const REFRESH_MS = 30_000;
const DAYS_AHEAD = 30;

/** On a branch page: the meetings of the next 30 days, Join from 15 minutes before, Schedule for managers. */
export function UpcomingMeetingsCard({ unit, groups }: { unit: OrgUnit; groups: OrgUnit[] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [meetings, setMeetings] = useState<Meeting[] | null>(null);
  const [scheduling, setScheduling] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const manager = unitAllows(unit, 'meeting.schedule');
  const me = useMe();
  // Until the person picks: what they can act on. Secretaries and upper levels (who manage or oversee the
  // branch without being on its list) see all of the branch's meetings; a member those that expect them (or
  // invite them to sit in) — or all of them when none does.
  const [picked, setPicked] = useState<'mine' | 'all' | null>(null);
  const [view, setView] = useState<'list' | 'calendar'>('list');
  const all = meetings ?? [];
  const minePart = all.filter((m) => m.attendees.some((a) => a.userId === me.user.id));
  const filter = picked ?? (unit.access !== 'member' || minePart.length === 0 ? 'all' : 'mine');
  const mine = filter === 'mine';
  const shown = mine ? minePart : all;

  const load = useCallback(async () => {
    // From the start of today, so a meeting that began earlier today (and may be live) is still listed.
    const from = dayjs().startOf('day');
    const to = dayjs().add(DAYS_AHEAD, 'day');
    try {
      const list = await http.meetingCalendar(unit.id, from.toISOString(), to.toISOString());
      setMeetings([...list].sort((a, b) => Date.parse(meetingStart(a)) - Date.parse(meetingStart(b))));
    } catch {
      setMeetings((current) => current ?? []);
    }
    setNow(Date.now());
  }, [unit.id]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  return (
    <Card
      size="small"
      title={t('schedule.upcoming')}
      data-testid="upcoming-meetings"
      data-filter={filter}
      extra={
        <Space wrap>
          <Segmented
            size="small"
            value={view}
            onChange={(v) => setView(v === 'calendar' ? 'calendar' : 'list')}
            options={[
              { value: 'list', icon: <UnorderedListOutlined />, title: t('upcomingExtra.list') },
              { value: 'calendar', icon: <CalendarOutlined />, title: t('calendar.title') },
            ]}
            data-testid="upcoming-view"
          />
          <Segmented
            size="small"
            value={filter}
            onChange={(v) => setPicked(v === 'mine' ? 'mine' : 'all')}
            options={[
              { value: 'mine', label: t('upcomingExtra.mine') },
              { value: 'all', label: t('upcomingExtra.all') },
            ]}
            data-testid="upcoming-filter"
          />
          <RefreshButton onClick={() => void load()} />
          {manager && (
            <Button
              type="primary"
              size="small"
              icon={<CalendarOutlined />}
              onClick={() => setScheduling(true)}
              data-testid="schedule-meeting"
            >
              {t('schedule.button')}
            </Button>
          )}
        </Space>
      }
    >
      {view === 'calendar' ? (
        <BranchCalendar unit={unit} />
      ) : (
        <List
          size="small"
          loading={meetings === null}
          dataSource={shown}
          locale={{
            emptyText:
              mine && all.length > 0 ? (
                <span data-testid="upcoming-none-mine">
                  {t('upcomingExtra.noneMine', { count: all.length })}{' '}
                  <Button type="link" size="small" onClick={() => setPicked('all')}>
                    {t('upcomingExtra.showAll')}
                  </Button>
                </span>
              ) : (
                t('schedule.noUpcoming')
              ),
          }}
          renderItem={(m) => {
            const joinable = mayJoin(m, now);
            const open = m.status === 'scheduled' || m.status === 'live';
            return (
              <List.Item
                data-testid="upcoming-meeting"
                data-meeting-id={m.id}
                actions={[
                  <Link key="info" to={`/meetings/${m.id}/info`} data-testid="meeting-info-link">
                    {t('schedule.details')}
                  </Link>,
                  ...(open
                    ? [
                        <Tooltip key="join" title={joinable ? undefined : t('schedule.joinFrom')}>
                          <Button
                            type="primary"
                            size="small"
                            disabled={!joinable}
                            onClick={() => navigate(`/meetings/${m.id}`)}
                            data-testid="upcoming-join"
                          >
                            {t('meeting.join')}
                          </Button>
                        </Tooltip>,
                      ]
                    : []),
                ]}
              >
                <Space wrap size={8}>
                  <MeetingStatusTag status={m.status} />
                  <Typography.Text strong delete={m.status === 'cancelled'}>
                    {meetingTitleText(t, m.title)}
                  </Typography.Text>
                  <Typography.Text type="secondary">
                    {t(`meetingType.${m.type}`)} · {formatTime(meetingStart(m))}
                  </Typography.Text>
                </Space>
              </List.Item>
            );
          }}
        />
      )}
      {scheduling && (
        <ScheduleMeetingModal
          unit={unit}
          groups={groups}
          onClose={() => setScheduling(false)}
          onScheduled={() => {
            setScheduling(false);
            void load();
          }}
        />
      )}
    </Card>
  );
}
