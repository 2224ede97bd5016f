import type { LoginRequest, Me } from '@branchmeet/shared';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from '../../api/client';
import { http } from '../../api/endpoints';

export type AuthState = { status: 'loading' } | { status: 'anonymous' } | { status: 'signed-in'; me: Me };

export interface AuthContextValue {
  state: AuthState;
  /** The signed-in user, or null. */
  me: Me | null;
  login(request: LoginRequest): Promise<Me>;
  logout(): Promise<void>;
  reloadMe(): Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>(() =>
    api.hasSession() ? { status: 'loading' } : { status: 'anonymous' },
  );

  const reloadMe = useCallback(async () => {
    try {
      const me = await http.me();
      setState({ status: 'signed-in', me });
    } catch {
      setState({ status: 'anonymous' });
    }
  }, []);

  useEffect(() => {
    if (api.hasSession()) void reloadMe();
    return api.onSessionLost(() => setState({ status: 'anonymous' }));
  }, [reloadMe]);

  const login = useCallback(async (request: LoginRequest) => {
    const response = await http.login(request);
    api.setTokens(response);
    setState({ status: 'signed-in', me: response.me });
    return response.me;
  }, []);

  const logout = useCallback(async () => {
    const refreshToken = api.refreshToken();
    api.clearTokens();
    setState({ status: 'anonymous' });
    if (refreshToken) {
      // Revoke server-side; the local session is gone either way.
      await http.logout(refreshToken).catch(() => undefined);
    }
  }, []);

  const value = useMemo<AuthContextValue>(
    () => ({ state, me: state.status === 'signed-in' ? state.me : null, login, logout, reloadMe }),
    [state, login, logout, reloadMe],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth must be used inside <AuthProvider>');
  return ctx;
}

/** The signed-in user; only for components rendered behind <RequireAuth>. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error('useMe used outside a signed-in area');
  return me;
}
