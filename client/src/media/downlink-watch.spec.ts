import { describe, expect, it } from 'vitest';
import { DownlinkWatch, REPEAT_MS } from './downlink-watch';
import type { ConsumerStats } from './room-connection';

/** Counters of one peer's mic and camera consumers (48,000 samples played a second). */
interface Peer {
  id: string;
  concealed: number;
  packets: number;
  videoPackets: number;
}
const peer = (id: string): Peer => ({ id, concealed: 0, packets: 0, videoPackets: 0 });
const stats = (t: number, peers: Peer[]): ConsumerStats[] =>
  peers.flatMap((p) => [
    {
      consumerId: `mic-${p.id}`,
      peerId: p.id,
      kind: 'audio' as const,
      source: 'mic' as const,
      totalSamplesReceived: t * 48_000,
      concealedSamples: p.concealed,
      packetsReceived: p.packets,
    },
    {
      consumerId: `cam-${p.id}`,
      peerId: p.id,
      kind: 'video' as const,
      source: 'camera' as const,
      packetsReceived: p.videoPackets,
    },
  ]);

/**
 * Polls once a second from `from` to `to`; before each poll, every peer's counters grow by what `second(peer, t)`
 * says. Returns the reports.
 */
function feed(
  watch: DownlinkWatch,
  peers: Peer[],
  from: number,
  to: number,
  second: (p: Peer, t: number) => { concealed: number; packets: number; videoPackets: number },
) {
  const out: { t: number; report: boolean }[] = [];
  for (let t = from; t <= to; t += 1) {
    if (t > 0)
      for (const p of peers) {
        const d = second(p, t);
        p.concealed += d.concealed;
        p.packets += d.packets;
        p.videoPackets += d.videoPackets;
      }
    const expected = new Set(peers.map((p) => `mic-${p.id}`));
    const r = watch.update(t * 1000, stats(t, peers), expected);
    if (r !== null) out.push({ t, report: r });
  }
  return out;
}
const clean = () => ({ concealed: 0, packets: 50, videoPackets: 80 });
/** The link collapsed: a few late audio packets, most of the audio concealed, a trickle of video. */
const collapsed = () => ({ concealed: 40_000, packets: 3, videoPackets: 4 });
/** The sender's network died: nothing at all from it. */
const dead = () => ({ concealed: 48_000, packets: 0, videoPackets: 0 });

describe('the receiver’s own view of its downlink', () => {
  it('says nothing while the audio arrives clean, or with a little loss concealed', () => {
    const watch = new DownlinkWatch();
    const out = feed(watch, [peer('a')], 0, 30, (_, t) => ({
      ...clean(),
      concealed: t % 5 === 0 ? 3000 : 200,
    }));
    expect(out).toEqual([]);
  });

  it('reports broken audio at the first poll after a collapse, repeats it while broken, and the recovery', () => {
    const watch = new DownlinkWatch();
    const peers = [peer('a'), peer('b')];
    expect(feed(watch, peers, 0, 10, clean)).toEqual([]);
    const broken = feed(watch, peers, 11, 20, collapsed);
    expect(broken[0]).toEqual({ t: 11, report: true });
    expect(broken.filter((x) => x.report).length).toBeGreaterThanOrEqual(1 + Math.floor(8000 / REPEAT_MS));
    // Back: clean again once the window has no broken second left.
    expect(feed(watch, peers, 21, 26, clean)).toEqual([{ t: 22, report: false }]);
  });

  it('a sender whose network died is not this link: nothing at all arrives from it', () => {
    const watch = new DownlinkWatch();
    const peers = [peer('a')];
    expect(feed(watch, peers, 0, 10, clean)).toEqual([]);
    expect(feed(watch, peers, 11, 20, dead)).toEqual([]);
  });

  it('one peer’s audio broken while another’s arrives clean is that peer, not this link', () => {
    const watch = new DownlinkWatch();
    const peers = [peer('a'), peer('b')];
    expect(feed(watch, peers, 0, 10, clean)).toEqual([]);
    expect(feed(watch, peers, 11, 20, (p) => (p.id === 'a' ? collapsed() : clean()))).toEqual([]);
  });

  it('judges only audio that should arrive: a muted microphone is not a broken link', () => {
    const watch = new DownlinkWatch();
    for (let t = 0; t <= 10; t += 1)
      expect(
        watch.update(t * 1000, stats(t, [{ ...peer('a'), concealed: t * 48_000 }]), new Set()),
      ).toBeNull();
  });
});
