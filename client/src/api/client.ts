import { apiRoutes, type ApiError, type TokenPair } from '@branchmeet/shared';
import { currentLanguage } from '../i18n';
import { localStorageTokenStore, type TokenStore } from './token-store';

/** A failed API call: the server's `ApiError` plus the HTTP status. `body` keeps the raw JSON for callers
 * that expect a structured answer with an error status (e.g. a roster import report). */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: ApiError['issues'];
  readonly body: unknown;

  constructor(status: number, error: ApiError, body: unknown) {
    super(error.message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = error.code;
    this.issues = error.issues;
    this.body = body;
  }
}

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** JSON body, sent with `Content-Type: application/json`. */
  body?: unknown;
  /** Multipart body (file uploads); the browser sets the boundary. */
  formData?: FormData;
  query?: Record<string, QueryValue>;
  /** Send the bearer token and refresh on 401 (default true). Login and refresh themselves use false. */
  auth?: boolean;
  signal?: AbortSignal;
  /** Let the request outlive the page (a last report sent while the page is being closed or reloaded). */
  keepalive?: boolean;
}

export interface ApiClientOptions {
  baseUrl?: string;
  tokens?: TokenStore;
  fetchFn?: typeof fetch;
  /** The UI language, sent as Accept-Language so the server's messages match it (default: i18n's current). */
  language?: () => string;
}

export interface DownloadedFile {
  blob: Blob;
  filename: string | null;
}

const NETWORK_ERROR: ApiError = { code: 'network_error', message: 'network error' };

function toApiError(status: number, body: unknown, statusText: string): ApiError {
  if (typeof body === 'object' && body !== null) {
    const b = body as Record<string, unknown>;
    if (typeof b.message === 'string') {
      return {
        code: typeof b.code === 'string' ? b.code : `http_${status}`,
        message: b.message,
        issues: Array.isArray(b.issues) ? (b.issues as ApiError['issues']) : undefined,
        correlationId: typeof b.correlationId === 'string' ? b.correlationId : undefined,
      };
    }
    // NestJS default shape: { statusCode, message: string[] , error }
    if (Array.isArray(b.message)) {
      return { code: `http_${status}`, message: b.message.map(String).join('; ') };
    }
  }
  return { code: `http_${status}`, message: statusText || `HTTP ${status}` };
}

/** Reads `filename*=UTF-8''…` or `filename="…"` from a Content-Disposition header. */
export function filenameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      /* fall through to the plain form */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header);
  return plain ? plain[1].trim() : null;
}

/**
 * A small typed fetch client: JSON in and out, bearer token, one refresh on 401 then one retry.
 * When the session cannot be refreshed, tokens are cleared and `onSessionLost` listeners run (the app then
 * shows the login page).
 */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly tokens: TokenStore;
  private readonly fetchFn: typeof fetch;
  private readonly language: () => string;
  private refreshing: Promise<boolean> | null = null;
  private readonly sessionLostListeners = new Set<() => void>();

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '/api';
    this.tokens = options.tokens ?? localStorageTokenStore();
    // Bind lazily so tests can replace globalThis.fetch after the client was created.
    this.fetchFn = options.fetchFn ?? ((input, init) => globalThis.fetch(input, init));
    this.language = options.language ?? currentLanguage;
  }

  hasSession(): boolean {
    return this.tokens.read() !== null;
  }

  setTokens(tokens: TokenPair): void {
    this.tokens.write({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresIn: tokens.expiresIn,
    });
  }

  clearTokens(): void {
    this.tokens.clear();
  }

  refreshToken(): string | null {
    return this.tokens.read()?.refreshToken ?? null;
  }

  /** The current access token, for connections that cannot go through `request` (the live-room socket). */
  accessToken(): string | null {
    return this.tokens.read()?.accessToken ?? null;
  }

  /** Gets a new access token after something else was refused with it; clears the session when that fails. */
  async refreshSession(): Promise<boolean> {
    const ok = await this.refreshOnce();
    if (!ok) this.loseSession();
    return ok;
  }

  onSessionLost(listener: () => void): () => void {
    this.sessionLostListeners.add(listener);
    return () => this.sessionLostListeners.delete(listener);
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(path, options);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (!text) return undefined as T;
    return JSON.parse(text) as T;
  }

  get<T>(path: string, query?: Record<string, QueryValue>): Promise<T> {
    return this.request<T>(path, { query });
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>(path, { method: 'POST', body: body ?? {} });
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>(path, { method: 'PATCH', body });
  }

  delete<T = void>(path: string): Promise<T> {
    return this.request<T>(path, { method: 'DELETE' });
  }

  /** Fetches a file with the bearer token (a plain link could not send it). */
  async download(path: string, query?: Record<string, QueryValue>): Promise<DownloadedFile> {
    const response = await this.send(path, { query });
    const blob = await response.blob();
    return { blob, filename: filenameFromDisposition(response.headers.get('Content-Disposition')) };
  }

  /** Sends the request; resolves with an OK response or rejects with ApiRequestError. */
  private async send(path: string, options: RequestOptions): Promise<Response> {
    const auth = options.auth ?? true;
    let response = await this.attempt(path, options, auth);
    if (response.status === 401 && auth && this.tokens.read()) {
      const refreshed = await this.refreshOnce();
      if (refreshed) {
        response = await this.attempt(path, options, auth);
      }
      if (!refreshed || response.status === 401) {
        this.loseSession();
      }
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
      throw new ApiRequestError(
        response.status,
        toApiError(response.status, body, response.statusText),
        body,
      );
    }
    return response;
  }

  private async attempt(path: string, options: RequestOptions, auth: boolean): Promise<Response> {
    const headers = this.baseHeaders();
    let body: BodyInit | undefined;
    if (options.formData) {
      body = options.formData;
    } else if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const access = auth ? this.tokens.read()?.accessToken : undefined;
    if (access) headers.Authorization = `Bearer ${access}`;
    try {
      return await this.fetchFn(this.url(path, options.query), {
        method: options.method ?? 'GET',
        headers,
        body,
        signal: options.signal,
        ...(options.keepalive ? { keepalive: true } : {}),
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiRequestError(0, NETWORK_ERROR, null);
    }
  }

  /** Every request asks for JSON in the UI's language (the server renders its messages in it). */
  private baseHeaders(): Record<string, string> {
    return { Accept: 'application/json', 'Accept-Language': this.language() };
  }

  /** Concurrent 401s share one refresh call. */
  private refreshOnce(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = this.tokens.read()?.refreshToken;
    if (!refreshToken) return false;
    try {
      const response = await this.fetchFn(this.url(apiRoutes.auth.refresh), {
        method: 'POST',
        headers: { ...this.baseHeaders(), 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      });
      if (!response.ok) return false;
      const pair = (await response.json()) as TokenPair;
      if (typeof pair.accessToken !== 'string' || typeof pair.refreshToken !== 'string') return false;
      this.setTokens(pair);
      return true;
    } catch {
      return false;
    }
  }

  private loseSession(): void {
    this.tokens.clear();
    for (const listener of this.sessionLostListeners) listener();
  }
}

/** The app's one client. */
export const api = new ApiClient();

/** Saves a downloaded blob as a file in the browser. */
export function saveBlob(file: DownloadedFile, fallbackName: string): void {
  const url = URL.createObjectURL(file.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename ?? fallbackName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
