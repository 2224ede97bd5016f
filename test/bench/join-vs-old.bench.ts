/**
 * The join benchmark on the old stack and on this one in the same run: is joining slower after the move to Node 24
 * and mediasoup 3.32 / mediasoup-client 3.24? Both apps run at once (each its own process, Node binary, fresh
 * database on DATABASE_URL, HTTP port and media port), each with a publisher in a live meeting; the same Chromium
 * joins one and then the other in interleaved rounds (old first in odd rounds, new first in even ones), so both
 * see the same machine at the same time. Prints the medians and the new/old ratio.
 *
 * Two intervals, both taken in the joiner's page (join.bench.ts's measureJoin):
 * - click → first frame: from the click on the pre-join page's join button to the first decoded remote camera
 *   frame — what the person waits for, the same on both versions; the ratio that answers the question.
 * - trace → first frame: join.bench.ts's own interval, from the room's start on a connected `/rtc` socket. The old
 *   client opened that socket at the click (its handshake is inside the interval); the new one joins on the socket
 *   the app already has open, so this ratio also measures that change, not only the versions.
 *
 *   npm run bench:join-vs-old -w test     (needs the old install, else it says what is missing and skips)
 * Env: BENCH_ROUNDS (default 5), BENCH_JOINS_PER_ROUND (default 2), plus old-stack.ts's BENCH_OLD_STACK and
 * BENCH_OLD_NODE. Not part of `npm test` nor of `npm run bench`.
 */
import { cpus, loadavg } from 'node:os';
import type { BrowserContext } from 'playwright-core';
import { startAppServer, type AppServer } from '../e2e/support/app-server';
import { launchBrowser } from '../e2e/support/browser';
import { ensureAppBuilt, ensureSharedBuilt } from './app-build';
import {
  baseline,
  measureJoin,
  median,
  openJoinRoom,
  quantile,
  type JoinRoom,
  type JoinSample,
} from './join.bench';
import { describeInstall, newInstall, oldInstall, skipMessage, type Install } from './old-stack';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const JOINS_PER_ROUND = Number(process.env.BENCH_JOINS_PER_ROUND ?? 2);

/**
 * The old client has no build of its own for the tests: its room hooks (`window.__bmRoom`, which measureJoin reads)
 * are turned on by this key; the new client ignores it.
 */
async function enableOldTestHooks(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => localStorage.setItem('branchmeet.testHooks', '1'));
}

interface Side {
  install: Install;
  server: AppServer;
  room: JoinRoom;
  samples: JoinSample[];
  /** click → first frame of each round's joins */
  byRound: number[][];
  /** joins that did not reach a frame (measureJoin's 20 s limit), with the round */
  failed: string[];
}

export async function joinVsOld(): Promise<{ pass: boolean } | null> {
  const found = oldInstall(['server/dist/main.js', 'client/dist/index.html']);
  if ('missing' in found) {
    console.log(skipMessage('join-vs-old', found.root, found.missing));
    return null;
  }
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  ensureSharedBuilt();
  ensureAppBuilt();
  const installs = [found.install, newInstall()];
  console.log(`\njoin, old stack vs new, one run (load average ${loadavg()[0].toFixed(1)}):`);
  for (const i of installs) console.log(`  ${describeInstall(i)}`);

  const servers: AppServer[] = [];
  const browser = await launchBrowser();
  try {
    const sides: Side[] = [];
    for (const install of installs) {
      const old = install === found.install;
      // One after the other: the second's free media port is chosen with the first's worker already listening.
      const server = await startAppServer({
        mediaWorkers: 1,
        ...(old
          ? { install: { root: install.root, node: install.node, clientDist: `${install.root}/client/dist` } }
          : {}),
      });
      servers.push(server);
      const room = await openJoinRoom(browser, server.baseUrl, old ? enableOldTestHooks : undefined);
      // warm-up: first page load, caches, codec init (not counted)
      await measureJoin(room.joiner.page, room.meetingUrl);
      sides.push({ install, server, room, samples: [], byRound: [], failed: [] });
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        side.byRound.push([]);
        for (let j = 0; j < JOINS_PER_ROUND; j++) {
          try {
            const sample = await measureJoin(side.room.joiner.page, side.room.meetingUrl);
            side.samples.push(sample);
            side.byRound[round].push(sample.fromClickMs);
          } catch (e) {
            // counted and shown, not hidden: the next join loads the page afresh
            side.failed.push(`round ${round + 1}: ${(e as Error).message.split('\n')[0]}`);
          }
        }
      }
    }
    for (const side of sides) {
      await side.room.joiner.context.close();
      await side.room.publisher.context.close();
    }
    const floor = await baseline(browser, sides[1].server.baseUrl, ROUNDS * JOINS_PER_ROUND);

    const msf = (x: number) => `${x.toFixed(0).padStart(5)} ms`;
    const stats = (xs: number[]) => `median ${msf(median(xs))}   p95 ${msf(quantile(xs, 0.95))}`;
    const n = ROUNDS * JOINS_PER_ROUND;
    console.log(
      `  ${n} joins tried each (after 1 warm-up each), ${ROUNDS} interleaved rounds of ${JOINS_PER_ROUND}`,
    );
    for (const side of sides) {
      const click = side.samples.map((s) => s.fromClickMs);
      const trace = side.samples.map((s) => s.ms);
      const seq = Math.max(...side.samples.map((s) => s.sequential));
      console.log(
        `  ${side.install.label}  click → first frame ${stats(click)}   trace → first frame ${stats(trace)}   ` +
          `round trips ≤ ${seq}`,
      );
      console.log(`       each (click → frame) ${click.map((x) => x.toFixed(0)).join(' ')} ms`);
      if (side.failed.length)
        console.log(`       ${side.failed.length} join(s) reached no frame: ${side.failed.join('; ')}`);
    }
    console.log(`  load average at the end ${loadavg()[0].toFixed(1)} (${cpus().length} cores)`);
    console.log(`  baseline  bare RTCPeerConnection between two pages ${stats(floor)}`);
    const ratio = (f: (s: JoinSample) => number) =>
      median(sides[1].samples.map(f)) / median(sides[0].samples.map(f));
    const clickRatio = ratio((s) => s.fromClickMs);
    console.log(`  ratio new / old (medians): click → first frame ${clickRatio.toFixed(2)}x`);
    // Paired by round: both sides of a round ran back to back, so a busy spell of the machine falls on both.
    // rounds where both sides have a join that reached a frame
    const perRound = sides[0].byRound
      .map((old, r) => [old, sides[1].byRound[r]])
      .filter(([old, nu]) => old.length > 0 && nu.length > 0)
      .map(([old, nu]) => median(nu) / median(old));
    console.log(
      `                             click → first frame per round ${perRound.map((x) => x.toFixed(2)).join(' ')}, ` +
        `median of rounds ${median(perRound).toFixed(2)}x`,
    );
    console.log(
      `                             trace → first frame ${ratio((s) => s.ms).toFixed(2)}x ` +
        `(the new client's room starts on an open socket: not the same interval)`,
    );
    for (const side of sides)
      console.log(
        `  ratio ${side.install.label} click → first frame / baseline ` +
          `${(median(side.samples.map((s) => s.fromClickMs)) / median(floor)).toFixed(2)}x`,
      );
    // No regression: the new median within 10% of the old one (the rounds' spread on a shared machine).
    const pass = clickRatio <= 1.1;
    console.log(
      `  target: join does not regress (new/old ≤ 1.10) → ${pass ? 'PASS' : 'WARN'} (${clickRatio.toFixed(2)}x)`,
    );
    return { pass };
  } finally {
    await browser.close();
    for (const server of servers) await server.stop();
  }
}

if (require.main === module)
  joinVsOld().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
