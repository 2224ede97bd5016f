import { createSocket, type Socket } from 'node:dgram';

/**
 * RTP plumbing for the recorder: mediasoup PlainTransport consumers send RTP to a relay on loopback, which
 * forwards it to ffmpeg as ONE continuous stream per kind (one SSRC, continuous sequence numbers and
 * timestamps), whatever producer feeds it at the moment. That is what lets the main video switch from the camera
 * to a screen share and back without ffmpeg seeing a new stream: the relay re-bases sequence numbers and
 * timestamps at each switch (timestamps follow the wall clock across the gap) and, for video, holds the new
 * source back until its first keyframe.
 */

export interface RelayCodec {
  kind: 'audio' | 'video';
  /** Payload type written towards ffmpeg (the one in its SDP). */
  payloadType: number;
  clockRate: number;
}

const isRtcp = (buf: Buffer) => buf.length >= 2 && buf[1] >= 192 && buf[1] <= 223;

/** Whether a VP8 RTP payload starts a keyframe (RFC 7741: payload descriptor, then the VP8 payload header). */
export function isVp8Keyframe(payload: Buffer): boolean {
  if (payload.length < 1) return false;
  const b0 = payload[0];
  const x = (b0 & 0x80) !== 0;
  const s = (b0 & 0x10) !== 0;
  const pid = b0 & 0x07;
  if (!s || pid !== 0) return false; // not the start of a partition 0
  let i = 1;
  if (x) {
    if (payload.length < 2) return false;
    const b1 = payload[1];
    i = 2;
    if (b1 & 0x80) i += payload[i] & 0x80 ? 2 : 1; // picture id, 7 or 15 bits
    if (b1 & 0x40) i += 1; // TL0PICIDX
    if (b1 & 0x30) i += 1; // TID / KEYIDX
  }
  if (payload.length <= i) return false;
  return (payload[i] & 0x01) === 0; // P bit: 0 = keyframe
}

/** Start of the RTP payload (after CSRCs and the header extension). */
function payloadOffset(buf: Buffer): number {
  const cc = buf[0] & 0x0f;
  let off = 12 + cc * 4;
  if (buf[0] & 0x10) {
    if (buf.length < off + 4) return buf.length;
    off += 4 + buf.readUInt16BE(off + 2) * 4;
  }
  return off;
}

/** A UDP port pair (even RTP port, RTP+1 free too) on loopback that nothing listens on right now. */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + 2 * Math.floor(Math.random() * 5000);
    const ok = await Promise.all([canBind(port), canBind(port + 1)]);
    if (ok.every(Boolean)) return port;
  }
  throw new Error('no free UDP port pair for the recorder');
}

export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * One relay: listens on an ephemeral loopback port (the PlainTransport sends there) and forwards rewritten RTP to
 * `target`. Closed gates drop everything; `open()` lets packets through (the recorder opens all gates once ffmpeg
 * listens, so audio and video start together).
 */
export class RtpRelay {
  private socket?: Socket;
  port = 0;
  private isOpen = false;
  private readonly outSsrc = (Math.random() * 0xffffffff) >>> 0;
  private inSsrc: number | null = null;
  private needKeyframe: boolean;
  private seqOffset = 0;
  private tsOffset = 0;
  private lastOutSeq = -1;
  private lastOutTs = 0;
  private lastOutAt = 0;
  packets = 0;
  private lastPacket?: Buffer;
  /** Called when a new source is waiting for a keyframe (the recorder asks the producer for one). */
  onNeedKeyframe: () => void = () => undefined;
  /** Called with each packet forwarded (the recorder opens the other gates on video's first one). */
  onForward: (keyframe: boolean) => void = () => undefined;

  constructor(
    readonly codec: RelayCodec,
    private readonly target: { port: number },
    /** The recording's clock origin (ms since epoch): timestamps of a new source continue from here. */
    private readonly t0: () => number,
  ) {
    this.needKeyframe = codec.kind === 'video';
  }

  async bind(): Promise<number> {
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('message', (msg) => this.onPacket(msg));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    this.port = socket.address().port;
    return this.port;
  }

  open(): void {
    this.isOpen = true;
  }

  /** Holds back everything until the next keyframe (video; a switch of source does this by itself). */
  expectNewSource(): void {
    this.inSsrc = null;
    if (this.codec.kind === 'video') this.needKeyframe = true;
  }

  /**
   * Sends the last packet again as the next one (next sequence number, 20 ms later). ffmpeg notices SIGINT only
   * when its read returns; once the room closed nothing flows, so the recorder sends this after the signal.
   * (A second SIGINT would interrupt the read, but also the writing of the file's cues and duration.)
   * False when nothing was ever forwarded.
   */
  sendFiller(): boolean {
    const last = this.lastPacket;
    if (!last || !this.socket) return false;
    const out = Buffer.from(last);
    const seq = (this.lastOutSeq + 1) & 0xffff;
    const ts = (this.lastOutTs + Math.round(this.codec.clockRate / 50)) >>> 0;
    out.writeUInt16BE(seq, 2);
    out.writeUInt32BE(ts, 4);
    this.lastOutSeq = seq;
    this.lastOutTs = ts;
    this.socket.send(out, this.target.port, '127.0.0.1');
    return true;
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private onPacket(buf: Buffer): void {
    if (buf.length < 12 || isRtcp(buf) || (buf[0] & 0xc0) !== 0x80) return;
    const ssrc = buf.readUInt32BE(8);
    const seq = buf.readUInt16BE(2);
    const ts = buf.readUInt32BE(4);
    if (ssrc !== this.inSsrc) {
      // A new source (or the first one): wait for its keyframe, then re-base it after the last packet sent.
      if (this.codec.kind === 'video') {
        this.needKeyframe = true;
        if (!isVp8Keyframe(buf.subarray(payloadOffset(buf)))) {
          this.onNeedKeyframe();
          return;
        }
      }
      if (!this.isOpen) return;
      this.inSsrc = ssrc;
      this.needKeyframe = false;
      this.rebase(seq, ts);
    } else if (this.needKeyframe) {
      if (!isVp8Keyframe(buf.subarray(payloadOffset(buf)))) return;
      this.needKeyframe = false;
      this.rebase(seq, ts);
    }
    if (!this.isOpen) return;
    const out = Buffer.from(buf);
    const outSeq = (seq + this.seqOffset) & 0xffff;
    const outTs = (ts + this.tsOffset) >>> 0;
    out[1] = (out[1] & 0x80) | this.codec.payloadType;
    out.writeUInt16BE(outSeq, 2);
    out.writeUInt32BE(outTs, 4);
    out.writeUInt32BE(this.outSsrc, 8);
    this.lastOutSeq = outSeq;
    this.lastOutTs = outTs;
    this.lastPacket = out;
    this.lastOutAt = Date.now();
    this.packets++;
    this.socket?.send(out, this.target.port, '127.0.0.1');
    this.onForward(this.codec.kind === 'video' && isVp8Keyframe(buf.subarray(payloadOffset(buf))));
  }

  /** The next packet (seq, ts) continues the output: one sequence number on, its time from the wall clock. */
  private rebase(seq: number, ts: number): void {
    const nextSeq = this.lastOutSeq < 0 ? 0 : (this.lastOutSeq + 1) & 0xffff;
    this.seqOffset = (nextSeq - seq) & 0xffff;
    const now = Date.now();
    const ticks = (ms: number) => Math.round((ms * this.codec.clockRate) / 1000);
    const nextTs =
      this.lastOutSeq < 0
        ? ticks(now - this.t0())
        : (this.lastOutTs + Math.max(1, ticks(now - this.lastOutAt))) >>> 0;
    this.tsOffset = (nextTs - ts) >>> 0;
  }
}

/** The SDP ffmpeg reads: one m-line per relay, RTP on `port` (RTCP would be port+1; none is sent). */
export function recorderSdp(streams: { codec: RelayCodec; port: number }[]): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=BranchMeet recording', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const { codec, port } of streams) {
    if (codec.kind === 'audio')
      lines.push(
        `m=audio ${port} RTP/AVP ${codec.payloadType}`,
        `a=rtpmap:${codec.payloadType} opus/48000/2`,
        `a=fmtp:${codec.payloadType} minptime=10;useinbandfec=1`,
      );
    else
      lines.push(`m=video ${port} RTP/AVP ${codec.payloadType}`, `a=rtpmap:${codec.payloadType} VP8/90000`);
    lines.push('a=recvonly');
  }
  return lines.join('\n') + '\n';
}
