import type { Browser, BrowserContext, Page } from 'playwright-core';

/** One row of `window.__bmRoom.stats()` (client/src/media/room-connection.ts `ConsumerStats`). */
export interface ConsumerStat {
  consumerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: 'mic' | 'camera' | 'screen';
  framesDecoded?: number;
  packetsReceived?: number;
  bytesReceived?: number;
}

/** `window.__bmRoom` (client/src/media/test-hooks.ts), as seen from page.evaluate. */
declare global {
  interface Window {
    __bmRoom?: {
      readonly peerId: string | null;
      consumerIds(): string[];
      stats(): Promise<ConsumerStat[]>;
      signalTrace?(): {
        connectedAt: number | null;
        requests: { event: string; sentAt: number; ackAt: number | null }[];
      };
    };
  }
}

export interface Member {
  label: string;
  context: BrowserContext;
  page: Page;
  me: { id: string; name?: string } & Record<string, unknown>;
}

export const PASSWORD = 'Demo@2026';

export async function apiLogin(baseUrl: string, login: string) {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${login}: ${res.status} ${await res.text()}`);
  return (await res.json()) as {
    accessToken: string;
    refreshToken: string;
    expiresIn: number;
    me: Member['me'];
  };
}

/** A JSON request to the app's API with `token`: GET, or POST when there is a body; throws on an error status. */
export async function apiCall<T>(baseUrl: string, token: string, path: string, body?: object): Promise<T> {
  const res = await fetch(`${baseUrl}/api${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * A browser context signed in as `login` (the tokens the login page would store); the tests' client build has the
 * room's test hooks (`window.__bmRoom`). One context per person: own storage, own fake devices.
 */
export async function openAs(
  browser: Browser,
  baseUrl: string,
  login: string,
  viewport = { width: 1280, height: 800 },
): Promise<Member> {
  const t = await apiLogin(baseUrl, login);
  const context = await browser.newContext({ viewport, permissions: ['camera', 'microphone'] });
  await context.addInitScript(
    (tokens) => {
      localStorage.setItem('branchmeet.tokens', JSON.stringify(tokens));
    },
    { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresIn: t.expiresIn },
  );
  const page = await context.newPage();
  page.on('pageerror', (e) => console.warn(`[${login} pageerror]`, e.message));
  return { label: login, context, page, me: t.me };
}

export async function branchId(baseUrl: string, token: string, name: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/org-units`, { headers: { authorization: `Bearer ${token}` } });
  const units = (await res.json()) as { id: string; name: string }[];
  const unit = units.find((u) => u.name === name);
  if (!unit) throw new Error(`no unit ${name}`);
  return unit.id;
}

export function stats(page: Page): Promise<ConsumerStat[]> {
  return page.evaluate(() => (window.__bmRoom ? window.__bmRoom.stats() : [])) as Promise<ConsumerStat[]>;
}

export function peerIdOf(page: Page): Promise<string | null> {
  return page.evaluate(() => window.__bmRoom?.peerId ?? null);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sum of a counter over the consumers of `peerId` of one kind/source (a reconnect may replace consumers). */
function total(
  rows: ConsumerStat[],
  peerId: string,
  source: ConsumerStat['source'],
  field: keyof ConsumerStat,
) {
  return rows
    .filter((r) => r.peerId === peerId && r.source === source)
    .reduce((sum, r) => sum + (typeof r[field] === 'number' ? (r[field] as number) : 0), 0);
}

export interface Flow {
  peerId: string;
  source: ConsumerStat['source'];
  /** framesDecoded for video, packetsReceived for audio */
  field: 'framesDecoded' | 'packetsReceived';
  /** how much it must grow over the observation (default 10) */
  min?: number;
}

/**
 * Polls the page's receive stats until every flow grew by at least `min` since the first sample taken here,
 * within `timeoutMs`. Counters are keyed by consumer: a consumer that appears later counts from zero.
 * Returns the growth per flow; throws naming the flows that did not grow.
 */
export async function waitFlowing(page: Page, flows: Flow[], timeoutMs = 15_000): Promise<number[]> {
  const base = new Map<string, number>();
  const first = await stats(page);
  for (const r of first) {
    base.set(`${r.consumerId}:f`, r.framesDecoded ?? 0);
    base.set(`${r.consumerId}:p`, r.packetsReceived ?? 0);
  }
  const growth = (rows: ConsumerStat[]) =>
    flows.map((f) =>
      rows
        .filter((r) => r.peerId === f.peerId && r.source === f.source)
        .reduce((sum, r) => {
          const key = `${r.consumerId}:${f.field === 'framesDecoded' ? 'f' : 'p'}`;
          return sum + ((r[f.field] ?? 0) - (base.get(key) ?? 0));
        }, 0),
    );
  const deadline = Date.now() + timeoutMs;
  let last: number[] = [];
  for (;;) {
    last = growth(await stats(page));
    if (last.every((g, i) => g >= (flows[i].min ?? 10))) return last;
    if (Date.now() > deadline) {
      const bad = flows
        .map((f, i) => `${f.source}/${f.field} of ${f.peerId}: +${last[i]}`)
        .filter((_, i) => last[i] < (flows[i].min ?? 10));
      throw new Error(`media not flowing on ${page.url()}: ${bad.join('; ')}`);
    }
    await sleep(250);
  }
}

/**
 * Waits until a counter of `peerId`'s `source` stops growing: two samples `windowMs` apart differ by at most
 * `slack`. Returns the growth seen over that quiet window.
 */
export async function waitStalled(
  page: Page,
  peerId: string,
  source: ConsumerStat['source'],
  field: 'framesDecoded' | 'packetsReceived',
  { windowMs = 1500, slack = 1, timeoutMs = 10_000 } = {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = total(await stats(page), peerId, source, field);
    await sleep(windowMs);
    const b = total(await stats(page), peerId, source, field);
    if (b - a <= slack) return b - a;
    if (Date.now() > deadline) throw new Error(`${source}/${field} of ${peerId} still grows (+${b - a})`);
  }
}

/** Polls `fn` until it returns true, with a deadline (no fixed sleeps in tests). */
export async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 10_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(everyMs);
  }
}

/**
 * The secretary of 第一党支部 schedules a branch assembly and joins it from `browser`: the member, the meeting and
 * the host's peer id (the paths tests: a viewer then joins the same meeting from another browser).
 */
export async function hostNewMeeting(
  browser: Browser,
  baseUrl: string,
): Promise<{ host: Member; meetingId: string; hostPeer: string }> {
  const t = await apiLogin(baseUrl, 'secretary1');
  const unit = await branchId(baseUrl, t.accessToken, '第一党支部');
  const meeting = await apiCall<{ id: string }>(baseUrl, t.accessToken, `/org-units/${unit}/meetings`, {
    type: 'branch_assembly',
    start: new Date(Date.now() + 60_000).toISOString(),
  });
  const host = await openAs(browser, baseUrl, 'secretary1');
  try {
    await host.page.goto(`${baseUrl}/meetings/${meeting.id}`, { waitUntil: 'domcontentloaded' });
    await host.page.getByTestId('prejoin-join').click();
    await until('host joined', async () => (await peerIdOf(host.page)) !== null, 30_000);
    return { host, meetingId: meeting.id, hostPeer: (await peerIdOf(host.page))! };
  } catch (e) {
    await host.context.close().catch(() => undefined);
    throw e;
  }
}

/**
 * Clicks 加入 on a page that shows the prejoin screen and waits for the host's camera: the time from the click to
 * the first decoded frame (ms), once 20 frames have been decoded.
 */
export async function firstFrameAfterJoin(page: Page, hostPeer: string, what: string): Promise<number> {
  const joinClicked = Date.now();
  await page.getByTestId('prejoin-join').click();
  let firstFrameMs = -1;
  await until(
    what,
    async () => {
      const rows = await stats(page);
      const ok = rows.some(
        (r) => r.peerId === hostPeer && r.source === 'camera' && (r.framesDecoded ?? 0) > 0,
      );
      if (ok && firstFrameMs < 0) firstFrameMs = Date.now() - joinClicked;
      return ok;
    },
    60_000,
    100,
  );
  await waitFlowing(page, [{ peerId: hostPeer, source: 'camera', field: 'framesDecoded', min: 20 }], 30_000);
  return firstFrameMs;
}
