import type { MediaKind, MediaSource, PeerInfo, PeerRole } from '@branchmeet/shared';

/** A remote producer as the room shows it. */
export interface ProducerView {
  producerId: string;
  kind: MediaKind;
  source: MediaSource;
  paused: boolean;
}

/** A participant as the room shows it (from the server's `PeerInfo`). */
export interface PeerView {
  peerId: string;
  userId: string;
  name: string;
  role: PeerRole;
  handRaised: boolean;
  producers: Record<string, ProducerView>;
}

export function peerView(p: PeerInfo): PeerView {
  return {
    peerId: p.peerId,
    userId: p.userId,
    name: p.name,
    role: p.role,
    handRaised: p.handRaised,
    producers: Object.fromEntries(
      p.producers.map((pr) => [
        pr.producerId,
        { producerId: pr.producerId, kind: pr.kind, source: pr.source, paused: pr.paused },
      ]),
    ),
  };
}
