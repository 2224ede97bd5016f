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
});
