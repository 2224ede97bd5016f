import type { types } from 'mediasoup';
import type { PeerConfig } from 'werift';

/**
 * What tests need to talk WebRTC to the SFU from Node with werift: a loopback-only peer configuration, the
 * parts of werift's offer that signalling needs, and the SDP answer of a mediasoup WebRtcTransport.
 */
export const LOOPBACK_PEER_CONFIG: Partial<PeerConfig> = {
  iceServers: [],
  iceUseIpv6: false,
  iceInterfaceAddresses: { udp4: '127.0.0.1' },
  iceAdditionalHostAddresses: ['127.0.0.1'],
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `pred` every 20 ms until it holds; fails naming `what` after `ms`. */
export async function waitFor(what: string, pred: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The DTLS fingerprint, mid, opus payload type and SSRC of werift's one-audio-m-line offer. */
export function parseOffer(sdp: string) {
  const get = (re: RegExp, what: string) => {
    const m = sdp.match(re);
    if (!m) throw new Error(`offer has no ${what}:\n${sdp}`);
    return m;
  };
  const fp = get(/a=fingerprint:(\S+) (\S+)/, 'fingerprint');
  const ssrc = sdp.match(/a=ssrc:(\d+) /);
  return {
    fingerprint: { algorithm: fp[1].toLowerCase() as types.FingerprintAlgorithm, value: fp[2] },
    mid: get(/a=mid:(\S+)/, 'mid')[1],
    opusPt: Number(get(/a=rtpmap:(\d+) opus\/48000\/2/i, 'opus rtpmap')[1]),
    ssrc: ssrc ? Number(ssrc[1]) : undefined,
  };
}

/** The transport fields the answer needs, as both MediaService and the /rtc join answer give them. */
export interface AnswerTransport {
  iceParameters: { usernameFragment: string; password: string };
  iceCandidates: readonly object[];
  dtlsParameters: { fingerprints: readonly object[] };
}

interface Candidate {
  protocol: string;
  foundation: string;
  priority: number;
  address: string;
  port: number;
}

/** One m-line of a werift offer as the answer needs it: opus for audio, VP8 for video. */
export interface AnswerSection {
  mid: string;
  kind: 'audio' | 'video';
  pt: number;
  /** The direction of the transport's side (recvonly: it receives what werift sends). */
  direction: 'sendonly' | 'recvonly';
  /** The SSRC the transport sends on this m-line (a receive side of werift). */
  ssrc?: number;
}

/**
 * The SDP answer of a mediasoup WebRtcTransport (ICE-lite, DTLS server) for werift's bundled m-lines. The one
 * answer builder of the tests: werift needs an SDP answer, mediasoup gives transport parameters.
 */
export function bundleAnswer(t: AnswerTransport, sections: readonly AnswerSection[]): string {
  const fp = (t.dtlsParameters.fingerprints as { algorithm: string; value: string }[]).find(
    (f) => f.algorithm === 'sha-256',
  );
  const c = (t.iceCandidates as Candidate[]).find((x) => x.protocol === 'udp');
  if (!fp || !c) throw new Error('transport has no sha-256 fingerprint or UDP candidate');
  const lines = [
    'v=0',
    'o=mediasoup 1 1 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${sections.map((s) => s.mid).join(' ')}`,
    'a=msid-semantic: WMS *',
    `a=fingerprint:sha-256 ${fp.value}`,
  ];
  for (const s of sections) {
    lines.push(
      `m=${s.kind} ${c.port} UDP/TLS/RTP/SAVPF ${s.pt}`,
      `c=IN IP4 ${c.address}`,
      `a=mid:${s.mid}`,
      `a=${s.direction}`,
      'a=rtcp-mux',
      `a=ice-ufrag:${t.iceParameters.usernameFragment}`,
      `a=ice-pwd:${t.iceParameters.password}`,
      `a=candidate:${c.foundation} 1 udp ${c.priority} ${c.address} ${c.port} typ host`,
      'a=end-of-candidates',
      'a=setup:passive',
    );
    if (s.kind === 'audio')
      lines.push(`a=rtpmap:${s.pt} opus/48000/2`, `a=fmtp:${s.pt} minptime=10;useinbandfec=1`);
    else
      lines.push(
        `a=rtpmap:${s.pt} VP8/90000`,
        `a=rtcp-fb:${s.pt} nack`,
        `a=rtcp-fb:${s.pt} nack pli`,
        `a=rtcp-fb:${s.pt} ccm fir`,
      );
    if (s.ssrc !== undefined)
      lines.push(`a=ssrc:${s.ssrc} cname:mediasoup`, `a=ssrc:${s.ssrc} msid:stream-${s.mid} track-${s.mid}`);
  }
  return lines.join('\r\n') + '\r\n';
}

/** The answer for one audio m-line. */
export function transportAnswer(
  t: AnswerTransport,
  o: { mid: string; pt: number; direction: AnswerSection['direction']; ssrc?: number },
): string {
  return bundleAnswer(t, [{ kind: 'audio', ...o }]);
}
