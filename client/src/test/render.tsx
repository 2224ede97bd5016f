import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { AppRoutes } from '../App';
import { AuthProvider } from '../features/auth/auth-context';
import { setLanguage } from '../i18n';
import { AppProviders } from '../providers';

/** Renders the whole app at a route, as a user would open it. */
export function renderApp(route: string) {
  return renderWithProviders(<AppRoutes />, route);
}

export function renderWithProviders(ui: ReactElement, route = '/') {
  return render(
    <AppProviders>
      <AuthProvider>
        <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
      </AuthProvider>
    </AppProviders>,
  );
}

/** Tests start in the default language. */
export async function resetLanguage(): Promise<void> {
  await setLanguage('zh-CN');
  localStorage.removeItem('branchmeet.lang');
}
