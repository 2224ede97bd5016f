import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { types } from 'mediasoup';
import type { MediaEventBus } from '../media/media-events';
import type { MediaRoom } from '../media/media-room';
import type { MediaProducer } from '../media/media.types';
import { canBind, freePortPair, recorderSdp, RtpRelay, type RelayCodec } from '../media/plain-rtp';

/**
 * Records one live meeting into one WebM file (VP8 + Opus, copied, not re-encoded) with ffmpeg fed by mediasoup
 * PlainTransport consumers: the lecturer's microphone, and the main video — a screen share when there is one
 * (the lecturer's first), else the lecturer's camera — switching when that changes. Each kind goes through an
 * RtpRelay, so ffmpeg sees one continuous stream per kind whatever producer feeds it.
 */

export type RecorderAppData = { meetingId: string; recording: true; kind: 'audio' | 'video' };

export interface RecorderOptions {
  meetingId: string;
  /** Whose microphone is recorded and whose camera is the fallback video. */
  lecturerUserId: string;
  /** Directory for the work files (SDP, the file being written). */
  workDir: string;
  ffmpegPath?: string;
  /** Prints ffmpeg's warnings (tests). */
  log?: (line: string) => void;
}

export interface RecorderResult {
  meetingId: string;
  file: string;
  startedAt: Date;
  endedAt: Date;
  sizeBytes: number;
  /** Packets forwarded to ffmpeg per kind (0 video: the lecture had no video when it started). */
  packets: { audio: number; video: number };
}

const AUDIO: RelayCodec = { kind: 'audio', payloadType: 111, clockRate: 48000 };
const VIDEO: RelayCodec = { kind: 'video', payloadType: 96, clockRate: 90000 };

/** What a PlainTransport consumer offers: Opus and VP8 (an H.264 producer from Safari is not recorded). */
const RECORDER_CAPS: types.RtpCapabilities = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 },
    {
      kind: 'video',
      mimeType: 'video/VP8',
      preferredPayloadType: 101,
      clockRate: 90000,
      rtcpFeedback: [
        { type: 'nack', parameter: '' },
        { type: 'nack', parameter: 'pli' },
        { type: 'ccm', parameter: 'fir' },
      ],
    },
  ],
  headerExtensions: [],
};

interface Track {
  codec: RelayCodec;
  relay: RtpRelay;
  transport: types.PlainTransport<RecorderAppData>;
  consumer?: types.Consumer<RecorderAppData>;
  producerId?: string;
}

export class Recorder {
  readonly startedAt = new Date();
  private ffmpeg?: ChildProcessByStdio<null, null, Readable>;
  private exited?: Promise<number | null>;
  private tracks: Partial<Record<'audio' | 'video', Track>> = {};
  private readonly off: (() => void)[] = [];
  private keyframeTimer?: NodeJS.Timeout;
  private stopping?: Promise<RecorderResult>;
  private stderr = '';
  private t0 = Date.now();
  readonly file: string;

  private constructor(
    private readonly room: MediaRoom,
    private readonly events: MediaEventBus,
    private readonly opts: RecorderOptions,
  ) {
    this.file = join(opts.workDir, `${opts.meetingId}-${this.startedAt.getTime()}.webm`);
  }

  /** Starts recording `room`; resolves once ffmpeg listens and the gates are open. */
  static async start(room: MediaRoom, events: MediaEventBus, opts: RecorderOptions): Promise<Recorder> {
    const r = new Recorder(room, events, opts);
    try {
      await r.begin();
    } catch (e) {
      await r.teardown();
      throw e;
    }
    return r;
  }

  get meetingId(): string {
    return this.opts.meetingId;
  }

  private async begin(): Promise<void> {
    await mkdir(this.opts.workDir, { recursive: true });
    const audio = this.pickAudio();
    const video = this.pickVideo();
    if (!audio && !video) throw new RecorderError('no_media');
    const kinds: ('audio' | 'video')[] = [];
    if (audio) kinds.push('audio');
    if (video) kinds.push('video');

    const streams: { codec: RelayCodec; port: number }[] = [];
    for (const kind of kinds) {
      const codec = kind === 'audio' ? AUDIO : VIDEO;
      const ffmpegPort = await freePortPair();
      const relay = new RtpRelay(codec, { port: ffmpegPort }, () => this.t0);
      await relay.bind();
      const transport = await this.room.router.createPlainTransport<RecorderAppData>({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
        // ffmpeg sends no congestion feedback: no bandwidth estimation, so mediasoup (3.32+) sends it no
        // probation packets (SSRC 1234, PT 127) that the relay would take for a new source.
        enableBwe: false,
        appData: { meetingId: this.meetingId, recording: true, kind },
      });
      await transport.connect({ ip: '127.0.0.1', port: relay.port });
      this.tracks[kind] = { codec, relay, transport };
      streams.push({ codec, port: ffmpegPort });
    }
    const sdpFile = this.file.replace(/\.webm$/, '.sdp');
    await writeFile(sdpFile, recorderSdp(streams));
    this.spawnFfmpeg(sdpFile);
    await this.waitListening(streams.map((s) => s.port));

    this.t0 = Date.now();
    const a = this.tracks.audio;
    const v = this.tracks.video;
    if (v) {
      v.relay.onNeedKeyframe = () => void v.consumer?.requestKeyFrame().catch(() => undefined);
      // Audio starts with the first video frame: ffmpeg bases each stream's time on its first packet.
      v.relay.onForward = () => {
        a?.relay.open();
        v.relay.onForward = () => undefined;
      };
      v.relay.open();
    } else a?.relay.open();
    if (audio) await this.consume('audio', audio);
    if (video) await this.consume('video', video);
    // Ask again for a keyframe now and then until video flows (a PLI can be lost on its way).
    // If no video frame comes within a few seconds, audio is not held back any longer.
    this.keyframeTimer = setInterval(() => {
      if (!v || v.relay.packets > 0) return;
      void v.consumer?.requestKeyFrame().catch(() => undefined);
      if (Date.now() - this.t0 > 5000) a?.relay.open();
    }, 1000);

    const follow = (e: { meetingId: string }) => {
      if (e.meetingId === this.meetingId) void this.reselect();
    };
    this.off.push(
      this.events.on('producerAdded', follow),
      this.events.on('producerClosed', follow),
      this.events.on('roomClosed', (e) => {
        if (e.meetingId === this.meetingId) void this.stop().catch(() => undefined);
      }),
      this.events.on('roomMoved', (e) => {
        if (e.meetingId === this.meetingId) void this.stop().catch(() => undefined);
      }),
    );
  }

  private spawnFfmpeg(sdpFile: string): void {
    const args = [
      '-hide_banner',
      '-nostdin',
      '-nostats',
      '-loglevel',
      'warning',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-reorder_queue_size',
      '64',
      '-i',
      sdpFile,
      '-map',
      '0',
      '-c',
      'copy',
      // Written as it goes (each packet flushed, a cluster closed every 2 s): if the node dies, the file holds
      // all but the last seconds, and the part is recovered from it (LiveRecordings.recover).
      '-flush_packets',
      '1',
      '-cluster_time_limit',
      '2000',
      '-f',
      'webm',
      '-y',
      this.file,
    ];
    const child = spawn(this.opts.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.ffmpeg = child;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-4000);
      this.opts.log?.(d.trimEnd());
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', (e) => {
        this.stderr += String(e);
        resolve(-1);
      });
    });
  }

  /** ffmpeg binds its RTP ports while it opens the SDP input: it listens once we no longer can bind them. */
  private async waitListening(ports: number[]): Promise<void> {
    const end = Date.now() + 10_000;
    let exited = false;
    void this.exited?.then(() => (exited = true));
    for (;;) {
      const free = await Promise.all(ports.map((p) => canBind(p)));
      if (free.every((f) => !f)) return;
      if (exited) throw new RecorderError('ffmpeg_failed', this.stderr.trim());
      if (Date.now() > end) throw new RecorderError('ffmpeg_failed', 'ffmpeg did not open its RTP ports');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private lecturerProducer(source: 'mic' | 'camera' | 'screen'): MediaProducer | undefined {
    for (const peer of this.room.peers.values())
      if (peer.userId === this.opts.lecturerUserId) {
        const p = peer.producerFor(source);
        if (p && !p.closed) return p;
      }
    return undefined;
  }

  private pickAudio(): MediaProducer | undefined {
    return this.lecturerProducer('mic');
  }

  /** The lecturer's screen share, else anyone's, else the lecturer's camera (VP8 only). */
  private pickVideo(): MediaProducer | undefined {
    const vp8 = (p: MediaProducer | undefined) =>
      p && p.rtpParameters.codecs.some((c) => c.mimeType.toLowerCase() === 'video/vp8') ? p : undefined;
    const lecturerScreen = vp8(this.lecturerProducer('screen'));
    if (lecturerScreen) return lecturerScreen;
    for (const peer of this.room.peers.values()) {
      const s = vp8(peer.producerFor('screen'));
      if (s && !s.closed) return s;
    }
    return vp8(this.lecturerProducer('camera'));
  }

  private async consume(kind: 'audio' | 'video', producer: MediaProducer): Promise<void> {
    const track = this.tracks[kind];
    if (!track || track.producerId === producer.id) return;
    const old = track.consumer;
    track.producerId = producer.id;
    track.consumer = undefined;
    old?.close();
    track.relay.expectNewSource();
    if (!this.room.router.canConsume({ producerId: producer.id, rtpCapabilities: RECORDER_CAPS })) return;
    const consumer = await track.transport.consume<RecorderAppData>({
      producerId: producer.id,
      rtpCapabilities: RECORDER_CAPS,
      paused: true,
      appData: { meetingId: this.meetingId, recording: true, kind },
    });
    if (track.producerId !== producer.id) {
      consumer.close(); // switched again meanwhile
      return;
    }
    track.consumer = consumer;
    if (consumer.type === 'simulcast')
      await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 });
    await consumer.resume();
    if (kind === 'video') await consumer.requestKeyFrame().catch(() => undefined);
  }

  /** A producer came or went: follow the main video and the lecturer's microphone. */
  private async reselect(): Promise<void> {
    if (this.stopping) return;
    try {
      const audio = this.pickAudio();
      if (audio) await this.consume('audio', audio);
      const video = this.pickVideo();
      if (video) await this.consume('video', video);
    } catch (e) {
      this.opts.log?.(`recorder: could not switch source: ${String(e)}`);
    }
  }

  /** Which producers feed the recording now (tests and the UI). */
  sources(): { audio?: string; video?: string } {
    return { audio: this.tracks.audio?.producerId, video: this.tracks.video?.producerId };
  }

  /** Stops: ffmpeg finishes the file (cues, duration) and exits. Idempotent. */
  stop(): Promise<RecorderResult> {
    this.stopping ??= this.finish();
    return this.stopping;
  }

  private async finish(): Promise<RecorderResult> {
    const endedAt = new Date();
    const packets = {
      audio: this.tracks.audio?.relay.packets ?? 0,
      video: this.tracks.video?.relay.packets ?? 0,
    };
    // SIGINT: ffmpeg leaves its loop after its current read, writes the cues and the duration, and exits. When
    // nothing flows any more (the room closed first) that read never returns, so a filler packet follows the
    // signal (a second SIGINT would interrupt the read, but the writing of the trailer too). SIGKILL last.
    const child = this.ffmpeg;
    const tracks = Object.values(this.tracks);
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const filler = setInterval(() => {
        const audio = this.tracks.audio;
        if (!audio?.relay.sendFiller()) this.tracks.video?.relay.sendFiller();
      }, 200);
      const hard = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearInterval(filler);
      clearTimeout(hard);
    }
    for (const t of tracks) t.consumer?.close();
    await this.teardown();
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    if (size === 0) throw new RecorderError('ffmpeg_failed', this.stderr.trim() || 'no file was written');
    return {
      meetingId: this.meetingId,
      file: this.file,
      startedAt: this.startedAt,
      endedAt,
      sizeBytes: size,
      packets,
    };
  }

  private async teardown(): Promise<void> {
    clearInterval(this.keyframeTimer);
    for (const off of this.off) off();
    this.off.length = 0;
    for (const t of Object.values(this.tracks)) {
      t.consumer?.close();
      t.transport.close();
      t.relay.close();
    }
  }

  /** Kills ffmpeg without finishing the file (shutdown paths where nobody waits). */
  kill(): void {
    void this.teardown();
    this.ffmpeg?.kill('SIGKILL');
  }
}

export class RecorderError extends Error {
  constructor(
    readonly code: 'no_media' | 'ffmpeg_failed',
    detail = '',
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'RecorderError';
  }
}

/** Duration of a media file in seconds (ffprobe's container duration). */
export async function probeDuration(file: string, ffprobePath = 'ffprobe'): Promise<number> {
  const out = await run(ffprobePath, [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    file,
  ]);
  const seconds = Number(out.trim());
  if (!Number.isFinite(seconds)) throw new Error(`ffprobe gave no duration for ${file}: ${out}`);
  return seconds;
}

export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-2000)}`)),
    );
  });
}
