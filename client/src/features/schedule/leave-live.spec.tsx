import type { LeaveRequest, Meeting, Notification } from '@branchmeet/shared';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppRoutes } from '../../App';
import { AppProviders } from '../../providers';
import { branchA, groupA1, ids, secretaryMe, signIn } from '../../test/fixtures';
import { mockApi } from '../../test/mock-api';
import { resetLanguage } from '../../test/render';
import { AuthProvider } from '../auth/auth-context';
import type { NotificationSocketOptions } from '../notifications/notification-socket';
import { NotificationsProvider } from '../notifications/notifications-context';

const meetingId = '99999999-9999-4999-8999-999999999999';
const leaveId = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const meeting: Meeting = {
  id: meetingId,
  unitId: ids.branchA,
  title: '2026年12月支部党员大会',
  hostUserId: ids.secretary,
  status: 'scheduled',
  startedAt: '2026-12-01T06:00:00.000Z',
  endedAt: null,
  participants: 0,
  type: 'branch_assembly',
  groupId: null,
  scheduledStart: '2026-12-01T06:00:00.000Z',
  scheduledEnd: '2026-12-01T07:00:00.000Z',
  recorderId: ids.secretary,
  lecturerId: null,
  agenda: [],
  settings: { waitingRoom: false, muteOnEntry: true, recordingAllowed: false },
  attendees: [{ userId: ids.member1, name: '李党员', kind: 'expected' }],
  seriesId: null,
};
const memberMe = {
  ...secretaryMe,
  user: { ...secretaryMe.user, id: ids.member1, name: '李党员' },
  memberships: [{ ...secretaryMe.memberships[0], role: 'member' as const }],
};
const request = (over: Partial<LeaveRequest>): LeaveRequest => ({
  id: leaveId,
  meetingId,
  userId: ids.member1,
  name: '李党员',
  reason: '住院',
  type: 'sick',
  status: 'pending',
  decidedBy: null,
  decidedAt: null,
  decisionNote: null,
  createdAt: '2026-11-30T06:00:00.000Z',
  ...over,
});

function renderAs(leave: { current: LeaveRequest[] }) {
  signIn();
  const api = mockApi({
    'GET /auth/me': () => ({ body: memberMe }),
    'GET /org-units': () => ({ body: [{ ...branchA, access: 'member' }, groupA1] }),
    [`GET /org-units/${branchA.id}/members`]: () => ({ body: [] }),
    [`GET /meetings/${meetingId}`]: () => ({ body: meeting }),
    [`GET /meetings/${meetingId}/leave-requests`]: () => ({ body: leave.current }),
    [`POST /meetings/${meetingId}/leave-requests`]: (req) => {
      leave.current = [request({ ...(req.body as object), status: 'pending' })];
      return { status: 201, body: leave.current[0] };
    },
    [`POST /leave-requests/${leaveId}/withdraw`]: () => {
      leave.current = [request({ status: 'withdrawn' })];
      return { body: leave.current[0] };
    },
    'GET /notifications': () => ({ body: { items: [], unread: 0 } }),
  });
  let socket: NotificationSocketOptions | null = null;
  render(
    <AppProviders>
      <AuthProvider>
        <MemoryRouter initialEntries={[`/meetings/${meetingId}/info`]}>
          <NotificationsProvider
            connect={async (opts) => {
              socket = opts;
              opts.onConnected();
              return () => undefined;
            }}
          >
            <AppRoutes />
          </NotificationsProvider>
        </MemoryRouter>
      </AuthProvider>
    </AppProviders>,
  );
  return { ...api, push: (n: Notification) => act(() => socket?.onNotification(n)) };
}

describe('a member’s leave request', () => {
  beforeEach(resetLanguage);

  it('shows the decision as soon as it is pushed, without reloading the page', async () => {
    const leave = { current: [request({})] };
    const { push } = renderAs(leave);
    const status = await screen.findByTestId('leave-status');
    expect(status).toHaveTextContent('待审批');
    expect(screen.getByTestId('leave-type')).toHaveTextContent('病假');
    leave.current = [
      request({ status: 'approved', decidedBy: ids.secretary, decidedAt: '2026-11-30T07:00:00.000Z' }),
    ];
    push({
      id: 'b0000000-0000-4000-8000-000000000001',
      kind: 'leave.decided',
      meetingId,
      params: { title: meeting.title, start: meeting.startedAt, status: 'approved', note: null },
      read: false,
      createdAt: '2026-11-30T07:00:00.000Z',
    });
    await waitFor(() => expect(screen.getByTestId('leave-status')).toHaveTextContent('已批准'));
  }, 60_000);

  it('chooses a type when asking, and withdraws a pending request (then may ask again)', async () => {
    const leave = { current: [] as LeaveRequest[] };
    const { requests } = renderAs(leave);
    fireEvent.click(await screen.findByTestId('ask-leave'));
    fireEvent.mouseDown(within(await screen.findByTestId('leave-type-select')).getByRole('combobox'));
    fireEvent.click(await screen.findByTitle('公差'));
    fireEvent.change(screen.getByTestId('leave-reason'), { target: { value: '外地出差' } });
    fireEvent.click(screen.getByTestId('leave-submit'));
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
        reason: '外地出差',
        type: 'business',
      }),
    );
    expect(await screen.findByTestId('leave-type')).toHaveTextContent('公差');
    expect(screen.queryByTestId('ask-leave')).toBeNull();

    fireEvent.click(await screen.findByTestId('leave-withdraw'));
    // The confirmation's own 撤回.
    const confirm = await waitFor(() => {
      const button = document.querySelector<HTMLElement>('.ant-popconfirm-buttons .ant-btn-primary');
      if (!button) throw new Error('no confirmation yet');
      return button;
    });
    fireEvent.click(confirm);
    await waitFor(() => expect(screen.getByTestId('leave-status')).toHaveTextContent('已撤回'));
    expect(requests.some((r) => r.method === 'POST' && r.path.endsWith('/withdraw'))).toBe(true);
    expect(await screen.findByTestId('ask-leave')).toBeInTheDocument();
  }, 60_000);
});
