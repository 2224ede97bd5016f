/**
 * The media service against the real mediasoup worker (the one the install resolved): RTP through plain
 * transports, one router per meeting under concurrent joins, and a killed worker being replaced.
 * Loopback only; no database.
 */
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { Test } from '@nestjs/testing';
import type { types } from 'mediasoup';
import { loadMediaConfig, type MediaConfig } from './media.config';
import { MediaModule } from './media.module';
import { MediaService } from './media.service';

function testConfig(workers: number): MediaConfig {
  return loadMediaConfig({
    ...process.env,
    NODE_ENV: 'test',
    MEDIA_WORKERS: String(workers),
    // A port range of its own, so parallel runs rarely collide.
    MEDIA_RTC_PORT_BASE: String(42000 + Math.floor(Math.random() * 600) * 10),
    MEDIA_LISTEN_IP: '127.0.0.1',
    MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
    MEDIA_LOG_LEVEL: 'error',
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what: string, pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function udpSocket(): Promise<Socket> {
  const s = createSocket('udp4');
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve(s)));
}

const OPUS_PT = 111;
const SSRC = 0x1234abcd;

function rtpPacket(seq: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80; // V=2
  h[1] = OPUS_PT;
  h.writeUInt16BE(seq, 2);
  h.writeUInt32BE(seq * 960, 4);
  h.writeUInt32BE(SSRC, 8);
  return Buffer.concat([h, payload]);
}

/** RTCP shares the port (rtcp-mux): its packet types 192-223 land on RTP payload types 64-95 (RFC 5761). */
const isRtcp = (b: Buffer) => (b[1] & 0x7f) >= 64 && (b[1] & 0x7f) <= 95;

/** Parses an RTP packet, skipping CSRCs and the header extension block mediasoup may add. */
function parseRtp(b: Buffer): { pt: number; seq: number; ssrc: number; payload: Buffer } {
  const csrcs = b[0] & 0x0f;
  let offset = 12 + csrcs * 4;
  if (b[0] & 0x10) offset += 4 + b.readUInt16BE(offset + 2) * 4;
  return { pt: b[1] & 0x7f, seq: b.readUInt16BE(2), ssrc: b.readUInt32BE(8), payload: b.subarray(offset) };
}

describe('media service with the real mediasoup worker', () => {
  let media: MediaService;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    media = new MediaService(testConfig(1));
    await media.start();
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await media.close();
  });

  it('forwards RTP from a plain-transport producer to a consumer byte for byte, only once it is resumed', async () => {
    const router = await media.getOrCreateRouter('meeting-plain');
    const listenInfo: types.TransportListenInfo = { protocol: 'udp', ip: '127.0.0.1' };
    const sendTransport = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
    const producer = await sendTransport.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: SSRC }],
      },
    });

    const receiver = await udpSocket();
    const sender = await udpSocket();
    sockets.push(receiver, sender);
    const received: Buffer[] = [];
    receiver.on('message', (m) => {
      if (!isRtcp(m)) received.push(m);
    });
    const recvTransport = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
    await recvTransport.connect({ ip: '127.0.0.1', port: receiver.address().port });
    const consumer = await recvTransport.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
      paused: true,
    });
    const consumerSsrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
    // The consumer's media only: mediasoup 3.32's bandwidth estimation also sends probation packets (their own
    // SSRC, padding only) on a transport whose consumer is paused.
    const ofConsumer = () => received.filter((m) => m.readUInt32BE(8) === consumerSsrc);

    const sent = new Map<number, Buffer>();
    const send = async (from: number, count: number) => {
      for (let seq = from; seq < from + count; seq++) {
        const payload = Buffer.concat([
          Buffer.from([0xfc, seq & 0xff]),
          Buffer.from(`packet ${seq} `.repeat(4)),
        ]);
        sent.set(seq, payload);
        sender.send(rtpPacket(seq, payload), sendTransport.tuple.localPort, '127.0.0.1');
        await sleep(5);
      }
    };

    await send(0, 10); // consumer still paused: nothing may arrive
    await sleep(300);
    expect(ofConsumer()).toHaveLength(0);
    expect((await producer.getStats())[0]?.packetCount).toBe(10);

    await consumer.resume();
    await send(10, 50);
    await waitFor('50 packets at the consumer', () => ofConsumer().length >= 50, 3000);

    const consumerPt = consumer.rtpParameters.codecs[0].payloadType;
    const packets = ofConsumer().map(parseRtp);
    expect(packets.every((p) => p.ssrc === consumerSsrc && p.pt === consumerPt)).toBe(true);
    // mediasoup rewrites sequence numbers; match each packet to what was sent by its payload.
    const payloads = packets.map((p) => p.payload.toString('hex'));
    const expected = [...sent.entries()].filter(([seq]) => seq >= 10).map(([, p]) => p.toString('hex'));
    expect(payloads).toEqual(expected);
  });

  it('serves a simulcast camera at the layer of the tile it is shown in, and closes consumers with it', async () => {
    const M = 'meeting-simulcast';
    await media.join(M, { peerId: 'cam', userId: 'u-cam' });
    const send = await media.createTransport(M, 'cam', 'send');
    const vp8 = {
      mimeType: 'video/VP8',
      payloadType: 101,
      clockRate: 90000,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
    };
    const camera = await media.produce(M, 'cam', {
      transportId: send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: {
        mid: '0',
        codecs: [vp8],
        encodings: [111, 222, 333].map((ssrc) => ({ ssrc, scalabilityMode: 'L1T3' })),
      },
    });
    // A second camera, or a microphone carrying video, is refused.
    const again = {
      transportId: send.id,
      kind: 'video' as const,
      rtpParameters: { mid: '1', codecs: [vp8], encodings: [{ ssrc: 444 }] },
    };
    await expect(media.produce(M, 'cam', { ...again, source: 'camera' })).rejects.toMatchObject({
      code: 'source_in_use',
    });
    await expect(media.produce(M, 'cam', { ...again, source: 'mic' })).rejects.toMatchObject({
      code: 'bad_request',
    });

    const router = await media.getOrCreateRouter(M);
    await media.join(M, { peerId: 'viewer', userId: 'u-viewer', rtpCapabilities: router.rtpCapabilities });
    const recv = await media.createTransport(M, 'viewer', 'recv');
    await expect(
      media.consume(M, 'viewer', { transportId: send.id, producerId: camera.producerId }),
    ).rejects.toMatchObject({ code: 'transport_not_found' });
    const info = await media.consume(M, 'viewer', { transportId: recv.id, producerId: camera.producerId });
    expect(info).toMatchObject({ type: 'simulcast', source: 'camera', producerPeerId: 'cam' });
    const consumer = (await media.room(M)).consumer('viewer', info.id);
    expect(consumer.paused).toBe(true);

    for (const [height, spatialLayer] of [
      [120, 0],
      [200, 1],
      [720, 2],
    ]) {
      await media.setConsumerTileSize(M, 'viewer', info.id, height);
      expect(consumer.preferredLayers).toEqual({ spatialLayer, temporalLayer: 2 });
    }

    const closed = media.events.next('consumerClosed', (e) => e.consumerId === info.id);
    await media.closeProducer(M, 'cam', camera.producerId);
    expect(await closed).toMatchObject({ peerId: 'viewer', producerId: camera.producerId });
    expect(consumer.closed).toBe(true);
    await media.closeRoom(M);
    expect(router.closed).toBe(true);
  });

  it('creates one router per meeting however many joins race for it, and closes it with the last peer', async () => {
    const routers = await Promise.all(
      Array.from({ length: 12 }, () => media.getOrCreateRouter('meeting-race')),
    );
    expect(new Set(routers.map((r) => r.id)).size).toBe(1);

    const joins = await Promise.all(
      Array.from({ length: 6 }, (_, i) => media.join('meeting-race', { peerId: `p${i}`, userId: `u${i}` })),
    );
    expect(joins.every((j) => !j.rejoined)).toBe(true);
    const room = await media.room('meeting-race');
    expect(room.router.id).toBe(routers[0].id);
    expect(room.peers.size).toBe(6);
    expect(media.workers()[0].meetings.filter((m) => m === 'meeting-race')).toHaveLength(1);

    const again = await media.join('meeting-race', { peerId: 'p0', userId: 'u0' });
    expect(again.rejoined).toBe(true);
    expect(room.peers.size).toBe(6);

    for (let i = 0; i < 5; i++) await media.leave('meeting-race', `p${i}`);
    expect(routers[0].closed).toBe(false);
    await media.leave('meeting-race', 'p5');
    expect(routers[0].closed).toBe(true);
    expect(media.hasRoom('meeting-race')).toBe(false);
    await expect(media.room('meeting-race')).rejects.toMatchObject({ code: 'room_not_found' });

    await media.join('meeting-race', { peerId: 'p0', userId: 'u0' });
    const fresh = await media.getOrCreateRouter('meeting-race');
    expect(fresh.id).not.toBe(routers[0].id);
    await media.leave('meeting-race', 'p0');
  });
});

describe('a worker that dies', () => {
  let media: MediaService;
  let config: MediaConfig;

  beforeAll(async () => {
    config = testConfig(2);
    media = new MediaService(config);
    await media.start();
  });
  afterAll(() => media.close());

  it('is replaced on its port, and its meetings move to a live worker with their peers', async () => {
    await media.join('meeting-a', { peerId: 'alice', userId: 'u-alice' });
    await media.join('meeting-b', { peerId: 'bob', userId: 'u-bob' });
    const roomA = await media.room('meeting-a');
    const oldRouter = roomA.router;
    const victim = media.workers().find((w) => w.meetings.includes('meeting-a'));
    if (!victim) throw new Error('meeting-a has no worker');
    const survivors = media.workers().filter((w) => w.index !== victim.index);
    await media.createTransport('meeting-a', 'alice', 'send');

    const died = media.events.next('workerDied');
    const moved = media.events.next('roomMoved', (e) => e.meetingId === 'meeting-a');
    const replaced = media.events.next('workerReplaced');
    process.kill(victim.pid, 'SIGKILL');

    const diedEvent = await died;
    expect(diedEvent.workerIndex).toBe(victim.index);
    expect(diedEvent.pid).toBe(victim.pid);
    expect(diedEvent.meetingIds).toContain('meeting-a');
    const movedEvent = await moved;
    expect(movedEvent.peerIds).toEqual(['alice']);

    const room = await media.room('meeting-a');
    expect(oldRouter.closed).toBe(true);
    expect(room.router.closed).toBe(false);
    expect(room.router.id).not.toBe(oldRouter.id);
    expect(room.peers.has('alice')).toBe(true);
    expect(room.peers.get('alice')?.transports.size).toBe(0);

    const replacedEvent = await replaced;
    expect(replacedEvent.workerIndex).toBe(victim.index);
    expect(replacedEvent.pid).not.toBe(victim.pid);
    const workers = media.workers();
    expect(workers.map((w) => w.index).sort()).toEqual([0, 1]);
    expect(workers.find((w) => w.index === victim.index)?.port).toBe(config.rtcPortBase + victim.index);
    // Meetings on the surviving worker were not touched.
    for (const s of survivors) for (const m of s.meetings) expect(diedEvent.meetingIds).not.toContain(m);

    // The moved meeting works: a new transport on its (live) worker's WebRtcServer.
    const t = await media.createTransport('meeting-a', 'alice', 'send');
    const port = config.rtcPortBase + room.workerIndex;
    expect(t.iceCandidates.some((c) => c.port === port && c.protocol === 'udp')).toBe(true);

    // The replacement is the least loaded now: a new meeting goes there, on the dead worker's port.
    await media.join('meeting-c', { peerId: 'carol', userId: 'u-carol' });
    expect(media.workers().find((w) => w.pid === replacedEvent.pid)?.meetings).toEqual(['meeting-c']);
    const tc = await media.createTransport('meeting-c', 'carol', 'recv');
    expect(tc.iceCandidates.map((c) => c.port)).toContain(config.rtcPortBase + victim.index);
  });
});

describe('MediaModule', () => {
  it('starts the workers when the application initialises and stops them when it closes', async () => {
    const app = await Test.createTestingModule({ imports: [MediaModule.forRoot(testConfig(2))] }).compile();
    await app.init();
    const pids = app
      .get(MediaService)
      .workers()
      .map((w) => w.pid);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(() => process.kill(pid, 0)).not.toThrow();
    await app.close();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('a worker that dies as the application closes leaves no worker process behind (its replacement is closed too)', async () => {
    const workerChildren = () =>
      execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes('mediasoup-work'));
    const app = await Test.createTestingModule({ imports: [MediaModule.forRoot(testConfig(2))] }).compile();
    await app.init();
    const media = app.get(MediaService);
    const died = media.events.next('workerDied');
    process.kill(media.workers()[0].pid, 'SIGKILL');
    await died; // its replacement is starting now
    await app.close();
    expect(workerChildren()).toEqual([]);
  });
});
