import { VideoCameraAddOutlined } from '@ant-design/icons';
import type { LiveMeeting, OrgUnit } from '@branchmeet/shared';
import { App, Button, Card, Checkbox, List, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { meetingTitleText } from '../../i18n/generated-text';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { LoadFailed, useLoad } from '../../api/use-load';
import { unitAllows } from '../orgs/unit-tree';
import { RefreshButton } from '../shell/refresh-button';

const REFRESH_MS = 15_000;

/** On a branch page: its live meetings with Join for every reader, and Open for a manager. */
export function LiveMeetingsCard({ unit }: { unit: OrgUnit }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const meetings = useLoad<LiveMeeting[]>(() => http.liveMeetings(unit.id), [unit.id], {
    refreshMs: REFRESH_MS,
  });
  const [opening, setOpening] = useState(false);
  const [withLobby, setWithLobby] = useState(false);
  const manager = unitAllows(unit, 'meeting.open');

  const open = async () => {
    setOpening(true);
    try {
      const meeting = await http.openLiveMeeting(unit.id, { waitingRoom: withLobby });
      navigate(`/meetings/${meeting.id}`);
    } catch (err) {
      void message.error(errorText(err, t));
      setOpening(false);
    }
  };

  // A failed load shows its error and a retry (the last list stays below it), never an empty list.
  const live = (meetings.data ?? []).filter((m) => m.status === 'live');

  return (
    <Card
      size="small"
      title={t('meeting.liveTitle')}
      data-testid="live-meetings"
      extra={
        <Space>
          <RefreshButton onClick={() => void meetings.reload()} />
          {manager && (
            <>
              <Checkbox
                checked={withLobby}
                onChange={(e) => setWithLobby(e.target.checked)}
                data-testid="open-meeting-lobby"
              >
                {t('meeting.withLobby')}
              </Checkbox>
              <Button
                type="primary"
                size="small"
                icon={<VideoCameraAddOutlined />}
                loading={opening}
                onClick={() => void open()}
                data-testid="open-meeting"
              >
                {t('meeting.open')}
              </Button>
            </>
          )}
        </Space>
      }
    >
      {!!meetings.error && (
        <LoadFailed
          error={meetings.error}
          onRetry={() => void meetings.reload()}
          testId="live-meetings-failed"
        />
      )}
      <List
        size="small"
        loading={meetings.data === undefined && !meetings.error}
        dataSource={live}
        locale={{ emptyText: meetings.error ? <span /> : t('meeting.noLive') }}
        renderItem={(m) => (
          <List.Item
            data-testid="live-meeting"
            data-meeting-id={m.id}
            actions={[
              <Button
                key="join"
                type="primary"
                size="small"
                onClick={() => navigate(`/meetings/${m.id}`)}
                data-testid="join-meeting"
              >
                {t('meeting.join')}
              </Button>,
            ]}
          >
            <Space wrap size={8}>
              <Tag color="red" style={{ marginInlineEnd: 0 }}>
                {t('meeting.live')}
              </Tag>
              <Typography.Text strong>{meetingTitleText(t, m.title)}</Typography.Text>
              <Typography.Text type="secondary">
                {t('meeting.startedAt', { time: dayjs(m.startedAt).format('HH:mm') })}
                {/* Not known for a moment while the meeting moves between servers. */}
                {m.participants !== null && ` · ${t('meeting.inMeeting', { count: m.participants })}`}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}
