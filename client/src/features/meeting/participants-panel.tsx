import { AudioMutedOutlined, AudioOutlined, CrownFilled, VideoCameraOutlined } from '@ant-design/icons';
import { App, Avatar, Button, Divider, Flex, List, Popconfirm, Space, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors';
import { ExpectedList } from './expected-list';
import { HandIcon } from './hand-icon';
import { LectureListeners } from './lecture-listeners';
import { LectureFloorActions, LectureRoleTag } from './lecture-view';
import { useRoom } from './room-context';
import {
  isHostPeer,
  lectureRole,
  orderedPeers,
  peopleInRoom,
  selfIsHost,
  selfPresents,
  sourceState,
  type PeerView,
} from './room-store';

function StateIcons({
  mic,
  camera,
  hand,
}: {
  mic: 'on' | 'off' | 'none';
  camera: 'on' | 'off' | 'none';
  hand: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Space size={6}>
      {hand && (
        <Tooltip title={t('participants.handRaised')}>
          <HandIcon
            aria-label={t('participants.handRaised')}
            data-testid="peer-hand"
            style={{ color: '#faad14' }}
          />
        </Tooltip>
      )}
      {mic === 'on' ? (
        <AudioOutlined aria-label={t('participants.micOn')} data-testid="peer-mic-on" />
      ) : (
        <AudioMutedOutlined
          aria-label={t('participants.micOff')}
          style={{ color: '#cf1322' }}
          data-testid="peer-mic-off"
        />
      )}
      <VideoCameraOutlined
        aria-label={camera === 'on' ? t('participants.cameraOn') : t('participants.cameraOff')}
        data-testid={camera === 'on' ? 'peer-camera-on' : 'peer-camera-off'}
        style={{ color: camera === 'on' ? undefined : '#bfbfbf' }}
      />
    </Space>
  );
}

/**
 * Everyone in the room with hand/mic/camera state, then the expected members who are missing (not yet in, on
 * leave); for the host, the lobby and a host action per person. In a lecture the room knows only its stage: the
 * listeners are a count, and the presenters page through them below the stage.
 */
export function ParticipantsPanel() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { state, room } = useRoom();
  const isHost = selfIsHost(state);
  // A lecture's stage: presenters, then speakers (its listeners are counted, and paged through below).
  const rank = (p: PeerView) => (lectureRole(state, p) === 'floor' ? 1 : 0);
  const others = state.lecture
    ? orderedPeers(state)
        .filter((p) => lectureRole(state, p) !== 'listener')
        .map((p, i) => ({ p, i }))
        .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
        .map((x) => x.p)
    : orderedPeers(state);

  const run = (action: () => Promise<unknown>) => {
    void action().catch((err: unknown) => void message.error(errorText(err, t)));
  };

  const selfRow = state.self
    ? {
        peer: state.self,
        mic: state.local.mic ? ('on' as const) : ('off' as const),
        camera: state.local.camera ? ('on' as const) : ('off' as const),
      }
    : null;
  const rows = [
    ...(selfRow ? [selfRow] : []),
    ...others.map((peer) => ({ peer, mic: sourceState(peer, 'mic'), camera: sourceState(peer, 'camera') })),
  ];

  const hostActions = (peer: PeerView, mic: string, camera: string) => {
    if (!isHost || !room || peer.peerId === state.self?.peerId) return [];
    const id = peer.peerId;
    const actions = [];
    if (peer.handRaised) {
      actions.push(
        <Button
          key="hand"
          size="small"
          data-testid={`host-lower-hand-${id}`}
          onClick={() => run(() => room.send('host.lowerHand', { peerId: id }))}
        >
          {t('participants.lowerHand')}
        </Button>,
      );
    }
    actions.push(
      <Button
        key="mute"
        size="small"
        disabled={mic !== 'on'}
        data-testid={`host-mute-${id}`}
        onClick={() => run(() => room.send('host.mute', { peerId: id }))}
      >
        {t('participants.mute')}
      </Button>,
      <Button
        key="video"
        size="small"
        disabled={camera !== 'on'}
        data-testid={`host-stop-video-${id}`}
        onClick={() => run(() => room.send('host.stopVideo', { peerId: id }))}
      >
        {t('participants.stopVideo')}
      </Button>,
      <Popconfirm
        key="host"
        title={t('participants.makeHostConfirm', { name: peer.name })}
        onConfirm={() => run(() => room.send('host.transfer', { peerId: id }))}
      >
        <Button size="small" data-testid={`host-make-host-${id}`}>
          {t('participants.makeHost')}
        </Button>
      </Popconfirm>,
      <Popconfirm
        key="remove"
        title={t('participants.removeConfirm', { name: peer.name })}
        okButtonProps={{ danger: true }}
        onConfirm={() => run(() => room.send('host.remove', { peerId: id }))}
      >
        <Button size="small" danger data-testid={`host-remove-${id}`}>
          {t('participants.remove')}
        </Button>
      </Popconfirm>,
    );
    return actions;
  };

  type Row = { peer: PeerView; mic: 'on' | 'off' | 'none'; camera: 'on' | 'off' | 'none' };
  const renderRow = ({ peer, mic, camera }: Row) => (
    <List.Item data-testid="participant" data-peer-id={peer.peerId} data-peer-name={peer.name}>
      <Flex vertical gap={6} style={{ width: '100%' }}>
        <Flex align="center" gap={8}>
          <Avatar size="small" style={{ background: '#c8161d', flex: 'none' }}>
            {peer.name.slice(0, 1)}
          </Avatar>
          <Typography.Text ellipsis style={{ flex: 1 }}>
            {peer.name}
            {peer.peerId === state.self?.peerId ? ` (${t('room.you')})` : ''}
          </Typography.Text>
          {isHostPeer(state, peer) && (
            <Tag color="gold" icon={<CrownFilled />} style={{ marginInlineEnd: 0 }}>
              {t('room.host')}
            </Tag>
          )}
          {peer.role === 'guest' && (
            <Tag color="purple" style={{ marginInlineEnd: 0 }} data-testid="participant-guest">
              {t('attendanceExtra.guest')}
            </Tag>
          )}
          <LectureRoleTag peer={peer} />
          <StateIcons mic={mic} camera={camera} hand={peer.handRaised} />
        </Flex>
        <LectureFloorActions peer={peer} />
        {isHost && peer.peerId !== state.self?.peerId && (
          <Space size={4} wrap>
            {hostActions(peer, mic, camera)}
          </Space>
        )}
      </Flex>
    </List.Item>
  );

  return (
    <Flex vertical gap={8} data-testid="participants-panel">
      {isHost && state.lobby.length > 0 && (
        <>
          <Typography.Text strong>{t('participants.lobby', { count: state.lobby.length })}</Typography.Text>
          <List
            size="small"
            dataSource={state.lobby}
            data-testid="lobby-list"
            renderItem={(w) => (
              <List.Item
                data-testid="lobby-peer"
                actions={[
                  <Button
                    key="admit"
                    type="primary"
                    size="small"
                    data-testid={`lobby-admit-${w.peerId}`}
                    onClick={() => room && run(() => room.send('lobby.admit', { peerId: w.peerId }))}
                  >
                    {t('participants.admit')}
                  </Button>,
                  <Button
                    key="deny"
                    size="small"
                    data-testid={`lobby-deny-${w.peerId}`}
                    onClick={() => room && run(() => room.send('lobby.deny', { peerId: w.peerId }))}
                  >
                    {t('participants.deny')}
                  </Button>,
                ]}
              >
                {w.name}
              </List.Item>
            )}
          />
          <Divider style={{ margin: '4px 0' }} />
        </>
      )}
      {isHost && room && (
        <Space wrap>
          <Button
            size="small"
            data-testid="panel-mute-all"
            onClick={() => run(() => room.send('host.mute', {}))}
          >
            {t('room.muteAll')}
          </Button>
          <Button
            size="small"
            data-testid="panel-lock"
            onClick={() => run(() => room.send('host.lock', { locked: !state.room?.locked }))}
          >
            {state.room?.locked ? t('room.unlock') : t('room.lock')}
          </Button>
        </Space>
      )}
      <Typography.Text strong data-testid="in-room-title">
        {t('roomExtra.inRoom', { count: peopleInRoom(state) })}
      </Typography.Text>
      <List size="small" dataSource={rows} renderItem={renderRow} />
      {state.lecture &&
        (selfPresents(state) ? (
          <LectureListeners
            renderItem={(peer) =>
              renderRow({ peer, mic: sourceState(peer, 'mic'), camera: sourceState(peer, 'camera') })
            }
          />
        ) : (
          <Typography.Text type="secondary" data-testid="panel-listener-count">
            {t('lecture.listeners', { count: state.listeners })}
          </Typography.Text>
        ))}
      <Divider style={{ margin: '4px 0' }} />
      <ExpectedList />
    </Flex>
  );
}
