import { localTrackKey } from '../../media';
import { consumerOf, isHostPeer, sourceState, type PeerView, type RoomViewState } from './room-store';
import type { VideoTileProps } from './video-tile';

/** The person's own camera tile (the local track), as every stage shows it. */
export function selfTile(state: RoomViewState): VideoTileProps | null {
  const self = state.self;
  if (!self) return null;
  return {
    peerId: self.peerId,
    name: self.name,
    videoKey: state.local.camera ? localTrackKey('camera') : null,
    isSelf: true,
    isHost: isHostPeer(state, self),
    mic: state.local.mic ? 'on' : 'off',
    handRaised: self.handRaised,
    speaking: state.activeSpeaker === self.peerId,
    quality: state.connection === 'joined' ? state.quality.self : undefined,
  };
}

/** The person's own screen share, while they share one. */
export function selfScreenTile(state: RoomViewState): VideoTileProps | null {
  if (!state.self || !state.local.screen) return null;
  return {
    peerId: state.self.peerId,
    name: state.self.name,
    videoKey: localTrackKey('screen'),
    isSelf: true,
    mic: 'none',
    screen: true,
    testId: 'screen-tile',
  };
}

/** A remote person's camera tile: their camera consumer while the camera is on. */
export function peerTile(state: RoomViewState, peer: PeerView): VideoTileProps {
  const camera = consumerOf(state, peer.peerId, 'camera');
  return {
    peerId: peer.peerId,
    name: peer.name,
    videoKey: camera && sourceState(peer, 'camera') === 'on' ? camera.consumerId : null,
    consumerId: camera?.consumerId,
    isHost: isHostPeer(state, peer),
    mic: sourceState(peer, 'mic'),
    handRaised: peer.handRaised,
    speaking: state.activeSpeaker === peer.peerId,
    quality: state.quality.peers[peer.peerId],
  };
}

/**
 * The height in CSS pixels at which a tile shows its picture. Letterboxed (`fit`), that is the picture's own: a
 * landscape camera on a phone's tall stage fills its width and is far lower than the tile. Filling the tile
 * (cropped), it is the tile's. The picture's shape is the video's once known, else a camera's 16:9.
 */
export function shownHeight(
  tile: { width: number; height: number },
  fit: boolean,
  video?: { videoWidth: number; videoHeight: number } | null,
): number {
  if (!fit) return tile.height;
  const aspect =
    video && video.videoWidth > 0 && video.videoHeight > 0 ? video.videoWidth / video.videoHeight : 16 / 9;
  return Math.min(tile.height, tile.width / aspect);
}
