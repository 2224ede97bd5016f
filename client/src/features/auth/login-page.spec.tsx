import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { branchA, groupA1, rosterA, secretaryMe, tokens } from '../../test/fixtures';
import { mockApi } from '../../test/mock-api';
import { renderApp, resetLanguage } from '../../test/render';

describe('login page', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('shows the server’s message when the login is rejected', async () => {
    const { requests } = mockApi({
      'POST /auth/login': () => ({
        status: 401,
        body: { code: 'unauthenticated', message: '手机号、用户名或密码错误' },
      }),
    });
    const user = userEvent.setup();
    renderApp('/login');

    await user.type(screen.getByTestId('login-input'), '13800000001');
    await user.type(screen.getByTestId('password-input'), 'wrong-password');
    await user.click(screen.getByTestId('login-submit'));

    expect(await screen.findByText('手机号、用户名或密码错误')).toBeInTheDocument();
    expect(requests).toHaveLength(1);
    expect(requests[0].body).toEqual({ login: '13800000001', password: 'wrong-password' });
    expect(localStorage.getItem('branchmeet.tokens')).toBeNull();
  });

  it('asks for both fields before calling the server', async () => {
    const { requests } = mockApi({});
    const user = userEvent.setup();
    renderApp('/login');

    await user.click(screen.getByTestId('login-submit'));

    expect(await screen.findByText('请输入手机号或用户名')).toBeInTheDocument();
    expect(screen.getByText('请输入密码')).toBeInTheDocument();
    expect(requests).toHaveLength(0);
  });

  it('signs in, keeps the tokens, and opens the user’s branch with its roster', async () => {
    mockApi({
      'POST /auth/login': () => ({ body: { ...tokens, me: secretaryMe } }),
      'GET /org-units': () => ({ body: [branchA, groupA1] }),
      [`GET /org-units/${branchA.id}/members`]: () => ({ body: rosterA }),
    });
    const user = userEvent.setup();
    renderApp('/login');

    await user.type(screen.getByTestId('login-input'), 'wang');
    await user.type(screen.getByTestId('password-input'), 'correct-horse');
    await user.click(screen.getByTestId('login-submit'));

    expect(await screen.findByTestId('unit-title')).toHaveTextContent('第一党支部');
    expect(await screen.findByText('李党员')).toBeInTheDocument();
    expect(JSON.parse(localStorage.getItem('branchmeet.tokens') ?? '{}')).toMatchObject({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
    });
  });

  it('sends a visitor without a session from a protected page to the login page', async () => {
    mockApi({});
    renderApp(`/units/${branchA.id}`);
    await waitFor(() => expect(screen.getByTestId('login-submit')).toBeInTheDocument());
  });
});
