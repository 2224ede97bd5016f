import type { PeerInfo, RoomState } from '@branchmeet/shared';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RoomConnection } from '../../media';
import { resetLanguage } from '../../test/render';
import { AppProviders } from '../../providers';
import { ControlBar } from './control-bar';
import { ParticipantsPanel } from './participants-panel';
import { RoomContext } from './room-context';
import { initialRoomState, roomReducer, type RoomViewState } from './room-store';

const hostId = '55555555-5555-4555-8555-555555555555';
const memberId = '66666666-6666-4666-8666-666666666666';
const room: RoomState = {
  meetingId: '99999999-9999-4999-8999-999999999999',
  title: '支部党员大会',
  hostUserId: hostId,
  locked: false,
  waitingRoom: false,
};
const hostPeer: PeerInfo = {
  peerId: 'peer-host',
  userId: hostId,
  name: '王书记',
  role: 'host',
  handRaised: false,
  producers: [],
};
const memberPeer: PeerInfo = {
  peerId: 'peer-member',
  userId: memberId,
  name: '李党员',
  role: 'member',
  handRaised: true,
  producers: [
    { producerId: 'member-mic', peerId: 'peer-member', kind: 'audio', source: 'mic', paused: false },
  ],
};

function stateAs(who: 'host' | 'member'): RoomViewState {
  const [self, other] = who === 'host' ? [hostPeer, memberPeer] : [memberPeer, hostPeer];
  return [
    { type: 'joined' as const, self, room, peers: [other], chat: [], resumed: false },
    { type: 'connection' as const, state: 'joined' as const },
    { type: 'local' as const, source: 'mic' as const, on: true },
  ].reduce(roomReducer, initialRoomState());
}

function renderRoom(state: RoomViewState) {
  const send = vi.fn().mockResolvedValue(null);
  const ok = () => vi.fn().mockResolvedValue(true);
  const room = {
    send,
    setMic: ok(),
    setCamera: ok(),
    setScreen: ok(),
    setHand: ok(),
  } as unknown as RoomConnection;
  render(
    <AppProviders>
      <RoomContext.Provider value={{ state, dispatch: vi.fn(), room }}>
        <ControlBar participantsOpen onToggleParticipants={vi.fn()} onLeave={vi.fn()} onEndForAll={vi.fn()} />
        <ParticipantsPanel />
      </RoomContext.Provider>
    </AppProviders>,
  );
  return { send, room };
}

describe('control bar and participants panel', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('gives the host the host controls and a host action per participant', async () => {
    const { send } = renderRoom(stateAs('host'));

    expect(screen.getByTestId('ctl-host')).toBeInTheDocument();
    expect(screen.getByTestId('panel-mute-all')).toBeInTheDocument();
    expect(screen.getByTestId('host-lower-hand-peer-member')).toBeInTheDocument();
    expect(screen.getByTestId('host-remove-peer-member')).toBeInTheDocument();
    // no host actions on the host's own row
    expect(screen.queryByTestId('host-mute-peer-host')).toBeNull();

    await userEvent.click(screen.getByTestId('host-mute-peer-member'));
    expect(send).toHaveBeenCalledWith('host.mute', { peerId: 'peer-member' });
  });

  it('shows a member the ordinary controls but no host controls', () => {
    renderRoom(stateAs('member'));

    for (const id of [
      'ctl-mic',
      'ctl-camera',
      'ctl-screen',
      'ctl-hand',
      'ctl-chat',
      'ctl-participants',
      'ctl-leave',
    ]) {
      expect(screen.getByTestId(id)).toBeInTheDocument();
    }
    expect(screen.queryByTestId('ctl-host')).toBeNull();
    expect(screen.queryByTestId('panel-mute-all')).toBeNull();
    expect(screen.queryByTestId('host-mute-peer-host')).toBeNull();
    expect(screen.queryByTestId('host-remove-peer-host')).toBeNull();
    // the participants list still shows the state everyone can see: the member's own raised hand
    expect(screen.getAllByTestId('participant')).toHaveLength(2);
    expect(screen.getByTestId('peer-hand')).toBeInTheDocument();
  });

  it('mutes the person’s mic from the control bar', async () => {
    const { room } = renderRoom(stateAs('member'));
    await userEvent.click(screen.getByTestId('ctl-mic'));
    expect(room.setMic).toHaveBeenCalledWith(false);
  });
});
