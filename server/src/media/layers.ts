/** Simulcast layers a camera producer sends, lowest first (the client's CAMERA_ENCODINGS). */
export const SPATIAL_LAYERS = 3;
/** What each spatial layer needs at full frame rate (bits/s): the encodings' maxBitrate. */
export const LAYER_BPS = [100_000, 300_000, 900_000] as const;
/** Tile heights in CSS pixels up to which a layer suffices (a 720p camera: 180p, 360p, 720p). */
const LAYER_MAX_CSS_HEIGHT = [135, 270] as const;

/**
 * The simulcast layers a consumer should receive, from the tile's height in CSS pixels (not device pixels: a
 * phone at pixel ratio 3 does not need 720p for a thumbnail), at most `maxSpatialLayer` while the downlink holds
 * the layers down. Smooth over sharp: always the full frame rate asked for — mediasoup drops temporal layers
 * itself when its estimate is short, and a preferred reduced frame rate would also keep the estimate from ever
 * climbing (mediasoup probes only up to what the preferred layers need).
 * A hidden tile (height 0) is not received at all (the caller pauses it); for it this returns the lowest layers.
 */
export function layersForTile(
  cssHeight: number,
  maxSpatialLayer?: number,
): { spatialLayer: number; temporalLayer: number } {
  if (!Number.isFinite(cssHeight) || cssHeight <= 0) return { spatialLayer: 0, temporalLayer: 0 };
  const tile = cssHeight <= LAYER_MAX_CSS_HEIGHT[0] ? 0 : cssHeight <= LAYER_MAX_CSS_HEIGHT[1] ? 1 : 2;
  const cap = maxSpatialLayer === undefined ? SPATIAL_LAYERS - 1 : Math.max(0, maxSpatialLayer);
  return { spatialLayer: Math.min(tile, cap, SPATIAL_LAYERS - 1), temporalLayer: 2 };
}
