import type { PeerInfo, RoomState } from '@branchmeet/shared';
import { describe, expect, it } from 'vitest';
import {
  consumerOf,
  initialRoomState,
  orderedPeers,
  roomReducer,
  selfIsHost,
  sourceState,
  type RoomAction,
  type RoomViewState,
} from './room-store';

const hostId = '55555555-5555-4555-8555-555555555555';
const memberId = '66666666-6666-4666-8666-666666666666';
const otherId = '77777777-7777-4777-8777-777777777777';
const room: RoomState = {
  meetingId: '99999999-9999-4999-8999-999999999999',
  title: '支部党员大会',
  hostUserId: hostId,
  locked: false,
  waitingRoom: false,
};

function peer(peerId: string, userId: string, name: string, over: Partial<PeerInfo> = {}): PeerInfo {
  return {
    peerId,
    userId,
    name,
    role: userId === hostId ? 'host' : 'member',
    handRaised: false,
    producers: [],
    ...over,
  };
}

function apply(...actions: RoomAction[]): RoomViewState {
  return actions.reduce(roomReducer, initialRoomState());
}

const joined: RoomAction = {
  type: 'joined',
  self: peer('self', memberId, '李党员'),
  room,
  peers: [
    peer('host', hostId, '王书记', {
      producers: [{ producerId: 'host-mic', peerId: 'host', kind: 'audio', source: 'mic', paused: false }],
    }),
  ],
  chat: [],
  resumed: false,
};

describe('roomReducer', () => {
  it('adds a joining peer after the ones already there and removes a leaving one with its streams', () => {
    let state = apply(joined, { type: 'peer.joined', payload: peer('p3', otherId, '张党员') });
    expect(orderedPeers(state).map((p) => p.name)).toEqual(['王书记', '张党员']);

    state = roomReducer(state, {
      type: 'consumer.created',
      payload: {
        consumerId: 'c-cam',
        producerId: 'p3-cam',
        peerId: 'p3',
        kind: 'video',
        source: 'camera',
        rtpParameters: { codecs: [] },
        producerPaused: false,
      },
    });
    expect(consumerOf(state, 'p3', 'camera')?.consumerId).toBe('c-cam');
    expect(sourceState(state.peers.p3, 'camera')).toBe('on');

    state = roomReducer(state, { type: 'peer.left', payload: { peerId: 'p3' } });
    expect(orderedPeers(state).map((p) => p.name)).toEqual(['王书记']);
    expect(state.consumers).toEqual({});
  });

  it('does not duplicate a peer that is announced twice (a resumed seat)', () => {
    const state = apply(
      joined,
      { type: 'peer.joined', payload: peer('p3', otherId, '张党员') },
      { type: 'peer.joined', payload: peer('p3', otherId, '张党员', { handRaised: true }) },
    );
    expect(state.order).toEqual(['host', 'p3']);
    expect(state.peers.p3.handRaised).toBe(true);
  });

  it('raises and lowers hands, the person’s own included', () => {
    let state = apply(joined, { type: 'hand.changed', payload: { peerId: 'host', raised: true } });
    expect(state.peers.host.handRaised).toBe(true);
    state = roomReducer(state, { type: 'hand.changed', payload: { peerId: 'self', raised: true } });
    expect(state.self?.handRaised).toBe(true);
    state = roomReducer(state, { type: 'hand.changed', payload: { peerId: 'host', raised: false } });
    expect(state.peers.host.handRaised).toBe(false);
  });

  it('a lecture: the listener count from the join answer and lecture.audience; an unknown hand re-reads the list', () => {
    const lecture = { lecturerUserId: hostId, coPresenterUserIds: [], floorPeerIds: [] };
    let state = apply({ ...joined, lecture, audience: { listeners: 40 } } as RoomAction);
    expect(state.listeners).toBe(40);
    const v = state.audienceVersion;
    state = roomReducer(state, { type: 'lecture.audience', payload: { listeners: 41 } });
    expect(state.listeners).toBe(41);
    expect(state.audienceVersion).toBe(v + 1);
    // a listener's hand (known to the presenters by the page they read, not among the peers)
    const before = state;
    state = roomReducer(state, { type: 'hand.changed', payload: { peerId: 'someone', raised: true } });
    expect(state.audienceVersion).toBe(v + 2);
    expect(state.peers).toBe(before.peers);
  });

  it('shows a paused producer as muted and a resumed one as live again', () => {
    let state = apply(joined);
    expect(sourceState(state.peers.host, 'mic')).toBe('on');
    state = roomReducer(state, {
      type: 'producer.paused',
      payload: { peerId: 'host', producerId: 'host-mic', source: 'mic', byHost: false },
    });
    expect(sourceState(state.peers.host, 'mic')).toBe('off');
    state = roomReducer(state, {
      type: 'producer.resumed',
      payload: { peerId: 'host', producerId: 'host-mic', source: 'mic' },
    });
    expect(sourceState(state.peers.host, 'mic')).toBe('on');
    state = roomReducer(state, {
      type: 'producer.closed',
      payload: { peerId: 'host', producerId: 'host-mic', source: 'mic', byHost: false },
    });
    expect(sourceState(state.peers.host, 'mic')).toBe('none');
  });

  it('remembers that the host muted the person until they unmute', () => {
    let state = apply(joined, { type: 'local', source: 'mic', on: true });
    state = roomReducer(state, { type: 'local', source: 'mic', on: false, byHost: true });
    expect(state.local.mic).toBe(false);
    expect(state.stoppedByHost).toBe('mic');
    state = roomReducer(state, { type: 'local', source: 'mic', on: true });
    expect(state.stoppedByHost).toBeNull();
  });

  it('follows the host role through room changes', () => {
    let state = apply(joined);
    expect(selfIsHost(state)).toBe(false);
    state = roomReducer(state, { type: 'room.changed', payload: { ...room, hostUserId: memberId } });
    expect(selfIsHost(state)).toBe(true);
  });

  it('keeps one copy of a chat message and counts unread ones from others while the chat is closed', () => {
    const message = {
      id: 'm1',
      meetingId: room.meetingId,
      userId: hostId,
      name: '王书记',
      text: '大家好',
      at: '2025-01-01T08:00:00Z',
    };
    let state = apply(
      joined,
      { type: 'chat.received', payload: message },
      { type: 'chat.received', payload: message },
    );
    expect(state.chat).toHaveLength(1);
    expect(state.unreadChat).toBe(1);
    state = roomReducer(state, { type: 'ui.chatOpen', open: true });
    expect(state.unreadChat).toBe(0);
  });
});
