import type { AttendanceRecord, MeetingAttendance, PeerInfo, RoomState } from '@branchmeet/shared';
import { act, render, screen, waitFor } from '@testing-library/react';
import { useReducer } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RoomConnection } from '../../media';
import { AppProviders } from '../../providers';
import { mockApi } from '../../test/mock-api';
import { resetLanguage } from '../../test/render';
import { missingOf } from './expected-list';
import { ParticipantsPanel } from './participants-panel';
import { RoomContext } from './room-context';
import { initialRoomState, roomReducer, type RoomAction } from './room-store';
import { phoneFocus } from './stage';

const meetingId = '99999999-9999-4999-8999-999999999999';
const ids = {
  host: '11111111-1111-4111-8111-111111111111',
  me: '22222222-2222-4222-8222-222222222222',
  late: '33333333-3333-4333-8333-333333333333',
  leave: '44444444-4444-4444-8444-444444444444',
};
const room: RoomState = {
  meetingId,
  title: '2026年12月 支部党员大会',
  hostUserId: ids.host,
  locked: false,
  waitingRoom: false,
};
const peer = (key: keyof typeof ids, name: string, role: PeerInfo['role'] = 'member'): PeerInfo => ({
  peerId: `peer-${key}`,
  userId: ids[key],
  name,
  role,
  handRaised: false,
  producers: [],
});
const record = (
  key: keyof typeof ids,
  name: string,
  status: AttendanceRecord['status'],
): AttendanceRecord => ({
  userId: ids[key],
  name,
  firstJoin: null,
  lastLeave: null,
  joinCount: 0,
  totalSeconds: 0,
  status,
  makeUpAt: null,
});
const attendance: MeetingAttendance = {
  meetingId,
  status: 'live',
  startedAt: new Date().toISOString(),
  endedAt: null,
  durationSeconds: 60,
  rules: { lateAfterMinutes: 10, presentMinPercent: 50 },
  final: false,
  records: [
    record('host', '王书记', 'present'),
    record('me', '李党员', 'present'),
    record('late', '陈静', 'absent'),
    record('leave', '杨帆', 'excused'),
  ],
  observers: [],
  guests: [],
};

let dispatchRef: ((a: RoomAction) => void) | null = null;
function Room({ self }: { self: PeerInfo }) {
  const [state, dispatch] = useReducer(
    roomReducer,
    null,
    () =>
      [
        {
          type: 'joined' as const,
          self,
          room,
          peers: [peer('host', '王书记', 'host')],
          chat: [],
          resumed: false,
        },
        { type: 'connection' as const, state: 'joined' as const },
      ].reduce(roomReducer, initialRoomState()) as ReturnType<typeof initialRoomState>,
  );
  dispatchRef = dispatch;
  return (
    <RoomContext.Provider value={{ state, dispatch, room: { send: vi.fn() } as unknown as RoomConnection }}>
      <ParticipantsPanel />
    </RoomContext.Provider>
  );
}

const names = (testId: string) => screen.queryAllByTestId(testId).map((el) => el.textContent);

describe('the participants panel shows who is missing', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('lists the expected members not yet in and those on leave, names only, and reads again on a join', async () => {
    const { requests } = mockApi({ [`GET /meetings/${meetingId}/attendance`]: () => ({ body: attendance }) });
    render(
      <AppProviders>
        <Room self={peer('me', '李党员')} />
      </AppProviders>,
    );
    await waitFor(() => expect(names('not-yet-in')).toEqual(['陈静']));
    expect(names('on-leave')).toEqual(['杨帆']);
    expect(screen.getByTestId('in-room-title').textContent).toBe('已入会（2）');
    expect(screen.getByTestId('not-yet-in-title').textContent).toBe('未入会（1）');
    expect(screen.getByTestId('on-leave-title').textContent).toBe('请假（1）');
    expect(screen.getByTestId('expected-list').textContent).not.toMatch(/1380000/);
    const reads = () => requests.filter((r) => r.path === `/meetings/${meetingId}/attendance`).length;
    expect(reads()).toBe(1);

    // 陈静 joins: the list is read again and she is no longer missing
    act(() => dispatchRef?.({ type: 'peer.joined', payload: peer('late', '陈静') }));
    await waitFor(() => expect(reads()).toBe(2), { timeout: 5000 });
    await waitFor(() => expect(names('not-yet-in')).toEqual([]));
    expect(screen.getByText('应到的人都已入会')).toBeInTheDocument();

    // and leaves again: missing once more
    act(() => dispatchRef?.({ type: 'peer.left', payload: { peerId: 'peer-late' } }));
    await waitFor(() => expect(reads()).toBe(3), { timeout: 5000 });
    await waitFor(() => expect(names('not-yet-in')).toEqual(['陈静']));
  });

  it('asks nothing for a guest (no account in the branch): who is in only', async () => {
    const { requests } = mockApi({});
    render(
      <AppProviders>
        <Room self={peer('me', '访客', 'guest')} />
      </AppProviders>,
    );
    expect(await screen.findByTestId('in-room-title')).toBeInTheDocument();
    expect(screen.queryByTestId('expected-list')).toBeNull();
    expect(requests.filter((r) => r.path.includes('/attendance'))).toEqual([]);
  });
});

describe('who is missing from a lecture', () => {
  it('a listener who has joined counts as in: a lecture lists its stage, its listeners are only counted', () => {
    const joinedOnce = { ...record('late', '陈静', 'absent'), firstJoin: new Date().toISOString() };
    const records = [joinedOnce, record('host', '王书记', 'present'), record('leave', '杨帆', 'excused')];
    expect(missingOf({ records }, [ids.host]).notYetIn.map((r) => r.name)).toEqual(['陈静']);
    expect(missingOf({ records }, [ids.host], true).notYetIn).toEqual([]);
    expect(missingOf({ records }, [ids.host], true).onLeave.map((r) => r.name)).toEqual(['杨帆']);
  });
});

describe('a phone’s stage around the speaker', () => {
  const joined = (peers: PeerInfo[], activeSpeaker?: string) =>
    [
      { type: 'joined' as const, self: peer('me', '李党员'), room, peers, chat: [], resumed: false },
      { type: 'connection' as const, state: 'joined' as const },
      ...(activeSpeaker ? [{ type: 'speaker.changed' as const, payload: { peerId: activeSpeaker } }] : []),
    ].reduce(
      roomReducer as (
        s: ReturnType<typeof initialRoomState>,
        a: RoomAction,
      ) => ReturnType<typeof initialRoomState>,
      initialRoomState(),
    );

  it('puts the active speaker large and oneself apart, never oneself large', () => {
    const two = phoneFocus(joined([peer('host', '王书记', 'host'), peer('late', '陈静')]));
    expect(two.main?.peerId).toBe('peer-host');
    expect(two.self?.isSelf).toBe(true);
    expect(two.others.map((t) => t.peerId)).toEqual(['peer-late']);

    const speaking = phoneFocus(joined([peer('host', '王书记', 'host'), peer('late', '陈静')], 'peer-late'));
    expect(speaking.main?.peerId).toBe('peer-late');
    expect(speaking.others.map((t) => t.peerId)).toEqual(['peer-host']);

    // oneself speaking does not take the stage
    const selfSpeaking = phoneFocus(joined([peer('host', '王书记', 'host')], 'peer-me'));
    expect(selfSpeaking.main?.peerId).toBe('peer-host');

    expect(phoneFocus(joined([])).main).toBeNull();
  });
});
