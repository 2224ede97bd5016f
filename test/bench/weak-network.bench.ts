/**
 * Weak-network benchmark: the member's phone-sized Chromium in its own network namespace behind the user-space
 * shaper (test/e2e/support/shaper.ts), the secretary publishing camera and a speech-like mic; per profile (a fresh
 * app and namespace each) the figures of the weak-network targets, side by side with the unshaped run. Needs root.
 * Run alone: `node -r ts-node/register/transpile-only test/bench/weak-network.bench.ts` (after `npm run build`).
 * BENCH_WEAK_SECONDS (default 40): how long each profile is observed after the first audio. BENCH_WEAK_ONLY: a
 * comma-separated list of the profiles to run (names as printed, or `drop`), e.g. `150k/300ms/5%,drop`.
 */
import type { LinkProfile } from '../e2e/support/shaper';
import { shapingAvailable } from '../e2e/support/shaper-netns';
import {
  between,
  joinOver,
  observe,
  PROFILES,
  sample,
  startWeakSession,
  type LinkSample,
  type WeakSession,
} from '../e2e/support/weak-link';

interface Row {
  profile: string;
  firstAudioS: number;
  firstFrameS: number;
  fps: string;
  layer: string;
  concealed: string;
  jitter: string;
  notice: string;
  badge: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const sec = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)} s` : '—');
const at = (xs: LinkSample[], t: number) => xs.find((x) => x.at >= t) ?? xs[xs.length - 1];

async function badge(s: WeakSession): Promise<string> {
  return (
    (await s.phone
      .locator('[data-testid=self-quality]')
      .first()
      .getAttribute('data-quality')
      .catch(() => null)) ?? '?'
  );
}

async function steady(name: string, profile: LinkProfile, seconds: number): Promise<Row> {
  const s = await startWeakSession();
  try {
    const j = await joinOver(s, profile);
    const xs = await observe(s.phone, seconds * 1000);
    const all = between(at(xs, j.joinedAt + 10_000), xs[xs.length - 1]);
    const fps = between(xs[0], xs[xs.length - 1]).fps;
    const heights = [...new Set(xs.map((x) => x.video.frameHeight).filter((h) => h > 0))];
    const lowest = (await sample(s.host)).outbound.r0?.frameHeight ?? 0;
    return {
      profile: name,
      firstAudioS: j.firstAudioMs / 1000,
      firstFrameS: j.firstFrameMs / 1000,
      fps: fps.toFixed(1),
      layer: `${heights.join('/') || '—'}p (lowest ${lowest}p)`,
      concealed: pct(all.concealed),
      jitter: sec(all.jitterDelayS),
      notice: xs.some((x) => x.notice) ? 'shown' : '—',
      badge: await badge(s),
    };
  } finally {
    await s.close();
  }
}

/** 1 Mbit/s, 10 s at 50 kbit/s, 1 Mbit/s again: each phase's figures and the recovery times. */
async function drop(seconds: number): Promise<Row> {
  const s = await startWeakSession();
  try {
    const j = await joinOver(s, PROFILES['1M/80ms/1%']);
    const before = await observe(s.phone, Math.max(15, seconds / 2) * 1000);
    s.ns.setProfile(PROFILES['50k/80ms/1%']);
    const dropped = Date.now();
    const during = await observe(s.phone, 10_000, 500);
    const noticeAt = during.find((x) => x.notice)?.at;
    s.ns.setProfile(PROFILES['1M/80ms/1%']);
    const back = Date.now();
    const after = await observe(s.phone, 25_000, 500);
    let audioBack = NaN;
    let videoBack = NaN;
    for (let i = 4; i < after.length; i++) {
      const w = between(after[i - 4], after[i]);
      if (Number.isNaN(audioBack) && w.jitterDelayS < 0.4) audioBack = (after[i].at - back) / 1000;
      if (Number.isNaN(videoBack) && w.fps >= 2) videoBack = (after[i].at - back) / 1000;
    }
    const phases = [before, during, after].map((xs) => between(xs[0], xs[xs.length - 1]));
    // The picture once back: the last 15 s after the recovery.
    const settled = between(at(after, back + 10_000), after[after.length - 1]);
    return {
      profile: '1M → 10 s 50k → 1M',
      firstAudioS: j.firstAudioMs / 1000,
      firstFrameS: j.firstFrameMs / 1000,
      fps: `${phases.map((p) => p.fps.toFixed(1)).join(' → ')} (last 15 s ${settled.fps.toFixed(1)})`,
      layer: phases.map((p) => `${p.frameHeight}p`).join(' → '),
      concealed: phases.map((p) => pct(p.concealed)).join(' → '),
      jitter: `${phases.map((p) => sec(p.jitterDelayS)).join(' → ')}; < 0.4 s after ${sec(audioBack)}, video after ${sec(videoBack)}`,
      notice: noticeAt !== undefined ? `shown ${sec((noticeAt - dropped) / 1000)} into the drop` : '—',
      badge: await badge(s),
    };
  } finally {
    await s.close();
  }
}

export async function weakNetworkBench(): Promise<{ pass: boolean }> {
  const why = shapingAvailable();
  if (why) {
    console.log(`\nweak-network benchmark skipped: ${why}`);
    return { pass: false };
  }
  const seconds = Number(process.env.BENCH_WEAK_SECONDS ?? 40);
  const only = process.env.BENCH_WEAK_ONLY?.split(',').map((x) => x.trim());
  const wanted = (name: string) => !only || only.includes(name);
  const rows: Row[] = [];
  for (const name of ['unshaped', '1M/80ms/1%', '400k/150ms/3%', '150k/300ms/5%'] as const) {
    if (!wanted(name)) continue;
    rows.push(await steady(name, PROFILES[name], seconds));
    console.log(`  measured ${name}`);
  }
  if (wanted('drop')) rows.push(await drop(seconds));
  console.log(
    `\nweak network: phone in a network namespace behind the shaper, ${seconds} s per profile (jitter buffer and concealment after the first 10 s)`,
  );
  console.log(
    '| profile | join → first audio / frame | video fps | layer | audio concealed | jitter buffer | notice | badge |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.profile} | ${sec(r.firstAudioS)} / ${sec(r.firstFrameS)} | ${r.fps} | ${r.layer} | ${r.concealed} | ${r.jitter} | ${r.notice} | ${r.badge} |`,
    );
  const weak = rows.find((r) => r.profile === '150k/300ms/5%');
  const pass =
    !!weak && weak.firstAudioS < 5 && parseFloat(weak.concealed) < 10 && parseFloat(weak.jitter) < 0.6;
  console.log(
    `${pass ? 'PASS' : 'WARN'} 150 kbit/s: first audio < 5 s, concealed < 10%, jitter buffer < 0.6 s`,
  );
  return { pass };
}

if (require.main === module)
  weakNetworkBench().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
