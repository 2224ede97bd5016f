import type { NotificationPrefs } from '@branchmeet/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { branchA, groupA1, secretaryMe, signIn } from '../../test/fixtures';
import { mockApi } from '../../test/mock-api';
import { renderApp, resetLanguage } from '../../test/render';

describe('notification channels', () => {
  beforeEach(resetLanguage);

  it('a manager switches the branch’s e-mail on; a person sets an address and takes one event off the robot', async () => {
    signIn();
    let prefs: NotificationPrefs = { email: null, webhook: null, events: {} };
    const { requests } = mockApi({
      'GET /auth/me': () => ({ body: secretaryMe }),
      'GET /org-units': () => ({ body: [{ ...branchA, access: 'manager' }, groupA1] }),
      [`GET /org-units/${branchA.id}/members`]: () => ({ body: [] }),
      [`GET /org-units/${branchA.id}/meetings/live`]: () => ({ body: [] }),
      [`GET /org-units/${branchA.id}/meetings`]: () => ({ body: [] }),
      [`GET /org-units/${branchA.id}/notification-channels`]: () => ({
        body: { email: false, webhook: false },
      }),
      [`PUT /org-units/${branchA.id}/notification-channels`]: (req) => ({ body: req.body }),
      'GET /notification-prefs': () => ({ body: prefs }),
      'PUT /notification-prefs': (req) => {
        prefs = req.body as NotificationPrefs;
        return { body: prefs };
      },
    });
    renderApp(`/units/${branchA.id}`);
    const card = await screen.findByTestId('branch-channels');
    fireEvent.click(within(card).getByTestId('branch-channel-email'));
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({ email: true, webhook: false }),
    );
    await waitFor(() => expect(within(card).getByTestId('branch-channel-email')).toBeChecked());

    // The user menu → 通知渠道.
    fireEvent.click(screen.getByTestId('user-menu'));
    fireEvent.click(await screen.findByText('通知渠道'));
    fireEvent.change(await screen.findByTestId('channel-email'), { target: { value: 'li@example.org' } });
    fireEvent.click(screen.getByTestId('channel-meeting.reminder-webhook'));
    fireEvent.click(screen.getByTestId('channel-prefs-save'));
    await waitFor(() =>
      expect(prefs).toEqual({
        email: 'li@example.org',
        webhook: null,
        events: { 'meeting.reminder': ['email'] },
      }),
    );
  }, 60_000);
});
