import type { LectureState, PeerInfo, QaQuestion, RoomState } from '@branchmeet/shared';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useReducer, type Dispatch, type ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalMedia, MediaSessionProvider, RtcRequestError, type RoomConnection } from '../../media';
import { resetLanguage } from '../../test/render';
import { AppProviders } from '../../providers';
import { ChatPanel } from './chat-panel';
import { ControlBar } from './control-bar';
import { LectureStage, QaPanel } from './lecture-view';
import { LISTENERS_SETTLE_MS } from './lecture-listeners';
import { ParticipantsPanel } from './participants-panel';
import { RoomContext } from './room-context';
import {
  initialRoomState,
  lectureRole,
  roomReducer,
  type RoomAction,
  type RoomViewState,
} from './room-store';

const hostId = '55555555-5555-4555-8555-555555555555';
const lecturerId = '77777777-7777-4777-8777-777777777777';
const listenerId = '66666666-6666-4666-8666-666666666666';
const otherId = '88888888-8888-4888-8888-888888888888';
const room: RoomState = {
  meetingId: '99999999-9999-4999-8999-999999999999',
  title: '党课：微课堂',
  hostUserId: hostId,
  locked: false,
  waitingRoom: false,
};
const peer = (peerId: string, userId: string, name: string, extra: Partial<PeerInfo> = {}): PeerInfo => ({
  peerId,
  userId,
  name,
  role: userId === hostId ? 'host' : 'member',
  handRaised: false,
  producers: [],
  ...extra,
});
const host = peer('p-host', hostId, '王书记');
const lecturer = peer('p-lecturer', lecturerId, '刘老师', {
  producers: [
    { producerId: 'lect-cam', peerId: 'p-lecturer', kind: 'video', source: 'camera', paused: false },
    { producerId: 'lect-screen', peerId: 'p-lecturer', kind: 'video', source: 'screen', paused: false },
  ],
});
const listener = peer('p-listener', listenerId, '李听众');
const other = peer('p-other', otherId, '赵听众', { handRaised: true });
const lecture: LectureState = { lecturerUserId: lecturerId, coPresenterUserIds: [], floorPeerIds: [] };
const question: QaQuestion = {
  id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  meetingId: room.meetingId,
  authorId: otherId,
  authorName: '赵听众',
  text: '如何开展主题党日？',
  upvotes: 1,
  answered: false,
  answeredAt: null,
  at: '2026-12-01T10:00:00.000Z',
};

/** The room as the server shows it: the stage (host, lecturer) by name, the two listeners counted. */
function stateAs(self: PeerInfo, extra: RoomAction[] = []): RoomViewState {
  const stage = [host, lecturer].filter((p) => p.peerId !== self.peerId);
  return [
    {
      type: 'joined' as const,
      self,
      room,
      peers: stage,
      chat: [],
      resumed: false,
      lecture,
      audience: { listeners: 2 },
    },
    { type: 'connection' as const, state: 'joined' as const },
    ...(['camera', 'screen'] as const).map((source) => ({
      type: 'consumer.created' as const,
      payload: {
        consumerId: `c-${source}`,
        producerId: `lect-${source === 'camera' ? 'cam' : 'screen'}`,
        peerId: 'p-lecturer',
        kind: 'video' as const,
        source,
        rtpParameters: { codecs: [] },
        producerPaused: false,
      },
    })),
    ...extra,
  ].reduce(roomReducer, initialRoomState());
}

/** The server's answers: the listeners' page (raised hands first), the Q&A. */
function serverSend() {
  return vi.fn((event: string) => {
    if (event === 'lecture.listeners') return Promise.resolve({ total: 2, listeners: [other, listener] });
    if (event === 'qa.list') return Promise.resolve({ questions: [], upvoted: [] });
    return Promise.resolve({ ...question, upvotes: 2 });
  });
}
const listed = (send: ReturnType<typeof vi.fn>) =>
  send.mock.calls.filter(([event]) => event === 'lecture.listeners').length;

/** The room state held as the page holds it: events dispatched through `dispatchRef` change it. */
let dispatchRef: Dispatch<RoomAction> | null = null;
function Live({ initial, children }: { initial: RoomViewState; children: (s: RoomViewState) => ReactNode }) {
  const [state, dispatch] = useReducer(roomReducer, initial);
  dispatchRef = dispatch;
  return children(state);
}

function renderRoom(state: RoomViewState, send: ReturnType<typeof vi.fn> = serverSend()) {
  const ok = () => vi.fn().mockResolvedValue(true);
  const conn = {
    send,
    setMic: ok(),
    setCamera: ok(),
    setScreen: ok(),
    setHand: ok(),
    reportTile: vi.fn(),
    track: () => null,
    on: () => () => undefined,
  } as unknown as RoomConnection;
  const dispatch = vi.fn();
  render(
    <AppProviders>
      <MediaSessionProvider value={{ local: new LocalMedia(), room: conn }}>
        <Live initial={state}>
          {(live) => (
            <RoomContext.Provider value={{ state: live, dispatch, room: conn }}>
              <LectureStage />
              <ControlBar
                participantsOpen
                onToggleParticipants={vi.fn()}
                onLeave={vi.fn()}
                onEndForAll={vi.fn()}
                onToggleQa={vi.fn()}
              />
              <ParticipantsPanel />
              <QaPanel />
              <ChatPanel />
            </RoomContext.Provider>
          )}
        </Live>
      </MediaSessionProvider>
    </AppProviders>,
  );
  return { send, dispatch };
}

describe('lecture view', () => {
  beforeEach(async () => {
    await resetLanguage();
    // jsdom has no MediaStream; the tiles only ask whether an element already shows one.
    if (typeof MediaStream === 'undefined') vi.stubGlobal('MediaStream', class {});
  });

  it('puts the shared screen first and the lecturer as a thumbnail; listeners are counted, not tiled', () => {
    renderRoom(stateAs(listener));
    const main = screen.getByTestId('room-main');
    expect(within(main).getByTestId('screen-tile')).toBeInTheDocument();
    const strip = screen.getByTestId('room-grid');
    expect(within(strip).getByTestId('lecturer-tile')).toBeInTheDocument();
    expect(
      within(strip)
        .queryAllByTestId('speaker-tile')
        .map((x) => x.textContent),
    ).toEqual([
      expect.stringContaining('王书记'), // the host presents too
    ]);
    expect(screen.getByTestId('lecture-listeners')).toHaveTextContent('2 人在听');
  });

  it('a listener is told the count, not the others: no list of listeners to read, the count follows the server', async () => {
    const { send } = renderRoom(stateAs(listener));
    expect(screen.getByTestId('panel-listener-count')).toHaveTextContent('2 人在听');
    expect(screen.queryByTestId('lecture-listener-list')).toBeNull();
    expect(screen.getByTestId('in-room-title')).toHaveTextContent('4'); // host, lecturer and two listeners
    act(() => dispatchRef?.({ type: 'lecture.audience', payload: { listeners: 1200 } }));
    expect(screen.getByTestId('lecture-listeners')).toHaveTextContent('1200 人在听');
    expect(screen.getByTestId('in-room-title')).toHaveTextContent('1202');
    expect(listed(send)).toBe(0);
  });

  it('with no screen shared, the lecturer sees their own camera as the main picture, not a wait', () => {
    renderRoom(stateAs(lecturer)); // the lecturer's own screen consumer is not theirs to show: no screen
    const main = screen.getByTestId('room-main');
    expect(main.querySelector('[data-peer-id="p-lecturer"]')).not.toBeNull();
    expect(main).not.toHaveTextContent('等待主讲人开讲');
    expect(
      within(screen.getByTestId('room-grid'))
        .queryAllByTestId('speaker-tile')
        .map((x) => x.textContent),
    ).toEqual([expect.stringContaining('王书记')]);
  });

  it('a listener has hand and Q&A but no microphone, camera or screen; with the floor, the microphone only', () => {
    renderRoom(stateAs(listener));
    expect(screen.queryByTestId('ctl-mic')).toBeNull();
    expect(screen.queryByTestId('ctl-camera')).toBeNull();
    expect(screen.queryByTestId('ctl-screen')).toBeNull();
    expect(screen.getByTestId('ctl-hand')).toBeInTheDocument();
    expect(screen.getByTestId('ctl-qa')).toBeInTheDocument();
    expect(screen.queryByTestId('lecture-give-floor-p-other')).toBeNull();
  });

  it('the floor given: the microphone appears, the role is shown', () => {
    const state = stateAs(listener, [
      { type: 'lecture.changed', payload: { ...lecture, floorPeerIds: ['p-listener'] } },
    ]);
    expect(lectureRole(state, listener)).toBe('floor');
    renderRoom(state);
    expect(screen.getByTestId('ctl-mic')).toBeInTheDocument();
    expect(screen.queryByTestId('ctl-camera')).toBeNull();
    expect(screen.getByTestId('peer-floor')).toBeInTheDocument();
  });

  it('the lecturer gives the floor to a raised hand (not co-presenters: the host’s call) and marks a question answered', async () => {
    const state = stateAs(lecturer, [{ type: 'ui.questions', questions: [question], upvoted: [] }]);
    const { send } = renderRoom(state);
    expect(screen.getByTestId('ctl-camera')).toBeInTheDocument();
    expect(screen.getByTestId('ctl-screen')).toBeInTheDocument();
    expect(screen.queryByTestId('ctl-hand')).toBeNull(); // the lecturer gives the floor, asks nobody for it
    // the listeners are paged from the server below the stage, raised hands first: 赵听众 before 李听众
    const list = await screen.findByTestId('lecture-listener-list');
    await within(list).findByTestId('lecture-give-floor-p-other');
    expect(send).toHaveBeenCalledWith('lecture.listeners', { offset: 0, limit: 20 });
    const names = screen.getAllByTestId('participant').map((x) => x.getAttribute('data-peer-name'));
    expect(names).toEqual(['刘老师', '王书记', '赵听众', '李听众']);
    await userEvent.click(screen.getByTestId('lecture-give-floor-p-other'));
    expect(send).toHaveBeenCalledWith('lecture.giveFloor', { peerId: 'p-other' });
    expect(screen.queryByTestId('lecture-add-presenter-p-other')).toBeNull(); // the host's call
    await userEvent.click(screen.getByTestId('qa-mark-answered'));
    expect(send).toHaveBeenCalledWith('qa.answer', { questionId: question.id });
  });

  it('the host adds a co-presenter; a listener asks and upvotes once', async () => {
    const { send } = renderRoom(stateAs(host));
    await userEvent.click(await screen.findByTestId('lecture-add-presenter-p-listener'));
    expect(send).toHaveBeenCalledWith('lecture.addPresenter', { peerId: 'p-listener' });

    const asked = stateAs(listener, [
      { type: 'ui.questions', questions: [question], upvoted: [question.id] },
    ]);
    expect(asked.upvoted).toEqual([question.id]);
    const next = roomReducer(asked, { type: 'qa.changed', payload: { ...question, upvotes: 2 } });
    expect(next.questions).toEqual([{ ...question, upvotes: 2 }]);
  });

  it('the presenters’ list is read again when the count or a listener’s hand changes; the floor moves a row to the stage', async () => {
    const { send } = renderRoom(stateAs(lecturer));
    await screen.findByTestId('lecture-give-floor-p-other');
    expect(listed(send)).toBe(1);
    act(() => dispatchRef?.({ type: 'lecture.audience', payload: { listeners: 3 } }));
    await waitFor(() => expect(listed(send)).toBe(2), { timeout: 5000 });
    expect(screen.getByTestId('lecture-listeners-title')).toHaveTextContent('3');
    act(() => dispatchRef?.({ type: 'hand.changed', payload: { peerId: 'p-listener', raised: true } }));
    await waitFor(() => expect(listed(send)).toBe(3), { timeout: 5000 });
    // a burst of changes is one more read, not one each
    act(() => {
      for (let n = 4; n < 10; n++) dispatchRef?.({ type: 'lecture.audience', payload: { listeners: n } });
    });
    await waitFor(() => expect(listed(send)).toBe(4), { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 2 * LISTENERS_SETTLE_MS));
    expect(listed(send)).toBe(4);
    expect(send).toHaveBeenLastCalledWith('lecture.listeners', { offset: 0, limit: 20 });
    // 赵听众 is given the floor: announced (peer.joined), the stage shows them once, with "take it back"
    act(() => {
      dispatchRef?.({ type: 'peer.joined', payload: other });
      dispatchRef?.({ type: 'lecture.changed', payload: { ...lecture, floorPeerIds: ['p-other'] } });
    });
    expect(screen.getAllByTestId('lecture-take-floor-p-other')).toHaveLength(1);
    expect(screen.getAllByTestId('participant').filter((x) => x.dataset.peerId === 'p-other')).toHaveLength(
      1,
    );
  });

  it('a listener types a question and sends it', async () => {
    const { send } = renderRoom(stateAs(listener));
    await userEvent.type(screen.getByTestId('qa-input'), '请讲讲党史学习{Enter}');
    expect(send).toHaveBeenCalledWith('qa.ask', { text: '请讲讲党史学习' });
  });

  it('the chat tells a listener that only the presenters read it; the lecturer sees such a message marked', () => {
    const fromListener = {
      type: 'chat.received' as const,
      payload: {
        id: '1',
        meetingId: room.meetingId,
        userId: listenerId,
        name: '李听众',
        text: '老师好',
        at: '2026-12-01T10:00:00.000Z',
        audience: 'presenters' as const,
      },
    };
    renderRoom(stateAs(listener, [fromListener]));
    expect(screen.getByTestId('chat-listener-note')).toHaveTextContent('仅主讲人可见');
    cleanup();
    renderRoom(stateAs(lecturer, [fromListener]));
    expect(screen.queryByTestId('chat-listener-note')).toBeNull();
    expect(screen.getByTestId('chat-to-presenters')).toHaveTextContent('仅主讲人可见');
  });

  it('a question list that failed to load shows with a retry, not as “no questions”', async () => {
    const send = vi
      .fn()
      .mockRejectedValueOnce(new RtcRequestError('qa.list', { code: 'timeout', message: '服务器没有应答' }))
      .mockResolvedValue({ questions: [], upvoted: [] });
    renderRoom(stateAs(listener), send);
    const failed = await screen.findByTestId('qa-load-failed');
    expect(failed).toHaveTextContent('服务器没有应答');
    expect(screen.queryByText('还没有提问')).toBeNull();

    await userEvent.click(within(failed).getByTestId('qa-load-failed-retry'));
    await waitFor(() => expect(screen.queryByTestId('qa-load-failed')).toBeNull());
    expect(send.mock.calls.filter(([event]) => event === 'qa.list')).toHaveLength(2);
    expect(screen.getByText('还没有提问')).toBeInTheDocument();
  });
});
