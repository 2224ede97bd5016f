import type { Notification } from '@branchmeet/shared';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppRoutes } from '../../App';
import { branchA, groupA1, ids, secretaryMe, signIn } from '../../test/fixtures';
import { mockApi } from '../../test/mock-api';
import { resetLanguage } from '../../test/render';
import { AuthProvider } from '../auth/auth-context';
import { AppProviders } from '../../providers';
import type { NotificationSocketOptions } from './notification-socket';
import { NotificationsProvider } from './notifications-context';

const meetingId = '99999999-9999-4999-8999-999999999999';
const note = (over: Partial<Notification> & Pick<Notification, 'id' | 'kind'>): Notification => ({
  meetingId,
  params: { title: '2027年2月 支部党员大会', start: '2027-02-01T06:00:00.000Z', unitName: '第一党支部' },
  read: false,
  createdAt: '2027-01-20T02:00:00.000Z',
  ...over,
});

describe('notification bell', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('shows the unread count, words each kind, takes pushes and marks read', async () => {
    signIn();
    let unread = 2;
    const { requests } = mockApi({
      'GET /auth/me': () => ({ body: secretaryMe }),
      'GET /org-units': () => ({ body: [branchA, groupA1] }),
      [`GET /org-units/${ids.branchA}/members`]: () => ({ body: [] }),
      'GET /notifications': () => ({
        body: {
          items: [
            note({ id: 'a0000000-0000-4000-8000-000000000001', kind: 'meeting.scheduled' }),
            note({
              id: 'a0000000-0000-4000-8000-000000000002',
              kind: 'leave.decided',
              params: { title: '党课', status: 'approved', note: '同意' },
            }),
          ],
          unread,
        },
      }),
      'POST /notifications/read': () => {
        unread = 0;
        return { body: { unread } };
      },
      [`GET /meetings/${meetingId}`]: () => ({ status: 404, body: { code: 'not_found', message: 'x' } }),
    });
    let socket: NotificationSocketOptions | null = null;
    const connect = async (opts: NotificationSocketOptions) => {
      socket = opts;
      opts.onConnected();
      return () => undefined;
    };
    const user = userEvent.setup();
    render(
      <AppProviders>
        <AuthProvider>
          <MemoryRouter initialEntries={['/org']}>
            <NotificationsProvider connect={connect}>
              <AppRoutes />
            </NotificationsProvider>
          </MemoryRouter>
        </AuthProvider>
      </AppProviders>,
    );
    const bell = await screen.findByTestId('notification-bell');
    await waitFor(() => expect(within(bell).getByText('2')).toBeInTheDocument());

    // A push: counted at once, and shown as a toast.
    act(() =>
      socket?.onNotification(
        note({
          id: 'a0000000-0000-4000-8000-000000000003',
          kind: 'meeting.reminder',
          createdAt: '2027-02-01T05:46:00Z',
        }),
      ),
    );
    await waitFor(() => expect(within(bell).getByText('3')).toBeInTheDocument());
    expect(await screen.findByText(/将于 .* 开始，现在即可入会/)).toBeInTheDocument();

    await user.click(bell);
    const items = await screen.findAllByTestId('notification-item');
    expect(items).toHaveLength(3);
    expect(items[0]).toHaveTextContent('“2027年2月 支部党员大会”将于');
    expect(items[1]).toHaveTextContent('第一党支部安排了“2027年2月 支部党员大会”');
    expect(items[2]).toHaveTextContent('您对“党课”的请假申请已获批准。审批意见：同意');

    await user.click(screen.getByTestId('notifications-read-all'));
    await waitFor(() => expect(within(bell).queryByText('3')).toBeNull());
    expect(requests.find((r) => r.path === '/notifications/read')?.body).toEqual({ all: true });
    expect(screen.getAllByTestId('notification-item').every((i) => i.dataset.read === 'true')).toBe(true);
  });
});
