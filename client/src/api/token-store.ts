import type { TokenPair } from '@branchmeet/shared';

/** Where the session's tokens live between page loads. */
export interface TokenStore {
  read(): TokenPair | null;
  write(tokens: TokenPair): void;
  clear(): void;
}

const STORAGE_KEY = 'branchmeet.tokens';

function isTokenPair(value: unknown): value is TokenPair {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.accessToken === 'string' && typeof v.refreshToken === 'string';
}

/** Tokens in localStorage, so a reload keeps the user signed in. */
export function localStorageTokenStore(storage: Storage = window.localStorage): TokenStore {
  return {
    read() {
      const raw = storage.getItem(STORAGE_KEY);
      if (!raw) return null;
      try {
        const parsed: unknown = JSON.parse(raw);
        return isTokenPair(parsed) ? parsed : null;
      } catch {
        return null;
      }
    },
    write(tokens) {
      storage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    },
    clear() {
      storage.removeItem(STORAGE_KEY);
    },
  };
}
