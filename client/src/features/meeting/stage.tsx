import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useRoom } from './room-context';
import { orderedPeers, type RoomViewState } from './room-store';
import { peerTile, selfScreenTile, selfTile } from './tiles';
import { VideoTile, type VideoTileProps } from './video-tile';

export type ViewMode = 'grid' | 'speaker';

/** The tiles of the stage: the person first, then the others in joining order. */
export function participantTiles(state: RoomViewState): VideoTileProps[] {
  const self = selfTile(state);
  return [...(self ? [self] : []), ...orderedPeers(state).map((p) => peerTile(state, p))];
}

export function screenTiles(state: RoomViewState): VideoTileProps[] {
  const screens: VideoTileProps[] = [];
  for (const c of Object.values(state.consumers)) {
    if (c.source !== 'screen') continue;
    const peer = state.peers[c.peerId];
    if (!peer) continue;
    screens.push({
      peerId: peer.peerId,
      name: peer.name,
      videoKey: c.consumerId,
      consumerId: c.consumerId,
      mic: 'none',
      screen: true,
      testId: 'screen-tile',
    });
  }
  const own = selfScreenTile(state);
  if (own) screens.push(own);
  return screens;
}

/**
 * What a phone shows large: a shared screen first, then the active speaker (never oneself), then the first other
 * person; null when the person is alone.
 */
export function phoneFocus(state: RoomViewState): {
  main: VideoTileProps | null;
  self: VideoTileProps | null;
  others: VideoTileProps[];
} {
  const self = selfTile(state);
  const peers = orderedPeers(state).map((p) => peerTile(state, p));
  const screens = screenTiles(state);
  const main = screens[0] ?? peers.find((tile) => tile.peerId === state.activeSpeaker) ?? peers[0] ?? null;
  const others = [
    ...screens.slice(1),
    ...peers.filter((tile) => !(main && !main.screen && tile.peerId === main.peerId)),
  ];
  return { main, self, others };
}

/**
 * A phone's room, built around the speaker: the active speaker (or a shared screen) fills the stage, uncropped;
 * oneself is a small picture in the corner; anyone else is a thumbnail in the strip below.
 */
function PhoneStage() {
  const { state } = useRoom();
  const { main, self, others } = phoneFocus(state);
  if (!main) return <GridStage />;
  return (
    <div className="bm-stage bm-stage-phone" data-testid="room-grid" data-layout="phone-speaker">
      <div className="bm-main" data-testid="room-main">
        <VideoTile key={`main-${main.peerId}-${main.screen ? 's' : 'c'}`} {...main} large fit />
        {self && (
          <div className="bm-pip" data-testid="self-pip">
            <VideoTile key={`pip-${self.peerId}`} {...self} fit />
          </div>
        )}
      </div>
      {others.length > 0 && (
        <div className="bm-strip" data-testid="room-strip">
          {others.map((tile) => (
            <VideoTile key={`${tile.screen ? 'screen' : 'cam'}-${tile.peerId}`} {...tile} fit />
          ))}
        </div>
      )}
    </div>
  );
}

function GridStage() {
  const { t } = useTranslation();
  const { state } = useRoom();
  const tiles = participantTiles(state);
  const cols = Math.max(1, Math.ceil(Math.sqrt(tiles.length)));
  const rows = Math.max(1, Math.ceil(tiles.length / cols));
  return (
    <div className="bm-stage">
      <div
        className="bm-grid"
        data-testid="room-grid"
        style={{ ['--bm-cols' as string]: cols, ['--bm-rows' as string]: rows }}
      >
        {tiles.map((tile) => (
          <VideoTile key={tile.peerId} {...tile} />
        ))}
      </div>
      {tiles.length === 1 && (
        <Typography.Text className="bm-alone" data-testid="room-alone">
          {t('room.alone')}
        </Typography.Text>
      )}
    </div>
  );
}

/** The stage of an ordinary meeting: the grid, or the speaker (or a shared screen) large; a phone's own layout. */
export function Stage({ view, phone = false }: { view: ViewMode; phone?: boolean }) {
  const { state } = useRoom();
  if (phone && view === 'speaker') return <PhoneStage />;
  const tiles = participantTiles(state);
  const screens = screenTiles(state);

  let main: VideoTileProps | null = screens[0] ?? null;
  if (!main && view === 'speaker' && tiles.length > 1) {
    main =
      tiles.find((tile) => tile.peerId === state.activeSpeaker && !tile.isSelf) ??
      tiles.find((tile) => !tile.isSelf) ??
      null;
  }
  if (!main) return <GridStage />;
  const rest = main.screen ? tiles : tiles.filter((tile) => tile.peerId !== main.peerId);
  return (
    <div className="bm-stage bm-stage-focus">
      <div className="bm-main" data-testid="room-main">
        <VideoTile key={`main-${main.peerId}-${main.screen ? 's' : 'c'}`} {...main} large />
      </div>
      <div className="bm-strip" data-testid="room-grid">
        {screens.slice(1).map((tile) => (
          <VideoTile key={`screen-${tile.peerId}`} {...tile} />
        ))}
        {rest.map((tile) => (
          <VideoTile key={tile.peerId} {...tile} />
        ))}
      </div>
    </div>
  );
}
