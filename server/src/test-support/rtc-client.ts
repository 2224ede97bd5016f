import {
  RTC_PROTOCOL_VERSION,
  rtcServerEvents,
  type Ack,
  type ConsumerInfo,
  type RoomJoined,
  type RtcClientEvents,
  type RtcRequestName,
  type RtcRequestResult,
  type RtcServerEventName,
  type RtcServerEvents,
  type TransportOptions,
} from '@branchmeet/shared';
import { io, type Socket } from 'socket.io-client';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import { LOOPBACK_PEER_CONFIG, parseOffer, sleep, transportAnswer, waitFor } from './werift';

/**
 * A test client of `/rtc`: socket.io signalling with acks and an event log, and werift peers that publish and
 * receive opus through the transports of a join answer. Everything it opens is closed by `RtcKit.close()`.
 */
export type ClientSocket = Socket<RtcServerEvents, RtcClientEvents>;
export type ResultOf<E extends RtcRequestName> = RtcRequestResult<E>;
export type Joined = Extract<RoomJoined, { status: 'joined' }>;
type Payload<E extends keyof RtcServerEvents> = Parameters<RtcServerEvents[E]>[0];

export const OPUS_CAPS = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 },
  ],
  headerExtensions: [],
};
/** Opus and VP8: a receiver of camera video. */
export const AV_CAPS = {
  codecs: [
    ...OPUS_CAPS.codecs,
    { kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 101, clockRate: 90000 },
  ],
  headerExtensions: [],
};

/** The send transport of a join answer; a lecture's listener has none until it is given the floor. */
export function sendOf(joined: { sendTransport: TransportOptions | null }): TransportOptions {
  if (!joined.sendTransport) throw new Error('this seat has no send transport (a lecture listener?)');
  return joined.sendTransport;
}

/** Signalling requests of one client, with the number of round trips it made. */
export class RtcTestClient {
  trips = 0;
  readonly events: { event: string; payload: unknown }[] = [];
  /** `offContract`: the kit's list of server events that did not match their schema; a request fails on one. */
  constructor(
    readonly socket: ClientSocket,
    private readonly offContract: readonly string[] = [],
  ) {
    socket.onAny((event: string, payload: unknown) => this.events.push({ event, payload }));
  }

  async raw<E extends keyof RtcClientEvents>(event: E, payload: unknown): Promise<Ack<ResultOf<E>>> {
    if (this.offContract.length)
      throw new Error(`server events off the wire contract:\n${this.offContract.join('\n')}`);
    this.trips++;
    const timed = this.socket.timeout(5000) as unknown as {
      emitWithAck(e: string, p: unknown): Promise<Ack<ResultOf<E>>>;
    };
    return timed.emitWithAck(event, payload);
  }

  async call<E extends keyof RtcClientEvents>(event: E, payload: unknown): Promise<ResultOf<E>> {
    const ack = await this.raw(event, payload);
    if (!ack.ok) throw new Error(`${event}: ${ack.error.code} ${ack.error.message}`);
    return ack.data;
  }

  /** Joins and expects a seat (not the lobby). */
  async join(meetingId: string, resumePeerId?: string): Promise<Joined> {
    const ack = await this.call('room.join', { meetingId, resumePeerId });
    if (ack.status !== 'joined') throw new Error(`expected a seat in ${meetingId}, got ${ack.status}`);
    return ack;
  }

  next<E extends keyof RtcServerEvents>(
    event: E,
    pred: (p: Payload<E>) => boolean = () => true,
    ms = 5000,
  ): Promise<Payload<E>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), ms);
      const listener = (p: Payload<E>) => {
        if (!pred(p)) return;
        clearTimeout(timer);
        this.socket.off(event, listener as never);
        resolve(p);
      };
      this.socket.on(event, listener as never);
    });
  }

  seen<E extends keyof RtcServerEvents>(event: E): Payload<E>[] {
    return this.events.filter((e) => e.event === event).map((e) => e.payload as Payload<E>);
  }
}

export class RtcKit {
  private readonly sockets: ClientSocket[] = [];
  private readonly offContract: string[] = [];
  private readonly pcs: RTCPeerConnection[] = [];
  private cnames = 0;

  constructor(private readonly baseUrl: string) {}

  /** A socket on /rtc; resolves once connected, rejects with the server's connect_error. */
  connect(
    token: string,
    opts: { protocol?: number; locale?: string; lang?: string } = {},
  ): Promise<ClientSocket> {
    const socket: ClientSocket = io(`${this.baseUrl}/rtc`, {
      auth: { token, protocol: opts.protocol ?? RTC_PROTOCOL_VERSION, lang: opts.lang },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      extraHeaders: opts.locale ? { 'Accept-Language': opts.locale } : undefined,
    });
    this.sockets.push(socket);
    this.checkContract(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  async client(token: string, opts?: { locale?: string; lang?: string }): Promise<RtcTestClient> {
    return new RtcTestClient(await this.connect(token, opts), this.offContract);
  }

  /** Closes everything (and reports server events off the wire contract not yet reported by a request). */
  async close(): Promise<void> {
    for (const s of this.sockets) s.disconnect();
    for (const pc of this.pcs) await pc.close().catch(() => undefined);
    if (this.offContract.length)
      console.error(`server events off the wire contract:\n${this.offContract.join('\n')}`);
  }

  /**
   * Checks every event the socket hears against its schema in the wire contract (`rtcServerEvents`); an unknown
   * event is off the contract too. The next request of any client of this kit then fails, naming them.
   */
  private checkContract(socket: ClientSocket): void {
    socket.onAny((event: string, payload: unknown) => {
      const schema = rtcServerEvents[event as RtcServerEventName];
      const parsed = schema?.safeParse(payload);
      if (!parsed?.success)
        this.offContract.push(
          `${event}: ${parsed ? JSON.stringify(parsed.error.issues) : 'not in the contract'}`,
        );
    });
  }

  /** Publishes the microphone: connects the send transport (DTLS) and produces opus. */
  async publishMic(c: RtcTestClient, joined: { sendTransport: TransportOptions | null }) {
    const sendTransport = sendOf(joined);
    const pc = new RTCPeerConnection(LOOPBACK_PEER_CONFIG);
    this.pcs.push(pc);
    const track = new MediaStreamTrack({ kind: 'audio' });
    pc.addTransceiver(track, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const offer = parseOffer(pc.localDescription?.sdp ?? '');
    await c.call('transport.connect', {
      transportId: sendTransport.id,
      dtlsParameters: { role: 'client', fingerprints: [offer.fingerprint] },
    });
    await pc.setRemoteDescription({
      type: 'answer',
      sdp: transportAnswer(sendTransport, { mid: offer.mid, pt: offer.opusPt, direction: 'recvonly' }),
    });
    await waitFor('the send transport connected (ICE + DTLS)', () => pc.connectionState === 'connected');
    const { producerId } = await c.call('media.produce', {
      transportId: sendTransport.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: {
        mid: offer.mid,
        codecs: [
          {
            mimeType: 'audio/opus',
            payloadType: offer.opusPt,
            clockRate: 48000,
            channels: 2,
            parameters: { useinbandfec: 1 },
          },
        ],
        encodings: [{ ssrc: offer.ssrc }],
        rtcp: { cname: `cname-${this.cnames++}`, reducedSize: true },
      },
    });
    let seq = 0;
    /** Sends `count` opus packets tagged `tag`; returns their payloads (hex) in order. */
    const send = async (count: number, tag: string) => {
      const sent: string[] = [];
      for (let i = 0; i < count; i++, seq++) {
        const payload = Buffer.concat([Buffer.from([0xfc]), Buffer.from(`${tag} ${seq} `.padEnd(40, '.'))]);
        sent.push(payload.toString('hex'));
        track.writeRtp(
          new RtpPacket(
            new RtpHeader({ payloadType: offer.opusPt, sequenceNumber: seq, timestamp: seq * 960 }),
            payload,
          ),
        );
        await sleep(10);
      }
      return sent;
    };
    return { producerId, send, pc };
  }

  /**
   * Connects the receive transport of a join answer (ICE + DTLS) with no consumer on it: what makes a member
   * present is that they can receive the meeting, not that someone is talking.
   */
  async connectRecv(c: RtcTestClient, joined: Joined): Promise<void> {
    const none: ConsumerInfo = {
      consumerId: 'none',
      producerId: 'none',
      peerId: joined.self.peerId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [],
      },
      producerPaused: false,
    };
    await this.receive(c, joined, none);
  }

  /** Receives one consumer: connects the receive transport (DTLS); collects the RTP payloads that arrive. */
  async receive(c: RtcTestClient, joined: Joined, consumer: ConsumerInfo) {
    const codec = consumer.rtpParameters.codecs[0] as { payloadType: number };
    const ssrc = (consumer.rtpParameters.encodings?.[0] as { ssrc?: number } | undefined)?.ssrc;
    const pc = new RTCPeerConnection({
      ...LOOPBACK_PEER_CONFIG,
      codecs: {
        audio: [
          new RTCRtpCodecParameters({
            mimeType: 'audio/opus',
            clockRate: 48000,
            channels: 2,
            payloadType: codec.payloadType,
          }),
        ],
        video: [],
      },
    });
    this.pcs.push(pc);
    const received: string[] = [];
    pc.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((rtp) => received.push(rtp.payload.toString('hex'))),
    );
    pc.addTransceiver('audio', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const offer = parseOffer(pc.localDescription?.sdp ?? '');
    await c.call('transport.connect', {
      transportId: joined.recvTransport.id,
      dtlsParameters: { role: 'client', fingerprints: [offer.fingerprint] },
    });
    await pc.setRemoteDescription({
      type: 'answer',
      sdp: transportAnswer(joined.recvTransport, {
        mid: offer.mid,
        pt: codec.payloadType,
        direction: 'sendonly',
        ssrc,
      }),
    });
    await waitFor('the receive transport connected (ICE + DTLS)', () => pc.connectionState === 'connected');
    return { received, pc };
  }
}

/**
 * Produces a simulcast VP8 camera on the client's send transport without sending any media (mediasoup takes a
 * producer on a transport whose DTLS has not connected): enough for consumers, layers and host controls.
 */
export async function produceCamera(
  c: RtcTestClient,
  joined: { sendTransport: TransportOptions | null },
): Promise<string> {
  const base = 0x1000 + Math.floor(Math.random() * 0xffff) * 8;
  const { producerId } = await c.call('media.produce', {
    transportId: sendOf(joined).id,
    kind: 'video',
    source: 'camera',
    rtpParameters: {
      mid: 'camera',
      codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
      encodings: [
        { ssrc: base, scalabilityMode: 'L1T3' },
        { ssrc: base + 1, scalabilityMode: 'L1T3' },
        { ssrc: base + 2, scalabilityMode: 'L1T3' },
      ],
      rtcp: { cname: `camera-${base}`, reducedSize: true },
    },
  });
  return producerId;
}
