#!/usr/bin/env node
// Checks that a mediasoup-worker binary really works end to end on loopback:
// ICE + a real DTLS handshake + SRTP in both directions.
//
//   werift peer A --(SRTP opus)--> WebRtcTransport 1 --> Producer
//   Producer --> Consumer on WebRtcTransport 2 --(SRTP)--> werift peer B
//
// Passes when both transports reach dtlsState "connected", the producer's
// byteCount is > 0 (worker decrypted SRTP) and peer B receives RTP packets
// (worker encrypted SRTP). Exits non-zero on any failure; bounded to ~20 s.
//
// Worker binary: argv[2], else $MEDIASOUP_WORKER_BIN, else the last stdout
// line of ./ensure-worker.sh (which may build it on first use).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const DEADLINE_MS = 20_000;
const PACKETS = 100; // 20 ms opus-like packets, 2 s of audio

const log = (...a) => console.log('[verify-dtls]', ...a);
const fail = (msg) => {
  console.error(`[verify-dtls] FAIL: ${msg}`);
  process.exit(1);
};
const timer = setTimeout(() => fail(`timed out after ${DEADLINE_MS} ms`), DEADLINE_MS);
timer.unref();

let workerBin = process.argv[2] || process.env.MEDIASOUP_WORKER_BIN;
if (!workerBin) {
  const out = execFileSync('bash', [join(HERE, 'ensure-worker.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  workerBin = out.trim().split('\n').pop();
}
// mediasoup reads MEDIASOUP_WORKER_BIN when its module loads: set it first.
process.env.MEDIASOUP_WORKER_BIN = workerBin;
log('worker binary:', workerBin);

const mediasoup = await import('mediasoup');
const werift = await import('werift');
const { RTCPeerConnection, MediaStreamTrack, RtpPacket, RtpHeader } = werift;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, pred, ms = 8000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// werift, loopback only: no STUN server, bind sockets to 127.0.0.1.
const PEER_CONFIG = {
  iceServers: [],
  iceUseIpv6: false,
  iceInterfaceAddresses: { udp4: '127.0.0.1' },
  iceAdditionalHostAddresses: ['127.0.0.1'],
};

function parseOffer(sdp) {
  const get = (re, what) => {
    const m = sdp.match(re);
    if (!m) throw new Error(`offer has no ${what}:\n${sdp}`);
    return m;
  };
  const fp = get(/a=fingerprint:(\S+) (\S+)/, 'fingerprint');
  const opus = get(/a=rtpmap:(\d+) opus\/48000\/2/i, 'opus rtpmap');
  const ssrc = sdp.match(/a=ssrc:(\d+) /);
  return {
    fingerprint: { algorithm: fp[1].toLowerCase(), value: fp[2] },
    mid: get(/a=mid:(\S+)/, 'mid')[1],
    opusPt: Number(opus[1]),
    ssrc: ssrc ? Number(ssrc[1]) : undefined,
  };
}

// SDP answer from a mediasoup WebRtcTransport (ICE-lite, DTLS server).
function buildAnswer(transport, { mid, pt, direction, ssrc }) {
  const fp = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256');
  const c = transport.iceCandidates.find((x) => x.protocol === 'udp');
  const lines = [
    'v=0',
    'o=mediasoup 1 1 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${mid}`,
    'a=msid-semantic: WMS *',
    `a=fingerprint:sha-256 ${fp.value}`,
    `m=audio ${c.port} UDP/TLS/RTP/SAVPF ${pt}`,
    `c=IN IP4 ${c.address}`,
    `a=mid:${mid}`,
    `a=${direction}`,
    'a=rtcp-mux',
    `a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
    `a=ice-pwd:${transport.iceParameters.password}`,
    `a=candidate:${c.foundation} 1 udp ${c.priority} ${c.address} ${c.port} typ host`,
    'a=end-of-candidates',
    'a=setup:passive',
    `a=rtpmap:${pt} opus/48000/2`,
    `a=fmtp:${pt} minptime=10;useinbandfec=1`,
  ];
  if (ssrc !== undefined) {
    lines.push(`a=ssrc:${ssrc} cname:mediasoup`, `a=ssrc:${ssrc} msid:stream track`);
  }
  return lines.join('\r\n') + '\r\n';
}

const cleanups = [];
let exitCode = 1;
try {
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  cleanups.push(() => worker.close());
  let workerDied = null;
  worker.on('died', (e) => {
    workerDied = e;
  });
  log(`mediasoup ${mediasoup.version}, worker pid ${worker.pid}`);

  const router = await worker.createRouter({
    mediaCodecs: [
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
      { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
    ],
  });
  const transportOptions = {
    listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
    enableUdp: true,
    enableTcp: false,
  };

  // --- Sender: werift peer A -> WebRtcTransport 1 -> Producer ---
  const sendTransport = await router.createWebRtcTransport(transportOptions);
  const pcA = new RTCPeerConnection(PEER_CONFIG);
  cleanups.push(() => pcA.close());
  const trackA = new MediaStreamTrack({ kind: 'audio' });
  pcA.addTransceiver(trackA, { direction: 'sendonly' });
  await pcA.setLocalDescription(await pcA.createOffer());
  const offerA = parseOffer(pcA.localDescription.sdp);
  if (offerA.ssrc === undefined) throw new Error('peer A offer has no a=ssrc');

  await sendTransport.connect({
    dtlsParameters: { role: 'client', fingerprints: [offerA.fingerprint] },
  });
  await pcA.setRemoteDescription({
    type: 'answer',
    sdp: buildAnswer(sendTransport, { mid: offerA.mid, pt: offerA.opusPt, direction: 'recvonly' }),
  });
  await waitFor('send transport DTLS connected', () => {
    if (workerDied) throw new Error(`worker died: ${workerDied}`);
    if (sendTransport.dtlsState === 'failed') throw new Error('send transport DTLS failed');
    return sendTransport.dtlsState === 'connected';
  });
  log('send transport: iceState', sendTransport.iceState, 'dtlsState', sendTransport.dtlsState);

  const producer = await sendTransport.produce({
    kind: 'audio',
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
      rtcp: { cname: 'peer-a', reducedSize: true },
    },
  });

  // --- Receiver: Consumer on WebRtcTransport 2 -> werift peer B ---
  const recvTransport = await router.createWebRtcTransport(transportOptions);
  const consumer = await recvTransport.consume({
    producerId: producer.id,
    rtpCapabilities: {
      codecs: [
        {
          kind: 'audio',
          mimeType: 'audio/opus',
          preferredPayloadType: 100,
          clockRate: 48000,
          channels: 2,
          rtcpFeedback: [],
        },
      ],
      headerExtensions: [],
    },
    paused: false,
  });
  const cpt = consumer.rtpParameters.codecs[0].payloadType;
  const cssrc = consumer.rtpParameters.encodings[0].ssrc;

  const pcB = new RTCPeerConnection({
    ...PEER_CONFIG,
    codecs: {
      audio: [
        new werift.RTCRtpCodecParameters({
          mimeType: 'audio/opus',
          clockRate: 48000,
          channels: 2,
          payloadType: cpt,
        }),
      ],
      video: [],
    },
  });
  cleanups.push(() => pcB.close());
  let received = 0;
  let receivedBytes = 0;
  pcB.ontrack = ({ track }) => {
    track.onReceiveRtp.subscribe((rtp) => {
      received += 1;
      receivedBytes += rtp.payload.length;
    });
  };
  pcB.addTransceiver('audio', { direction: 'recvonly' });
  await pcB.setLocalDescription(await pcB.createOffer());
  const offerB = parseOffer(pcB.localDescription.sdp);
  await recvTransport.connect({
    dtlsParameters: { role: 'client', fingerprints: [offerB.fingerprint] },
  });
  await pcB.setRemoteDescription({
    type: 'answer',
    sdp: buildAnswer(recvTransport, { mid: offerB.mid, pt: cpt, direction: 'sendonly', ssrc: cssrc }),
  });
  await waitFor('recv transport DTLS connected', () => {
    if (workerDied) throw new Error(`worker died: ${workerDied}`);
    if (recvTransport.dtlsState === 'failed') throw new Error('recv transport DTLS failed');
    return recvTransport.dtlsState === 'connected';
  });
  log('recv transport: iceState', recvTransport.iceState, 'dtlsState', recvTransport.dtlsState);

  // --- Send opus-like RTP from peer A ---
  const payload = Buffer.alloc(60, 0xab);
  payload[0] = 0xfc; // opus TOC byte (CELT FB 20 ms)
  for (let i = 0; i < PACKETS; i++) {
    trackA.writeRtp(
      new RtpPacket(
        new RtpHeader({ payloadType: offerA.opusPt, sequenceNumber: i, timestamp: i * 960, marker: i === 0 }),
        payload,
      ),
    );
    await sleep(20);
  }

  await waitFor('RTP at peer B', () => received >= PACKETS / 2, 3000).catch(() => {});
  const [pstats] = await producer.getStats();
  const cstats = (await consumer.getStats()).find((s) => s.type === 'outbound-rtp');
  log('producer stats: packetCount', pstats?.packetCount, 'byteCount', pstats?.byteCount);
  log('consumer stats: packetCount', cstats?.packetCount, 'byteCount', cstats?.byteCount);
  log('peer B received RTP packets:', received, 'payload bytes:', receivedBytes);

  if (workerDied) throw new Error(`worker died: ${workerDied}`);
  if (!(pstats?.byteCount > 0)) throw new Error('producer byteCount is 0: no SRTP decrypted');
  if (received < PACKETS / 2) throw new Error(`peer B got only ${received}/${PACKETS} packets`);
  if (sendTransport.dtlsState !== 'connected' || recvTransport.dtlsState !== 'connected') {
    throw new Error('a transport left dtlsState "connected"');
  }
  console.log('[verify-dtls] OK: DTLS connected, SRTP decrypt and encrypt work');
  exitCode = 0;
} catch (e) {
  console.error('[verify-dtls] FAIL:', e?.stack || e);
} finally {
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch {}
  }
  process.exit(exitCode);
}
