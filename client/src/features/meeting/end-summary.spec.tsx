import type { PeerInfo, RoomState } from '@branchmeet/shared';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalMedia, MediaSessionProvider, type RoomConnection } from '../../media';
import { AppProviders } from '../../providers';
import { resetLanguage } from '../../test/render';
import { RoomContext } from './room-context';
import { initialRoomState, roomReducer, type RoomAction, type RoomViewState } from './room-store';
import { RoomView } from './room-view';

const hostId = '55555555-5555-4555-8555-555555555555';
const memberId = '66666666-6666-4666-8666-666666666666';
const room: RoomState = {
  meetingId: '99999999-9999-4999-8999-999999999999',
  title: '12月支委会',
  hostUserId: hostId,
  locked: false,
  waitingRoom: false,
};
const peer = (peerId: string, userId: string, name: string): PeerInfo => ({
  peerId,
  userId,
  name,
  role: userId === hostId ? 'host' : 'member',
  handRaised: false,
  producers: [],
});
const host = peer('p-host', hostId, '王书记');
const member = peer('p-member', memberId, '李党员');

function endedAs(self: PeerInfo): RoomViewState {
  const actions: RoomAction[] = [
    {
      type: 'joined',
      self,
      room,
      peers: [host, member].filter((p) => p !== self),
      chat: [],
      resumed: false,
      lecture: undefined,
    },
    { type: 'connection', state: 'joined' },
    { type: 'room.ended', payload: { by: host.peerId } },
    { type: 'connection', state: 'ended' },
  ];
  return actions.reduce(roomReducer, initialRoomState());
}

function Where() {
  return <div data-testid="where">{useLocation().pathname}</div>;
}

function renderEnded(state: RoomViewState) {
  const conn = { send: vi.fn(), on: () => () => undefined, track: () => null } as unknown as RoomConnection;
  render(
    <AppProviders>
      <MemoryRouter initialEntries={['/meetings/x']}>
        <MediaSessionProvider value={{ local: new LocalMedia(), room: conn }}>
          <RoomContext.Provider value={{ state, dispatch: vi.fn(), room: conn }}>
            <Routes>
              <Route
                path="/meetings/x"
                element={
                  <RoomView title={room.title} onLeave={vi.fn()} onRejoin={vi.fn()} onBack={vi.fn()} />
                }
              />
              <Route path="*" element={<Where />} />
            </Routes>
          </RoomContext.Provider>
        </MediaSessionProvider>
      </MemoryRouter>
    </AppProviders>,
  );
}

describe('after the end', () => {
  beforeEach(resetLanguage);

  it('the host sees a summary with 写会议记录 and 查看考勤, each opening its page', async () => {
    renderEnded(endedAs(host));
    expect(screen.getByTestId('end-summary')).toHaveTextContent('“12月支委会”已结束，结束时在会 2 人');
    const user = userEvent.setup();
    await user.click(screen.getByTestId('end-write-minutes'));
    expect(screen.getByTestId('where')).toHaveTextContent(`/meetings/${room.meetingId}/minutes`);
  });

  it('查看考勤 opens the meeting page', async () => {
    renderEnded(endedAs(host));
    await userEvent.setup().click(screen.getByTestId('end-attendance'));
    expect(screen.getByTestId('where')).toHaveTextContent(`/meetings/${room.meetingId}/info`);
  });

  it('a member who was ended sees no summary', () => {
    renderEnded(endedAs(member));
    expect(screen.queryByTestId('end-summary')).toBeNull();
    expect(screen.getByTestId('room-final')).toHaveAttribute('data-state', 'ended');
  });
});
