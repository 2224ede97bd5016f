import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { sendOf, type Joined, type RtcTestClient } from './rtc-client';
import { bundleAnswer, LOOPBACK_PEER_CONFIG, waitFor } from './werift';

/**
 * A werift bot that publishes REAL audio and video over WebRTC through the /rtc join answer: ffmpeg encodes a
 * test pattern (VP8) and a tone (Opus) in real time and sends them as RTP to loopback; the bot writes each
 * packet into its werift tracks, which send them to the SFU on the send transport (ICE + DTLS + SRTP).
 * With `screen`, a second video (another pattern) flows too; `startScreen()` produces it as a screen share.
 */

interface Section {
  kind: 'audio' | 'video';
  mid: string;
  pt: number;
  ssrc?: number;
}

function sections(sdp: string): Section[] {
  return sdp
    .split(/\r?\nm=/)
    .slice(1)
    .map((block) => {
      const kind = block.startsWith('audio') ? 'audio' : 'video';
      const mid = block.match(/a=mid:(\S+)/)?.[1] ?? '';
      const codec = kind === 'audio' ? /a=rtpmap:(\d+) opus\/48000/i : /a=rtpmap:(\d+) VP8\/90000/i;
      const pt = Number(block.match(codec)?.[1]);
      const ssrc = block.match(/a=ssrc:(\d+) /)?.[1];
      return { kind, mid, pt, ssrc: ssrc ? Number(ssrc) : undefined };
    });
}

/** ffmpeg encoding a live source into RTP on a loopback port, read back by a UDP socket. */
class RtpSource {
  private socket?: Socket;
  private child?: ChildProcess;
  packets = 0;
  constructor(
    private readonly input: string[],
    private readonly codec: string[],
  ) {}

  async start(onPacket: (buf: Buffer) => void): Promise<void> {
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('message', (m) => {
      if (m.length >= 2 && m[1] >= 192 && m[1] <= 223) return; // RTCP
      this.packets++;
      onPacket(m);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const port = socket.address().port;
    this.child = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        ...this.input,
        ...this.codec,
        '-f',
        'rtp',
        `rtp://127.0.0.1:${port}?pkt_size=1200`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }

  stop(): void {
    this.child?.kill('SIGKILL');
    this.socket?.close();
  }
}

const videoSource = (pattern: string) =>
  new RtpSource(
    ['-f', 'lavfi', '-i', `${pattern}=size=640x360:rate=25`],
    [
      '-c:v',
      'libvpx',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-b:v',
      '400k',
      '-g',
      '50',
      '-threads',
      '1',
    ],
  );
const audioSource = () =>
  new RtpSource(
    ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ['-c:a', 'libopus', '-b:a', '48k', '-ac', '2', '-application', 'lowdelay'],
  );

export interface AvBot {
  micProducerId: string;
  cameraProducerId: string;
  /** Packets the bot sent to the SFU per kind. */
  sent: () => { audio: number; video: number };
  startScreen: () => Promise<string>;
  stopScreen: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * Joins as `c` already joined (`joined`), publishes mic (Opus tone) and camera (VP8 test pattern) with real
 * media, resolves once both producers exist and media flows.
 */
export async function publishAv(
  c: RtcTestClient,
  joined: Joined,
  opts: { screen?: boolean } = {},
): Promise<AvBot> {
  const pc = new RTCPeerConnection({
    ...LOOPBACK_PEER_CONFIG,
    // One ICE transport for all m-lines (werift leaves the sockets of unbundled ones open after close()).
    bundlePolicy: 'max-bundle',
    codecs: {
      audio: [
        new RTCRtpCodecParameters({
          mimeType: 'audio/opus',
          clockRate: 48000,
          channels: 2,
          payloadType: 111,
        }),
      ],
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/VP8',
          clockRate: 90000,
          payloadType: 96,
          rtcpFeedback: [
            { type: 'nack' },
            { type: 'nack', parameter: 'pli' },
            { type: 'ccm', parameter: 'fir' },
          ],
        }),
      ],
    },
    headerExtensions: { audio: [], video: [] },
  });
  const mic = new MediaStreamTrack({ kind: 'audio' });
  const cam = new MediaStreamTrack({ kind: 'video' });
  const screen = opts.screen ? new MediaStreamTrack({ kind: 'video' }) : undefined;
  pc.addTransceiver(mic, { direction: 'sendonly' });
  pc.addTransceiver(cam, { direction: 'sendonly' });
  if (screen) pc.addTransceiver(screen, { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  const sdp = pc.localDescription?.sdp ?? '';
  const secs = sections(sdp);
  const fp = sdp.match(/a=fingerprint:(\S+) (\S+)/);
  if (!fp) throw new Error('offer has no fingerprint');
  const send = sendOf(joined);
  await c.call('transport.connect', {
    transportId: send.id,
    dtlsParameters: { role: 'client', fingerprints: [{ algorithm: fp[1].toLowerCase(), value: fp[2] }] },
  });
  await pc.setRemoteDescription({
    type: 'answer',
    sdp: bundleAnswer(
      send,
      secs.map((x) => ({ mid: x.mid, kind: x.kind, pt: x.pt, direction: 'recvonly' as const })),
    ),
  });
  await waitFor('the bot send transport connected', () => pc.connectionState === 'connected', 10000);

  const sources: RtpSource[] = [];
  const produce = async (sec: Section, source: 'mic' | 'camera' | 'screen', cname: string) => {
    const { producerId } = await c.call('media.produce', {
      transportId: send.id,
      kind: sec.kind,
      source,
      rtpParameters: {
        mid: sec.mid,
        codecs:
          sec.kind === 'audio'
            ? [{ mimeType: 'audio/opus', payloadType: sec.pt, clockRate: 48000, channels: 2 }]
            : [
                {
                  mimeType: 'video/VP8',
                  payloadType: sec.pt,
                  clockRate: 90000,
                  rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
                },
              ],
        encodings: [{ ssrc: sec.ssrc }],
        rtcp: { cname, reducedSize: true },
      },
    });
    return producerId;
  };
  const [aSec, vSec, sSec] = secs;
  const micProducerId = await produce(aSec, 'mic', 'bot');
  const cameraProducerId = await produce(vSec, 'camera', 'bot');

  const a = audioSource();
  const v = videoSource('testsrc');
  sources.push(a, v);
  await a.start((buf) => mic.writeRtp(buf));
  await v.start((buf) => cam.writeRtp(buf));
  if (screen) {
    const s = videoSource('testsrc2');
    sources.push(s);
    await s.start((buf) => screen.writeRtp(buf));
  }
  await waitFor('the bot encoding media', () => a.packets > 0 && v.packets > 0, 10000);
  let screenProducerId: string | undefined;
  return {
    micProducerId,
    cameraProducerId,
    /** Starts the screen share (its media already flows towards the SFU; the producer makes it count). */
    startScreen: async () => {
      if (!sSec) throw new Error('publishAv was not asked for a screen');
      screenProducerId = await produce(sSec, 'screen', 'bot');
      return screenProducerId;
    },
    stopScreen: async () => {
      if (screenProducerId) await c.call('media.close', { producerId: screenProducerId });
      screenProducerId = undefined;
    },
    sent: () => ({ audio: a.packets, video: v.packets }),
    close: async () => {
      for (const s of sources) s.stop();
      await pc.close().catch(() => undefined);
    },
  };
}
