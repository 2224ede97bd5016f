import type { PeerInfo, RoomState } from '@branchmeet/shared';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useReducer } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalMedia, MediaSessionProvider, type RoomConnection } from '../../media';
import { AppProviders } from '../../providers';
import { resetLanguage } from '../../test/render';
import { ControlBar } from './control-bar';
import { NetworkStatus } from './network-status';
import { RoomContext } from './room-context';
import { initialRoomState, roomReducer, type RoomAction, type RoomViewState } from './room-store';
import { peerTile, selfTile } from './tiles';
import { expectedConsumers } from './use-connection-quality';
import { VideoTile } from './video-tile';

const room: RoomState = {
  meetingId: '99999999-9999-4999-8999-999999999999',
  title: '支部党员大会',
  hostUserId: '55555555-5555-4555-8555-555555555555',
  locked: false,
  waitingRoom: false,
};
const self: PeerInfo = {
  peerId: 'peer-self',
  userId: '66666666-6666-4666-8666-666666666666',
  name: '刘洋',
  role: 'member',
  handRaised: false,
  producers: [],
};
const other: PeerInfo = {
  peerId: 'peer-other',
  userId: '55555555-5555-4555-8555-555555555555',
  name: '李红梅',
  role: 'host',
  handRaised: false,
  producers: [
    { producerId: 'p-mic', peerId: 'peer-other', kind: 'audio', source: 'mic', paused: false },
    { producerId: 'p-cam', peerId: 'peer-other', kind: 'video', source: 'camera', paused: false },
  ],
};

function joined(...more: RoomAction[]): RoomViewState {
  return [
    { type: 'joined' as const, self, room, peers: [other], chat: [], resumed: false },
    { type: 'connection' as const, state: 'joined' as const },
    { type: 'local' as const, source: 'camera' as const, on: true },
    ...more,
  ].reduce(roomReducer, initialRoomState());
}

const consumer = (consumerId: string, producerId: string, kind: 'audio' | 'video') =>
  ({
    type: 'consumer.created',
    payload: {
      consumerId,
      producerId,
      peerId: 'peer-other',
      kind,
      source: kind === 'audio' ? 'mic' : 'camera',
      rtpParameters: {},
      producerPaused: false,
    },
  }) as RoomAction;

function Room({ start, connection }: { start: RoomViewState; connection: RoomConnection }) {
  const [state, dispatch] = useReducer(roomReducer, start);
  const tiles = [selfTile(state), ...[state.peers['peer-other']].map((p) => peerTile(state, p))];
  return (
    <RoomContext.Provider value={{ state, dispatch, room: connection }}>
      <NetworkStatus />
      {tiles.map((tile) => tile && <VideoTile key={tile.peerId} {...tile} videoKey={null} />)}
      <ControlBar
        participantsOpen={false}
        onToggleParticipants={vi.fn()}
        onLeave={vi.fn()}
        onEndForAll={vi.fn()}
      />
    </RoomContext.Provider>
  );
}

function renderRoom(start: RoomViewState) {
  const connection = {
    setAudioOnly: vi.fn().mockResolvedValue(undefined),
    setMic: vi.fn().mockResolvedValue(true),
    setCamera: vi.fn().mockResolvedValue(true),
    reportTile: vi.fn(),
  } as unknown as RoomConnection;
  render(
    <AppProviders>
      <MediaSessionProvider value={{ local: new LocalMedia(), room: connection }}>
        <Room start={start} connection={connection} />
      </MediaSessionProvider>
    </AppProviders>,
  );
  return connection;
}

describe('saying what the network is doing', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('shows good signal bars for oneself and each peer while media arrives', () => {
    renderRoom(joined({ type: 'ui.quality', quality: { self: 'good', peers: { 'peer-other': 'good' } } }));
    expect(screen.getByTestId('self-quality')).toHaveAttribute('data-quality', 'good');
    expect(screen.getAllByTestId('tile-quality').map((el) => el.getAttribute('data-quality'))).toEqual([
      'good',
      'good',
    ]);
    expect(screen.queryByTestId('self-reconnecting')).toBeNull();
    expect(screen.queryByTestId('tile-lost')).toBeNull();
    expect(screen.getAllByLabelText('网络良好').length).toBeGreaterThan(0);
  });

  it('a peer whose media stopped shows 连接中断 on its tile; oneself stalled shows 正在重连 in the header', () => {
    renderRoom(joined({ type: 'ui.quality', quality: { self: 'lost', peers: { 'peer-other': 'lost' } } }));
    expect(screen.getByTestId('tile-lost')).toHaveTextContent('连接中断');
    expect(screen.getByTestId('self-reconnecting')).toHaveTextContent('网络中断，正在重连');
    expect(screen.getByTestId('self-quality')).toHaveAttribute('data-quality', 'lost');
  });

  it('a weak link shows weak bars, no alarm', () => {
    renderRoom(joined({ type: 'ui.quality', quality: { self: 'weak', peers: { 'peer-other': 'weak' } } }));
    expect(screen.getByTestId('self-quality')).toHaveAttribute('data-quality', 'weak');
    expect(screen.getAllByLabelText('网络较弱').length).toBeGreaterThan(0);
    expect(screen.queryByTestId('tile-lost')).toBeNull();
  });

  it('tells the person when the server paused their video for the network', async () => {
    renderRoom(joined({ type: 'media.downlink', payload: { videoPaused: true } }));
    expect(screen.getByTestId('weak-network-notice')).toHaveTextContent('网络较差，已切换为仅音频');
  });

  it('the 仅音频 switch stops receiving and sending video, and turns back', async () => {
    const connection = renderRoom(joined());
    const button = screen.getByTestId('ctl-audio-only');
    expect(button).toHaveAttribute('aria-pressed', 'false');
    expect(button).toHaveAccessibleName('仅音频');
    await userEvent.click(button);
    expect(connection.setAudioOnly).toHaveBeenCalledWith(true);
    expect(await screen.findByRole('button', { name: '恢复视频' })).toHaveAttribute('aria-pressed', 'true');
    await userEvent.click(screen.getByTestId('ctl-audio-only'));
    expect(connection.setAudioOnly).toHaveBeenLastCalledWith(false);
  });

  it('counts only media that should arrive: not muted producers, not video held back', () => {
    const base = joined(consumer('c-mic', 'p-mic', 'audio'), consumer('c-cam', 'p-cam', 'video'));
    // a live mic tells it all; the camera is counted only when the mic is off
    expect([...expectedConsumers(base)]).toEqual(['c-mic']);
    const muted = roomReducer(base, {
      type: 'producer.paused',
      payload: { peerId: 'peer-other', producerId: 'p-mic', source: 'mic', byHost: false },
    });
    expect([...expectedConsumers(muted)]).toEqual(['c-cam']);
    expect([...expectedConsumers(roomReducer(muted, { type: 'ui.audioOnly', on: true }))]).toEqual([]);
    expect([
      ...expectedConsumers(roomReducer(muted, { type: 'media.downlink', payload: { videoPaused: true } })),
    ]).toEqual([]);
  });
});
