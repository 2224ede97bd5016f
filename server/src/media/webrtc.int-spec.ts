/**
 * A real WebRTC client (werift) against the media service: ICE + DTLS with a WebRtcTransport on the worker's
 * WebRtcServer, SRTP opus from peer A to a producer, consumed (paused, then resumed on ack) by peer B.
 * Loopback only; no database.
 */
import type { types } from 'mediasoup';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import { loadMediaConfig } from './media.config';
import { MediaService } from './media.service';
import { LOOPBACK_PEER_CONFIG, parseOffer, sleep, transportAnswer, waitFor } from '../test-support/werift';

const MEETING = 'meeting-webrtc';
/** The RTP header extension id peer A uses for its audio level (RFC 6464), and the level it reports. */
const AUDIO_LEVEL_EXT = 10;
const LEVEL_DBOV = 20;
function within<T>(promise: Promise<T>, what: string, ms = 3000): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new Error(`timed out waiting for ${what}`);
    }),
  ]);
}

describe('a WebRTC client (werift) through the WebRtcServer', () => {
  let media: MediaService;
  const peers: RTCPeerConnection[] = [];
  let rtcPortBase: number;

  beforeAll(async () => {
    const config = loadMediaConfig({
      ...process.env,
      NODE_ENV: 'test',
      MEDIA_WORKERS: '1',
      MEDIA_RTC_PORT_BASE: String(48000 + Math.floor(Math.random() * 600) * 10),
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
      MEDIA_LOG_LEVEL: 'error',
    });
    rtcPortBase = config.rtcPortBase;
    media = new MediaService(config);
    await media.start();
  });
  afterAll(async () => {
    for (const pc of peers) await pc.close();
    await media.close();
  });

  it('completes ICE + DTLS, and opus from peer A reaches peer B intact once B resumes its consumer', async () => {
    const events: string[] = [];
    media.events.on('peerJoined', (e) => events.push(`joined ${e.peerId}`));
    media.events.on('producerAdded', (e) => events.push(`producer ${e.peerId} ${e.source}`));
    media.events.on('producerPaused', (e) => events.push(`paused ${e.peerId} ${e.source}`));

    // Peer A sends.
    await media.join(MEETING, { peerId: 'a', userId: 'user-a' });
    const sendInfo = await media.createTransport(MEETING, 'a', 'send');
    expect(sendInfo.iceCandidates.map((c) => `${c.protocol}:${c.port}`).sort()).toEqual([
      `tcp:${rtcPortBase}`,
      `udp:${rtcPortBase}`,
    ]);
    const pcA = new RTCPeerConnection(LOOPBACK_PEER_CONFIG);
    peers.push(pcA);
    const trackA = new MediaStreamTrack({ kind: 'audio' });
    pcA.addTransceiver(trackA, { direction: 'sendonly' });
    await pcA.setLocalDescription(await pcA.createOffer());
    const offerA = parseOffer(pcA.localDescription?.sdp ?? '');
    await media.connectTransport(MEETING, 'a', sendInfo.id, {
      role: 'client',
      fingerprints: [offerA.fingerprint],
    });
    await pcA.setRemoteDescription({
      type: 'answer',
      sdp: transportAnswer(sendInfo, { mid: offerA.mid, pt: offerA.opusPt, direction: 'recvonly' }),
    });
    const room = await media.room(MEETING);
    const sendTransport = room.transport('a', sendInfo.id);
    await waitFor('send transport DTLS connected', () => sendTransport.dtlsState === 'connected');

    const mic = await media.produce(MEETING, 'a', {
      transportId: sendInfo.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: {
        mid: offerA.mid,
        codecs: [
          {
            mimeType: 'audio/opus',
            payloadType: offerA.opusPt,
            clockRate: 48000,
            channels: 2,
            parameters: { useinbandfec: 1 },
          },
        ],
        encodings: [{ ssrc: offerA.ssrc }],
        headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: AUDIO_LEVEL_EXT }],
        rtcp: { cname: 'peer-a', reducedSize: true },
      },
    });

    const speaker = media.events.next('activeSpeaker');

    // Peer B joins afterwards, is told about A's mic, and consumes it.
    const opusOnly: types.RtpCapabilities = {
      codecs: [
        { kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 },
      ],
      headerExtensions: [],
    };
    const joinB = await media.join(MEETING, { peerId: 'b', userId: 'user-b', rtpCapabilities: opusOnly });
    expect(joinB.producers).toEqual([
      { producerId: mic.producerId, peerId: 'a', kind: 'audio', source: 'mic', paused: false },
    ]);
    const recvInfo = await media.createTransport(MEETING, 'b', 'recv');
    const consumer = await media.consume(MEETING, 'b', {
      transportId: recvInfo.id,
      producerId: mic.producerId,
    });
    expect(consumer).toMatchObject({ producerPeerId: 'a', source: 'mic', kind: 'audio' });
    const pt = consumer.rtpParameters.codecs[0].payloadType;

    const pcB = new RTCPeerConnection({
      ...LOOPBACK_PEER_CONFIG,
      codecs: {
        audio: [
          new RTCRtpCodecParameters({
            mimeType: 'audio/opus',
            clockRate: 48000,
            channels: 2,
            payloadType: pt,
          }),
        ],
        video: [],
      },
    });
    peers.push(pcB);
    const received: string[] = [];
    pcB.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        received.push(rtp.payload.toString('hex'));
      });
    });
    pcB.addTransceiver('audio', { direction: 'recvonly' });
    await pcB.setLocalDescription(await pcB.createOffer());
    const offerB = parseOffer(pcB.localDescription?.sdp ?? '');
    await media.connectTransport(MEETING, 'b', recvInfo.id, {
      role: 'client',
      fingerprints: [offerB.fingerprint],
    });
    await pcB.setRemoteDescription({
      type: 'answer',
      sdp: transportAnswer(recvInfo, {
        mid: offerB.mid,
        pt,
        direction: 'sendonly',
        ssrc: consumer.rtpParameters.encodings?.[0]?.ssrc,
      }),
    });
    const recvTransport = room.transport('b', recvInfo.id);
    await waitFor('recv transport DTLS connected', () => recvTransport.dtlsState === 'connected');

    let seq = 0;
    const sent: string[] = [];
    const sendPackets = async (count: number) => {
      const out: string[] = [];
      for (let i = 0; i < count; i++, seq++) {
        const payload = Buffer.concat([
          Buffer.from([0xfc]),
          Buffer.from(`opus frame ${seq} `.padEnd(40, '.')),
        ]);
        out.push(payload.toString('hex'));
        const header = new RtpHeader({
          payloadType: offerA.opusPt,
          sequenceNumber: seq,
          timestamp: seq * 960,
          extensions: [{ id: AUDIO_LEVEL_EXT, payload: Buffer.from([0x80 | LEVEL_DBOV]) }], // voice, -20 dBov
        });
        trackA.writeRtp(new RtpPacket(header, payload));
        await sleep(10);
      }
      return out;
    };

    // The consumer is paused until B acks it: A's audio reaches the server (decrypted) but not B.
    await sendPackets(10);
    await sleep(200);
    expect(received).toHaveLength(0);
    const [producerStats] = await room.producerOf('a', mic.producerId).getStats();
    expect(producerStats?.byteCount).toBeGreaterThan(0);

    const levels = media.events.next('audioLevels', (e) => e.levels.length > 0);
    await media.resumeConsumer(MEETING, 'b', consumer.id);
    sent.push(...(await sendPackets(40)));
    await waitFor('40 packets at peer B', () => received.length >= 40, 4000);
    expect(received).toEqual(sent);
    // The observers heard A speak.
    expect((await within(levels, 'audio levels')).levels).toEqual([
      { peerId: 'a', producerId: mic.producerId, volume: -LEVEL_DBOV },
    ]);
    expect(await within(speaker, 'active speaker')).toEqual({
      meetingId: MEETING,
      peerId: 'a',
      producerId: mic.producerId,
    });

    // Mute: A's producer paused, B gets nothing more.
    await media.pauseProducer(MEETING, mic.producerId);
    const before = received.length;
    await sendPackets(10);
    await sleep(200);
    expect(received.length).toBe(before);

    // ICE restart hands out new credentials.
    const ice = await media.restartIce(MEETING, 'b', recvInfo.id);
    expect(ice.usernameFragment).not.toBe(recvInfo.iceParameters.usernameFragment);
    expect(ice.password).not.toBe(recvInfo.iceParameters.password);

    expect(sendTransport.dtlsState).toBe('connected');
    expect(recvTransport.dtlsState).toBe('connected');
    expect(events).toEqual(['joined a', 'producer a mic', 'joined b', 'paused a mic']);

    // B leaves: its transport closes; A leaves: the router closes.
    await media.leave(MEETING, 'b');
    expect(recvTransport.closed).toBe(true);
    await media.leave(MEETING, 'a');
    expect(room.router.closed).toBe(true);
  }, 20_000);
});
