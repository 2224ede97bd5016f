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
import type { ConnectionState } from '../../media';
import { ControlBar } from './control-bar';
import { ChatPanel } from './chat-panel';
import { LectureStage, QaPanel } from './lecture-view';
import { MinutesPanel } from '../minutes/minutes-panel';
import { RecordingIndicator } from '../recordings/recording-indicator';
import { ParticipantsPanel } from './participants-panel';
import { useRoom } from './room-context';
import { orderedPeers, selfIsHost, type RoomViewState } from './room-store';
import { peerTile, selfScreenTile, selfTile } from './tiles';
import { RemoteAudio, VideoTile, type VideoTileProps } from './video-tile';
import { NetworkStatus } from './network-status';
import { useConnectionQuality } from './use-connection-quality';

type ViewMode = 'grid' | 'speaker';

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

/** The tiles of the stage: the person first, then the others in joining order. */
function participantTiles(state: RoomViewState): VideoTileProps[] {
  const self = selfTile(state);
  return [...(self ? [self] : []), ...orderedPeers(state).map((p) => peerTile(state, p))];
}

function screenTiles(state: RoomViewState): VideoTileProps[] {
  const screens: VideoTileProps[] = [];
  for (const c of Object.values(state.consumers)) {
    if (c.source !== 'screen') continue;
    const peer = state.peers[c.peerId];
    if (!peer) continue;
    screens.push({
      peerId: peer.peerId,
      name: peer.name,
      videoKey: c.consumerId,
      consumerId: c.consumerId,
      mic: 'none',
      screen: true,
      testId: 'screen-tile',
    });
  }
  const own = selfScreenTile(state);
  if (own) screens.push(own);
  return screens;
}

function Stage({ view }: { view: ViewMode }) {
  const { t } = useTranslation();
  const { state } = useRoom();
  const tiles = participantTiles(state);
  const screens = screenTiles(state);

  let main: VideoTileProps | null = screens[0] ?? null;
  if (!main && view === 'speaker' && tiles.length > 1) {
    main =
      tiles.find((tile) => tile.peerId === state.activeSpeaker && !tile.isSelf) ??
      tiles.find((tile) => !tile.isSelf) ??
      null;
  }
  const rest = main && !main.screen ? tiles.filter((tile) => tile.peerId !== main.peerId) : tiles;
  const cols = Math.max(1, Math.ceil(Math.sqrt(rest.length)));
  const rows = Math.max(1, Math.ceil(rest.length / cols));

  if (!main) {
    return (
      <div className="bm-stage">
        <div
          className="bm-grid"
          data-testid="room-grid"
          style={{ ['--bm-cols' as string]: cols, ['--bm-rows' as string]: rows }}
        >
          {rest.map((tile) => (
            <VideoTile key={tile.peerId} {...tile} />
          ))}
        </div>
        {tiles.length === 1 && (
          <Typography.Text className="bm-alone" data-testid="room-alone">
            {t('room.alone')}
          </Typography.Text>
        )}
      </div>
    );
  }
  return (
    <div className="bm-stage bm-stage-focus">
      <div className="bm-main" data-testid="room-main">
        <VideoTile key={`main-${main.peerId}-${main.screen ? 's' : 'c'}`} {...main} large />
      </div>
      <div className="bm-strip" data-testid="room-grid">
        {screens.slice(1).map((tile) => (
          <VideoTile key={`screen-${tile.peerId}`} {...tile} />
        ))}
        {rest.map((tile) => (
          <VideoTile key={tile.peerId} {...tile} />
        ))}
      </div>
    </div>
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
          title: state.room?.title ?? '',
          count: Object.keys(state.peers).length + 1,
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
  const [view, setView] = useState<ViewMode>('grid');
  const [participantsOpen, setParticipantsOpen] = useState(false);
  const [qaOpen, setQaOpen] = useState(false);
  const screens = Grid.useBreakpoint();
  const isPhone = !screens.sm;
  useConnectionQuality();
  const drawerWidth = isPhone ? '100%' : 380;

  useEffect(() => {
    if (state.stoppedByHost === 'mic') void message.warning(t('room.mutedByHost'));
    if (state.stoppedByHost === 'camera') void message.warning(t('room.videoStoppedByHost'));
  }, [state.stoppedByHost, message, t]);

  // A lecture's listener: told when the floor is given or taken back.
  const selfFloor = !!state.self && !!state.lecture?.floorPeerIds.includes(state.self.peerId);
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
  if (connection === 'waiting') return <WaitingView title={roomTitle} onLeave={onLeave} />;
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
        <Space size={8} style={{ minWidth: 0 }}>
          <Typography.Text strong ellipsis className="bm-room-title" data-testid="room-title">
            {roomTitle}
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
          <ConnectionBadge
            state={connection === 'joined' && state.quality.self === 'lost' ? 'reconnecting' : connection}
          />
          <NetworkStatus />
          {state.room && <RecordingIndicator meetingId={state.room.meetingId} state={state.recording} />}
        </Space>
        {!state.lecture && (
          <Segmented<ViewMode>
            size="small"
            value={view}
            onChange={setView}
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
        {state.lecture ? <LectureStage /> : <Stage view={view} />}
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
