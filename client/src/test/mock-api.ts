import { vi } from 'vitest';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export type MockReply = { status?: number; body?: unknown; headers?: Record<string, string> };
export type Handler = (req: RecordedRequest) => MockReply | Promise<MockReply>;

/**
 * Replaces global fetch with a tiny router keyed by "METHOD /path" (path relative to /api, without query).
 * Unknown routes answer 404 with an ApiError so a missing handler shows up as a visible failure.
 */
export function mockApi(handlers: Record<string, Handler>) {
  const requests: RecordedRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/^\/api/, '');
    let body: unknown = init?.body ?? null;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        /* keep the text */
      }
    }
    const req: RecordedRequest = {
      method,
      path,
      query: url.searchParams,
      headers: new Headers(init?.headers),
      body,
    };
    requests.push(req);
    const handler = handlers[`${method} ${path}`];
    const reply: MockReply = handler
      ? await handler(req)
      : { status: 404, body: { code: 'not_found', message: `no mock for ${method} ${path}` } };
    const status = reply.status ?? 200;
    if (reply.body instanceof Blob) {
      return new Response(reply.body, { status, headers: reply.headers });
    }
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status,
      headers: { 'Content-Type': 'application/json', ...reply.headers },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { requests, fetchMock };
}
