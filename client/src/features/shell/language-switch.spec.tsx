import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockApi } from '../../test/mock-api';
import { renderApp, resetLanguage } from '../../test/render';

describe('language switch', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('shows Chinese by default and switches the visible text to English, remembering the choice', async () => {
    mockApi({});
    const user = userEvent.setup();
    renderApp('/login');

    expect(screen.getByText('手机号或用户名')).toBeInTheDocument();
    expect(screen.getByTestId('login-submit')).toHaveTextContent(/登\s*录/);

    await user.click(screen.getByTestId('lang-switch'));
    await user.click(await screen.findByText('English'));

    await waitFor(() => expect(screen.getByText('Phone number or username')).toBeInTheDocument());
    expect(screen.getByTestId('login-submit')).toHaveTextContent('Sign in');
    expect(screen.queryByText('手机号或用户名')).toBeNull();
    expect(localStorage.getItem('branchmeet.lang')).toBe('en');
    expect(document.documentElement.lang).toBe('en');
  });

  it('asks the server for messages in the chosen language, so its errors switch too', async () => {
    const { requests } = mockApi({
      'POST /auth/login': (req) => ({
        status: 401,
        body: {
          code: 'unauthenticated',
          message: req.headers.get('Accept-Language')?.startsWith('en')
            ? 'wrong phone number, username or password'
            : '手机号、用户名或密码错误',
        },
      }),
    });
    const user = userEvent.setup();
    renderApp('/login');
    await user.type(screen.getByTestId('login-input'), '13800000001');
    await user.type(screen.getByTestId('password-input'), 'wrong-password');

    await user.click(screen.getByTestId('login-submit'));
    expect(await screen.findByText('手机号、用户名或密码错误')).toBeInTheDocument();

    await user.click(screen.getByTestId('lang-switch'));
    await user.click(await screen.findByText('English'));
    await user.click(await screen.findByTestId('login-submit'));
    expect(await screen.findByText('wrong phone number, username or password')).toBeInTheDocument();
    expect(requests.map((r) => r.headers.get('Accept-Language'))).toEqual(['zh-CN', 'en']);
  });
});
