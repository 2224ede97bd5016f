import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { ConsumerInfo, TransportOptions } from '@branchmeet/shared';
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
  type RTCRtpTransceiver,
} from 'werift';
import type { TestApp } from './int-app';
import type { RtcTestClient } from './rtc-client';
import { bundleAnswer, LOOPBACK_PEER_CONFIG, sleep, waitFor } from './werift';

/**
 * Lecture tests: many members at once (rows written directly, tokens signed by the app's own JwtService — a
 * login each would only measure argon2), and werift peers with an audio and a video m-line that publish opus +
 * VP8 or receive both on one transport.
 */
export async function createAudience(
  t: TestApp,
  unitId: string,
  n: number,
  tag = 'listener',
): Promise<{ userId: string; name: string; token: string }[]> {
  const jwt = t.app.get(JwtService);
  const people = Array.from({ length: n }, (_, i) => ({ userId: randomUUID(), name: `${tag}${i + 1}` }));
  await t.ds.query(`INSERT INTO app_user (id, name) SELECT * FROM unnest($1::uuid[], $2::varchar[])`, [
    people.map((p) => p.userId),
    people.map((p) => p.name),
  ]);
  await t.ds.query(
    `INSERT INTO membership (user_id, unit_id, role) SELECT u, $2, 'member' FROM unnest($1::uuid[]) u`,
    [people.map((p) => p.userId), unitId],
  );
  // Each a session of its own, as a sign-in makes (access tokens name it and are honoured while it lives).
  const sessions: { id: string; user_id: string }[] = await t.ds.query(
    `INSERT INTO auth_session (user_id) SELECT * FROM unnest($1::uuid[]) RETURNING id, user_id`,
    [people.map((p) => p.userId)],
  );
  const sid = new Map(sessions.map((s) => [s.user_id, s.id]));
  return Promise.all(
    people.map(async (p) => ({
      ...p,
      token: await jwt.signAsync({ sub: p.userId, adm: false, sid: sid.get(p.userId) }, { expiresIn: 3600 }),
    })),
  );
}

/** The fingerprint and, per m-line, mid / kind / payload type (opus or VP8) / SSRC of a werift offer. */
export function parseSections(sdp: string) {
  const fp = sdp.match(/a=fingerprint:(\S+) (\S+)/);
  if (!fp) throw new Error(`offer has no fingerprint:\n${sdp}`);
  const sections = sdp
    .split(/\r?\nm=/)
    .slice(1)
    .map((block) => {
      const kind = block.startsWith('audio') ? 'audio' : 'video';
      const codec = kind === 'audio' ? /a=rtpmap:(\d+) opus\/48000\/2/i : /a=rtpmap:(\d+) VP8\/90000/i;
      const mid = block.match(/a=mid:(\S+)/)?.[1];
      const pt = block.match(codec)?.[1];
      if (!mid || !pt) throw new Error(`offer m-line without mid or codec:\n${block}`);
      const ssrc = block.match(/a=ssrc:(\d+) /)?.[1];
      return { kind, mid, pt: Number(pt), ssrc: ssrc ? Number(ssrc) : undefined } as const;
    });
  return {
    fingerprint: { algorithm: fp[1].toLowerCase(), value: fp[2] },
    sections,
  };
}

/** A VP8 payload mediasoup reads as a key frame (descriptor S=1, PID 0; frame tag with P=0). */
const vp8KeyFrame = (seq: number) =>
  Buffer.concat([
    Buffer.from([0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a]),
    Buffer.from(`vp8 ${seq} `.padEnd(40, '.')),
  ]);

/**
 * Publishes a microphone (opus) and a camera (VP8, one encoding) on `send`: one werift peer, two m-lines.
 * `send(count)` writes that many packets on each, 20 ms apart.
 */
export async function publishAV(c: RtcTestClient, send: TransportOptions, pcs: RTCPeerConnection[]) {
  const pc = new RTCPeerConnection({
    ...LOOPBACK_PEER_CONFIG,
    // One ICE transport for both m-lines (otherwise werift opens one per m-line and leaks the unused one).
    bundlePolicy: 'max-bundle',
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
      video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000 })],
    },
  });
  pcs.push(pc);
  const audio = new MediaStreamTrack({ kind: 'audio' });
  const video = new MediaStreamTrack({ kind: 'video' });
  pc.addTransceiver(audio, { direction: 'sendonly' });
  pc.addTransceiver(video, { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  const offer = parseSections(pc.localDescription?.sdp ?? '');
  await c.call('transport.connect', {
    transportId: send.id,
    dtlsParameters: { role: 'client', fingerprints: [offer.fingerprint] },
  });
  await pc.setRemoteDescription({
    type: 'answer',
    sdp: bundleAnswer(
      send,
      offer.sections.map((s) => ({ mid: s.mid, kind: s.kind, pt: s.pt, direction: 'recvonly' })),
    ),
  });
  await waitFor('the lecturer’s send transport connected', () => pc.connectionState === 'connected');
  const [a, v] = offer.sections;
  const { producerId: micId } = await c.call('media.produce', {
    transportId: send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      mid: a.mid,
      codecs: [{ mimeType: 'audio/opus', payloadType: a.pt, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: a.ssrc }],
      rtcp: { cname: `lecturer-${a.ssrc}`, reducedSize: true },
    },
  });
  const { producerId: cameraId } = await c.call('media.produce', {
    transportId: send.id,
    kind: 'video',
    source: 'camera',
    rtpParameters: {
      mid: v.mid,
      codecs: [{ mimeType: 'video/VP8', payloadType: v.pt, clockRate: 90000 }],
      encodings: [{ ssrc: v.ssrc }],
      rtcp: { cname: `lecturer-${a.ssrc}`, reducedSize: true },
    },
  });
  let seq = 0;
  const sendPackets = async (count: number) => {
    for (let i = 0; i < count; i++, seq++) {
      audio.writeRtp(
        new RtpPacket(
          new RtpHeader({ payloadType: a.pt, sequenceNumber: seq, timestamp: seq * 960 }),
          Buffer.concat([Buffer.from([0xfc]), Buffer.from(`opus ${seq} `.padEnd(40, '.'))]),
        ),
      );
      video.writeRtp(
        new RtpPacket(
          new RtpHeader({ payloadType: v.pt, sequenceNumber: seq, timestamp: seq * 3000, marker: true }),
          vp8KeyFrame(seq),
        ),
      );
      await sleep(20);
    }
  };
  return { micId, cameraId, send: sendPackets, pc };
}

/**
 * Receives the given consumers (opus and VP8) on the receive transport: one werift peer with an m-line each.
 * `packets` counts the RTP packets that arrived per consumer id.
 */
export async function receiveAll(
  c: RtcTestClient,
  recv: TransportOptions,
  consumers: ConsumerInfo[],
  pcs: RTCPeerConnection[],
) {
  const pt = (x: ConsumerInfo) => (x.rtpParameters.codecs[0] as { payloadType: number }).payloadType;
  const audio = consumers.find((x) => x.kind === 'audio');
  const video = consumers.find((x) => x.kind === 'video');
  const pc = new RTCPeerConnection({
    ...LOOPBACK_PEER_CONFIG,
    // One ICE transport for both m-lines (otherwise werift opens one per m-line and leaks the unused one).
    bundlePolicy: 'max-bundle',
    codecs: {
      audio: audio
        ? [
            new RTCRtpCodecParameters({
              mimeType: 'audio/opus',
              clockRate: 48000,
              channels: 2,
              payloadType: pt(audio),
            }),
          ]
        : [],
      video: video
        ? [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: pt(video) })]
        : [],
    },
  });
  pcs.push(pc);
  const packets: Record<string, number> = Object.fromEntries(consumers.map((x) => [x.consumerId, 0]));
  const byMid = new Map<string, ConsumerInfo>();
  const transceivers: RTCRtpTransceiver[] = consumers.map((x) =>
    pc.addTransceiver(x.kind, { direction: 'recvonly' }),
  );
  await pc.setLocalDescription(await pc.createOffer());
  const offer = parseSections(pc.localDescription?.sdp ?? '');
  offer.sections.forEach((s, i) => byMid.set(s.mid, consumers[i]));
  transceivers.forEach((tr, i) =>
    tr.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe(() => (packets[consumers[i].consumerId] += 1)),
    ),
  );
  await c.call('transport.connect', {
    transportId: recv.id,
    dtlsParameters: { role: 'client', fingerprints: [offer.fingerprint] },
  });
  await pc.setRemoteDescription({
    type: 'answer',
    sdp: bundleAnswer(
      recv,
      offer.sections.map((s) => {
        const x = byMid.get(s.mid);
        if (!x) throw new Error(`no consumer for m-line ${s.mid}`);
        const ssrc = (x.rtpParameters.encodings?.[0] as { ssrc?: number } | undefined)?.ssrc;
        return { mid: s.mid, kind: x.kind, pt: pt(x), direction: 'sendonly', ssrc };
      }),
    ),
  });
  await waitFor('a listener’s receive transport connected', () => pc.connectionState === 'connected', 20_000);
  return { packets, pc };
}
