/**
 * A lecture across nodes, benchmarked: one lecturer (opus + 3-layer simulcast VP8) → N receivers (an audio and a
 * video consumer each) spread evenly over 1, 2 and 3 nodes. The nodes are MediaServices in this process, one
 * mediasoup worker each, joined by an in-memory MediaCluster (each message and answer goes through JSON, as over
 * Redis); their routers are joined by the app's own RemoteRoute — PipeTransports with SRTP and RTX over loopback
 * UDP — and the owner pipes the lecturer's producers to each other node, as a lecture does when its owner is full.
 * Receivers are PlainTransports sending to a port no one reads, as in lecture-bench.ts (same sender, same
 * counters): for each layout, each worker's CPU over a window (utime + stime from /proc, share of one core) and
 * the loss (what the consumers forwarded against what they should have). Prints the busiest worker's CPU and the
 * sum over the workers, each as a ratio to the single node's.
 *
 * Not part of `npm test` nor `npm run bench`: `npm run bench:lecture-nodes -w test` (about a minute).
 * Env: BENCH_NODES_N (receivers, default 300), BENCH_LECTURE_WINDOW_MS (window, default 3000).
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { types } from 'mediasoup';
import { layersForTile } from '../media/layers';
import { MediaService } from '../media/media.service';
import { RemoteRoute, type MediaCluster, type PipeMessage } from '../media/remote-route';
import { cpuTicks, oneWorkerMedia, outboundPackets, startLecturer } from './lecture-bench';
import { sleep } from './werift';

const N = Number(process.env.BENCH_NODES_N ?? 300);
const WINDOW_MS = Number(process.env.BENCH_LECTURE_WINDOW_MS ?? 3000);
const WARMUP_MS = 1500;
const DRAIN_MS = 200;
const SINK_PORT = 9;
const CLK_TCK = 100;
const LOOPBACK = { ip: '127.0.0.1', announcedAddress: '127.0.0.1' };

const roundTrip = <T>(x: T): T => JSON.parse(JSON.stringify(x ?? null)) as T;

/** Nodes that reach each other by calling `serve` directly, through JSON. */
function mesh(nodes: Map<string, MediaService>) {
  return (self: string): MediaCluster => ({
    nodeId: self,
    pickNode: async (avoid) => [...nodes.keys()].find((id) => id !== self && !avoid.includes(id)),
    request: async <T>(to: string, message: PipeMessage) => {
      const node = nodes.get(to);
      if (!node) throw new Error(`no node ${to}`);
      return roundTrip((await node.serve(self, roundTrip(message))) as T);
    },
  });
}

interface Layout {
  nodes: number;
  /** Per worker (owner first): CPU as a share of one core, and the loss of its consumers. */
  cpu: number[];
  loss: number[];
}

async function measureLayout(k: number): Promise<Layout> {
  const nodes = new Map<string, MediaService>();
  const base = 63000 + Math.floor(Math.random() * 200) * 10;
  for (let i = 0; i < k; i++) {
    nodes.set(`node-${i + 1}`, await oneWorkerMedia(base + i));
  }
  const link = mesh(nodes);
  for (const [id, media] of nodes) media.attachCluster(link(id));
  const owner = nodes.get('node-1');
  if (!owner) throw new Error('no owner');
  try {
    const meetingId = randomUUID();
    const { sender, micId, cameraId, pc } = await startLecturer(owner, meetingId);
    const room = await owner.room(meetingId);
    const routers: { router: types.Router; pid: number }[] = [
      { router: room.router, pid: owner.workers()[0].pid },
    ];
    for (const [id, media] of nodes) {
      if (media === owner) continue;
      const remote = await RemoteRoute.open(id, meetingId, room.router, LOOPBACK, link('node-1'), () => {});
      for (const producerId of [micId, cameraId]) await remote.pipe(room.findProducer(producerId).producer);
      const router = media.audience.router(meetingId);
      if (!router) throw new Error(`node ${id} serves no router`);
      routers.push({ router, pid: media.workers()[0].pid });
    }
    // N receivers, evenly over the routers; consumed as the room does (paused, resumed, layers of a 720 px tile).
    const consumers: types.Consumer[][] = routers.map(() => []);
    for (let i = 0; i < N; i++) {
      const at = i % routers.length;
      const { router } = routers[at];
      const transport = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
        enableBwe: false,
      });
      await transport.connect({ ip: '127.0.0.1', port: SINK_PORT });
      for (const producerId of [micId, cameraId]) {
        const c = await transport.consume({
          producerId,
          rtpCapabilities: router.rtpCapabilities,
          paused: true,
        });
        await c.resume();
        if (c.type === 'simulcast') await c.setPreferredLayers(layersForTile(720));
        consumers[at].push(c);
      }
    }
    await sleep(WARMUP_MS);
    const all = consumers.flat();
    const routerOf = consumers.flatMap((list, at) => list.map(() => at));
    const settleBy = Date.now() + 8000;
    while (
      Date.now() < settleBy &&
      all.some((c) => c.kind === 'video' && c.currentLayers?.spatialLayer !== 2)
    )
      await sleep(100);

    sender.pause();
    await sleep(DRAIN_MS);
    const before = await outboundPackets(all);
    const layers = all.map((c) => c.currentLayers?.spatialLayer);
    const sentBefore = { audio: sender.sent.audio, video: [...sender.sent.video] };
    sender.resume();
    const cpu0 = routers.map((r) => cpuTicks(r.pid));
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const cpu1 = routers.map((r) => cpuTicks(r.pid));
    const seconds = (performance.now() - t0) / 1000;
    sender.pause();
    await sleep(DRAIN_MS);
    const after = await outboundPackets(all);
    const sentAudio = sender.sent.audio - sentBefore.audio;
    const sentVideo = sender.sent.video.map((x, i) => x - sentBefore.video[i]);
    const expected = routers.map(() => 0);
    const forwarded = routers.map(() => 0);
    all.forEach((c, i) => {
      const at = routerOf[i];
      forwarded[at] += after[i] - before[i];
      expected[at] += c.kind === 'audio' ? sentAudio : sentVideo[layers[i] ?? 2];
    });
    sender.stop();
    await pc.close().catch(() => undefined);
    return {
      nodes: k,
      cpu: cpu1.map((x, i) => (x - cpu0[i]) / CLK_TCK / seconds),
      loss: expected.map((e, i) => (e > 0 ? Math.max(0, 1 - forwarded[i] / e) : 1)),
    };
  } finally {
    for (const media of nodes.values()) await media.close();
  }
}

export async function lectureNodesBench() {
  Logger.overrideLogger(['warn', 'error']);
  console.log(
    `\nlecture across nodes: one lecturer (opus + 3-layer simulcast VP8) → ${N} receivers (audio + video each), ` +
      'spread evenly over 1, 2 and 3 nodes of one worker each, piped node to node (SRTP, RTX)',
  );
  const layouts: Layout[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  for (const k of [1, 2, 3]) {
    const l = await measureLayout(k);
    layouts.push(l);
    console.log(
      `  ${k} node(s), owner first: worker CPU ${l.cpu.map(pct).join(' / ')}; loss ${l.loss.map(pct).join(' / ')}`,
    );
  }
  const one = layouts[0].cpu[0];
  for (const l of layouts.slice(1)) {
    const max = Math.max(...l.cpu);
    const sum = l.cpu.reduce((a, b) => a + b, 0);
    console.log(
      `  ${l.nodes} nodes vs 1: busiest worker ×${(max / one).toFixed(2)} (even split: ×${(1 / l.nodes).toFixed(2)}), ` +
        `all workers ×${(sum / one).toFixed(2)} (the pipes' cost above ×1.00)`,
    );
  }
  return layouts;
}

if (require.main === module) {
  lectureNodesBench().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
