import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { adminMe, branchA, groupA1, ids, secretaryMe, signIn, unit } from '../../test/fixtures';
import { mockApi } from '../../test/mock-api';
import { renderApp, resetLanguage } from '../../test/render';

const committee = unit({
  id: ids.committee,
  name: '机关党委',
  type: 'committee',
  memberCount: 3,
  access: 'admin',
});

describe('app shell', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('shows the audit log only to administrators', async () => {
    signIn();
    mockApi({
      'GET /auth/me': () => ({ body: secretaryMe }),
      'GET /org-units': () => ({ body: [branchA, groupA1] }),
      [`GET /org-units/${branchA.id}/members`]: () => ({ body: [] }),
    });
    const first = renderApp('/org');
    const nav = await screen.findByTestId('side-nav');
    expect(within(nav).getByText('组织架构')).toBeInTheDocument();
    expect(within(nav).getByText('第一党支部')).toBeInTheDocument();
    expect(within(nav).queryByText('审计日志')).toBeNull();
    first.unmount();

    signIn();
    mockApi({
      'GET /auth/me': () => ({ body: adminMe }),
      'GET /org-units': () => ({ body: [committee, { ...branchA, access: 'admin' }] }),
    });
    renderApp('/org');
    expect(await within(await screen.findByTestId('side-nav')).findByText('审计日志')).toBeInTheDocument();
  });

  it('opens the user’s branch from “/” and the tree shows the visible units nested', async () => {
    signIn();
    mockApi({
      'GET /auth/me': () => ({ body: secretaryMe }),
      'GET /org-units': () => ({ body: [branchA, groupA1] }),
      [`GET /org-units/${branchA.id}/members`]: () => ({ body: [] }),
    });
    const user = userEvent.setup();
    renderApp('/');
    expect(await screen.findByTestId('unit-title')).toHaveTextContent('第一党支部');

    await user.click(within(screen.getByTestId('side-nav')).getByText('组织架构'));
    const tree = await screen.findByTestId('org-tree');
    expect(within(tree).getByText('第一党支部')).toBeInTheDocument();
    expect(within(tree).getByText('第一党小组')).toBeInTheDocument();
  });

  it('makes a user with a temporary password change it before going on', async () => {
    signIn();
    let mustChange = true;
    const { requests } = mockApi({
      'GET /auth/me': () => ({
        body: { ...secretaryMe, user: { ...secretaryMe.user, mustChangePassword: mustChange } },
      }),
      'GET /org-units': () => ({ body: [branchA] }),
      [`GET /org-units/${branchA.id}/members`]: () => ({ body: [] }),
      'POST /auth/change-password': () => {
        mustChange = false;
        return { status: 204 };
      },
    });
    const user = userEvent.setup();
    renderApp('/');

    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('您正在使用临时密码');
    fireEvent.change(within(dialog).getByTestId('current-password'), { target: { value: 'Temp-12345' } });
    fireEvent.change(within(dialog).getByTestId('new-password'), { target: { value: 'Better-pass-1' } });
    fireEvent.change(within(dialog).getByTestId('confirm-password'), { target: { value: 'Better-pass-1' } });
    await user.click(within(dialog).getByTestId('change-password-save'));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests.find((r) => r.path === '/auth/change-password')?.body).toEqual({
      currentPassword: 'Temp-12345',
      newPassword: 'Better-pass-1',
    });
  });

  it('returns to the login page when the session cannot be refreshed', async () => {
    signIn();
    mockApi({
      'GET /auth/me': () => ({ status: 401, body: { code: 'unauthenticated', message: 'expired' } }),
      'POST /auth/refresh': () => ({ status: 401, body: { code: 'unauthenticated', message: 'revoked' } }),
    });
    renderApp('/org');
    expect(await screen.findByTestId('login-submit')).toBeInTheDocument();
    expect(localStorage.getItem('branchmeet.tokens')).toBeNull();
  });
});
