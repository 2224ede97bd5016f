import { AppstoreOutlined, LockFilled, UserOutlined } from '@ant-design/icons';
import {
  App,
  Badge,
  Button,
  Drawer,
  Grid,
  Result,
  Segmented,
  Space,
  Spin,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { errorText } from '../../api/errors';
import { meetingTitleText } from '../../i18n/generated-text';
import type { ConnectionState } from '../../media';
import { ControlBar } from './control-bar';
import { ChatPanel } from './chat-panel';
import { LectureStage, QaPanel } from './lecture-view';
import { MinutesPanel } from '../minutes/minutes-panel';
import { RecordingIndicator } from '../recordings/recording-indicator';
import { ParticipantsPanel } from './participants-panel';
import { useRoom } from './room-context';
import { lectureRole, peopleInRoom, selfIsHost, type RoomViewState } from './room-store';
import { Stage, type ViewMode } from './stage';
import { RemoteAudio } from './video-tile';
import { NetworkStatus } from './network-status';
import { useConnectionQuality } from './use-connection-quality';

const badgeStatus: Record<ConnectionState, 'success' | 'processing' | 'warning' | 'error' | 'default'> = {
  connecting: 'processing',
  waiting: 'warning',
  joined: 'success',
  reconnecting: 'warning',
  left: 'default',
  ended: 'default',
  removed: 'error',
  denied: 'error',
  failed: 'error',
};

export function ConnectionBadge({ state }: { state: ConnectionState }) {
  const { t } = useTranslation();
  return (
    <span data-testid="connection-state" data-state={state}>
      <Badge
        status={badgeStatus[state]}
        text={<span style={{ color: 'inherit' }}>{t(`room.state.${state}`)}</span>}
      />
    </span>
  );
}

function FinalView({ state, onRejoin, onBack }: { state: RoomViewState; onRejoin(): void; onBack(): void }) {
  const { t } = useTranslation();
  const titles: Partial<Record<ConnectionState, string>> = {
    left: t('room.leftTitle'),
    ended: t('room.endedTitle'),
    removed: state.removedReason === 'replaced' ? t('room.replacedTitle') : t('room.removedTitle'),
    denied: t('room.deniedTitle'),
    failed: t('room.failedTitle'),
  };
  const canRejoin = state.connection === 'left' || state.connection === 'failed';
  // The host who ended it: a summary with the two things to do next.
  if (state.connection === 'ended' && state.room && state.self && selfIsHost(state))
    return <EndSummary state={state} onBack={onBack} />;
  return (
    <div className="bm-room-final" data-testid="room-final" data-state={state.connection}>
      <Result
        status={
          state.connection === 'failed' || state.connection === 'removed' || state.connection === 'denied'
            ? 'warning'
            : 'info'
        }
        title={titles[state.connection]}
        subTitle={state.error?.message}
        extra={
          <Space wrap>
            {canRejoin && (
              <Button type="primary" onClick={onRejoin} data-testid="room-rejoin">
                {t('room.rejoin')}
              </Button>
            )}
            <Button onClick={onBack} data-testid="room-back">
              {t('meeting.backToBranch')}
            </Button>
          </Space>
        }
      />
    </div>
  );
}

/** After the host ended the meeting: who was in, and shortcuts to its attendance and its minutes. */
function EndSummary({ state, onBack }: { state: RoomViewState; onBack(): void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const meetingId = state.room?.meetingId ?? '';
  return (
    <div className="bm-room-final" data-testid="end-summary">
      <Result
        status="success"
        title={t('room.endSummaryTitle')}
        subTitle={t('room.endSummaryHint', {
          title: meetingTitleText(t, state.room?.title ?? ''),
          count: peopleInRoom(state),
        })}
        extra={
          <Space wrap>
            <Button
              type="primary"
              onClick={() => navigate(`/meetings/${meetingId}/minutes`)}
              data-testid="end-write-minutes"
            >
              {t('room.writeMinutes')}
            </Button>
            <Button onClick={() => navigate(`/meetings/${meetingId}/info`)} data-testid="end-attendance">
              {t('room.viewAttendance')}
            </Button>
            <Button type="link" onClick={onBack} data-testid="room-back">
              {t('meeting.backToBranch')}
            </Button>
          </Space>
        }
      />
    </div>
  );
}

function WaitingView({ title, onLeave }: { title: string; onLeave(): void }) {
  const { t } = useTranslation();
  return (
    <div className="bm-room-final" data-testid="waiting-room">
      <Result
        icon={<Spin size="large" />}
        title={t('room.waitingTitle')}
        subTitle={t('room.waitingHint', { title })}
        extra={
          <Button onClick={onLeave} data-testid="waiting-leave">
            {t('room.leave')}
          </Button>
        }
      />
    </div>
  );
}

export interface RoomViewProps {
  title: string;
  onLeave(): void;
  onRejoin(): void;
  onBack(): void;
}

/** The live room: header with the connection state, the stage (grid or speaker), the control bar and panels. */
export function RoomView({ title, onLeave, onRejoin, onBack }: RoomViewProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { state, dispatch, room } = useRoom();
  // Until the person picks one: a phone is built around the speaker, a larger screen shows the grid.
  const [picked, setPicked] = useState<ViewMode | null>(null);
  const [participantsOpen, setParticipantsOpen] = useState(false);
  const [qaOpen, setQaOpen] = useState(false);
  const screens = Grid.useBreakpoint();
  const isPhone = screens.sm === false;
  const view: ViewMode = picked ?? (isPhone ? 'speaker' : 'grid');
  useConnectionQuality();
  const drawerWidth = isPhone ? '100%' : 380;

  useEffect(() => {
    if (state.stoppedByHost === 'mic') void message.warning(t('room.mutedByHost'));
    if (state.stoppedByHost === 'camera') void message.warning(t('room.videoStoppedByHost'));
  }, [state.stoppedByHost, message, t]);

  // A lecture's listener: told when the floor is given or taken back.
  const selfFloor = !!state.self && lectureRole(state, state.self) === 'floor';
  const [hadFloor, setHadFloor] = useState(false);
  useEffect(() => {
    if (selfFloor === hadFloor) return;
    setHadFloor(selfFloor);
    void message.info(selfFloor ? t('lecture.floorGiven') : t('lecture.floorTaken'));
  }, [selfFloor, hadFloor, message, t]);

  const roomTitle = state.room?.title || title;
  const connection = state.connection;

  if (['left', 'ended', 'removed', 'denied', 'failed'].includes(connection)) {
    return <FinalView state={state} onRejoin={onRejoin} onBack={onBack} />;
  }
  if (connection === 'waiting')
    return <WaitingView title={meetingTitleText(t, roomTitle)} onLeave={onLeave} />;
  if (!state.self) {
    return (
      <div className="bm-room-final" data-testid="room-connecting">
        <Spin size="large" tip={t('room.connecting')}>
          <div style={{ width: 200, height: 120 }} />
        </Spin>
      </div>
    );
  }

  const audio = Object.values(state.consumers).filter((c) => c.kind === 'audio');

  return (
    <div className="bm-room" data-testid="room">
      <header className="bm-room-header">
        <div className="bm-room-heading">
          <Typography.Text strong ellipsis className="bm-room-title" data-testid="room-title">
            {meetingTitleText(t, roomTitle)}
          </Typography.Text>
          {state.room?.locked && (
            <Tooltip title={t('room.locked')}>
              <LockFilled data-testid="room-locked" aria-label={t('room.locked')} />
            </Tooltip>
          )}
          {state.lecture && (
            <Tag color="red" data-testid="lecture-badge" style={{ marginInlineEnd: 0 }}>
              {t('lecture.badge')}
            </Tag>
          )}
        </div>
        <div className="bm-room-status" data-testid="room-status">
          <ConnectionBadge
            state={connection === 'joined' && state.quality.self === 'lost' ? 'reconnecting' : connection}
          />
          <NetworkStatus />
          {state.room && <RecordingIndicator meetingId={state.room.meetingId} state={state.recording} />}
        </div>
        {!state.lecture && (
          <Segmented<ViewMode>
            size="small"
            value={view}
            onChange={setPicked}
            options={[
              {
                value: 'grid',
                icon: <AppstoreOutlined />,
                label: isPhone ? undefined : t('room.gridView'),
                title: t('room.gridView'),
              },
              {
                value: 'speaker',
                icon: <UserOutlined />,
                label: isPhone ? undefined : t('room.speakerView'),
                title: t('room.speakerView'),
              },
            ]}
            data-testid="view-toggle"
          />
        )}
      </header>

      <div className="bm-room-body">
        {state.lecture ? <LectureStage /> : <Stage view={view} phone={isPhone} />}
        {state.room && <MinutesPanel meetingId={state.room.meetingId} />}
      </div>

      <ControlBar
        participantsOpen={participantsOpen}
        onToggleParticipants={() => setParticipantsOpen((open) => !open)}
        qaOpen={qaOpen}
        onToggleQa={() => setQaOpen((open) => !open)}
        onLeave={onLeave}
        onEndForAll={() => {
          if (room)
            void room.send('host.end', {}).catch((err: unknown) => void message.error(errorText(err, t)));
        }}
      />

      <Drawer
        title={t('room.participants')}
        open={participantsOpen}
        onClose={() => setParticipantsOpen(false)}
        destroyOnHidden
        size={drawerWidth}
        placement={isPhone ? 'bottom' : 'right'}
        mask={isPhone}
      >
        <ParticipantsPanel />
      </Drawer>
      <Drawer
        title={t('chat.title')}
        open={state.chatOpen}
        onClose={() => dispatch({ type: 'ui.chatOpen', open: false })}
        size={drawerWidth}
        placement={isPhone ? 'bottom' : 'right'}
        mask={isPhone}
      >
        <ChatPanel />
      </Drawer>
      {state.lecture && (
        <Drawer
          title={t('lecture.qaTitle')}
          open={qaOpen}
          onClose={() => setQaOpen(false)}
          size={drawerWidth}
          placement={isPhone ? 'bottom' : 'right'}
          mask={isPhone}
        >
          <QaPanel />
        </Drawer>
      )}

      {connection === 'reconnecting' && (
        <div className="bm-overlay" data-testid="reconnecting" role="status">
          <Spin size="large" />
          <Typography.Text style={{ color: '#fff' }}>{t('room.reconnecting')}</Typography.Text>
        </div>
      )}
      {audio.map((c) => (
        <RemoteAudio key={c.consumerId} consumerId={c.consumerId} />
      ))}
    </div>
  );
}
