import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiRequestError, filenameFromDisposition } from './client';
import type { TokenStore } from './token-store';
import type { TokenPair } from '@branchmeet/shared';

function memoryStore(initial: TokenPair | null): TokenStore & { current: TokenPair | null } {
  return {
    current: initial,
    read() {
      return this.current;
    },
    write(t) {
      this.current = t;
    },
    clear() {
      this.current = null;
    },
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

const expired = { accessToken: 'old-access', refreshToken: 'refresh-1234567890', expiresIn: 900 };

describe('ApiClient', () => {
  it('refreshes once on 401 and retries the request with the new access token', async () => {
    const store = memoryStore(expired);
    const calls: { url: string; auth: string | null }[] = [];
    const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      const auth = new Headers(init?.headers).get('Authorization');
      calls.push({ url, auth });
      if (url === '/api/auth/refresh') {
        expect(JSON.parse(String(init?.body))).toEqual({ refreshToken: 'refresh-1234567890' });
        return json(200, { accessToken: 'new-access', refreshToken: 'refresh-rotated-1', expiresIn: 900 });
      }
      if (auth === 'Bearer old-access')
        return json(401, { code: 'unauthenticated', message: 'token expired' });
      return json(200, [{ id: 'u1' }]);
    });
    const client = new ApiClient({ tokens: store, fetchFn });

    const units = await client.get<{ id: string }[]>('/org-units');

    expect(units).toEqual([{ id: 'u1' }]);
    expect(calls.map((c) => c.url)).toEqual(['/api/org-units', '/api/auth/refresh', '/api/org-units']);
    expect(calls[2].auth).toBe('Bearer new-access');
    expect(store.current?.refreshToken).toBe('refresh-rotated-1');
  });

  it('gives up after a failed refresh: clears the session, tells listeners, and throws the 401', async () => {
    const store = memoryStore(expired);
    const fetchFn = vi.fn(async (input: RequestInfo | URL) => {
      if (String(input) === '/api/auth/refresh')
        return json(401, { code: 'unauthenticated', message: 'revoked' });
      return json(401, { code: 'unauthenticated', message: 'token expired' });
    });
    const client = new ApiClient({ tokens: store, fetchFn });
    const lost = vi.fn();
    client.onSessionLost(lost);

    const error = await client.get('/auth/me').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiRequestError);
    expect((error as ApiRequestError).status).toBe(401);
    expect(fetchFn).toHaveBeenCalledTimes(2); // the request and one refresh, no retry loop
    expect(store.current).toBeNull();
    expect(lost).toHaveBeenCalledOnce();
  });

  it('shares one refresh between requests that fail together', async () => {
    const store = memoryStore(expired);
    let refreshes = 0;
    const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input) === '/api/auth/refresh') {
        refreshes += 1;
        await new Promise((r) => setTimeout(r, 10));
        return json(200, { accessToken: 'new-access', refreshToken: 'refresh-rotated-1', expiresIn: 900 });
      }
      const auth = new Headers(init?.headers).get('Authorization');
      return auth === 'Bearer new-access'
        ? json(200, { ok: true })
        : json(401, { code: 'unauthenticated', message: 'x' });
    });
    const client = new ApiClient({ tokens: store, fetchFn });

    await Promise.all([client.get('/a'), client.get('/b'), client.get('/c')]);

    expect(refreshes).toBe(1);
  });

  it('does not try to refresh when the login itself is rejected, and keeps the server message', async () => {
    const store = memoryStore(null);
    const fetchFn = vi.fn(async () => json(401, { code: 'unauthenticated', message: '手机号或密码错误' }));
    const client = new ApiClient({ tokens: store, fetchFn });

    const error = await client
      .request('/auth/login', { method: 'POST', body: { login: 'x', password: 'y' }, auth: false })
      .catch((e: unknown) => e);

    expect(fetchFn).toHaveBeenCalledOnce();
    expect(error).toMatchObject({ status: 401, code: 'unauthenticated', message: '手机号或密码错误' });
  });

  it('reports field issues of a 400 and a network failure distinctly', async () => {
    const store = memoryStore(expired);
    const issues = [{ path: 'phone', message: '手机号须为 11 位大陆手机号码' }];
    const client = new ApiClient({
      tokens: store,
      fetchFn: async () => json(400, { code: 'validation_failed', message: 'invalid body', issues }),
    });
    await expect(client.post('/org-units/x/members', {})).rejects.toMatchObject({ status: 400, issues });

    const offline = new ApiClient({
      tokens: store,
      fetchFn: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(offline.get('/health')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('asks for the UI language on every request, the refresh included, and follows a switch', async () => {
    const store = memoryStore(expired);
    let language = 'zh-CN';
    const sent: { url: string; lang: string | null }[] = [];
    const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      const headers = new Headers(init?.headers);
      sent.push({ url, lang: headers.get('Accept-Language') });
      if (url === '/api/auth/refresh') {
        return json(200, { accessToken: 'new-access', refreshToken: 'refresh-rotated-1', expiresIn: 900 });
      }
      if (headers.get('Authorization') === 'Bearer old-access') {
        return json(401, { code: 'unauthenticated', message: '访问令牌无效或已过期' });
      }
      return json(200, { ok: true });
    });
    const client = new ApiClient({ tokens: store, fetchFn, language: () => language });

    await client.get('/org-units');
    language = 'en';
    await client.post('/org-units', { name: 'x' });

    expect(sent).toEqual([
      { url: '/api/org-units', lang: 'zh-CN' },
      { url: '/api/auth/refresh', lang: 'zh-CN' },
      { url: '/api/org-units', lang: 'zh-CN' },
      { url: '/api/org-units', lang: 'en' },
    ]);
  });

  it('builds query strings without empty values', () => {
    const client = new ApiClient({ tokens: memoryStore(null), fetchFn: vi.fn() });
    expect(client.url('/audit/events', { limit: 50, unitId: undefined, q: '' })).toBe(
      '/api/audit/events?limit=50',
    );
  });
});

describe('filenameFromDisposition', () => {
  it('prefers the UTF-8 name and falls back to the plain one', () => {
    expect(
      filenameFromDisposition(`attachment; filename="roster.xlsx"; filename*=UTF-8''%E5%90%8D%E5%86%8C.xlsx`),
    ).toBe('名册.xlsx');
    expect(filenameFromDisposition('attachment; filename="roster.xlsx"')).toBe('roster.xlsx');
    expect(filenameFromDisposition(null)).toBeNull();
  });
});
