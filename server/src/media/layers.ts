/** Simulcast layers a camera producer sends, lowest first (the client's CAMERA_ENCODINGS). */
export const SPATIAL_LAYERS = 3;
/** What each spatial layer needs at full frame rate (bits/s): the encodings' maxBitrate. */
export const LAYER_BPS = [100_000, 300_000, 900_000] as const;
/** Tile heights in CSS pixels up to which a layer suffices (a 720p camera: 180p, 360p, 720p). */
const LAYER_MAX_CSS_HEIGHT = [135, 270] as const;

/**
 * The simulcast layers a consumer should receive, from the tile's height in CSS pixels (not device pixels: a
 * phone at pixel ratio 3 does not need 720p for a thumbnail) and, when known, the bitrate this receiver can give
 * that video. Smooth over sharp: when the budget is short, the spatial layer goes down first and the frame rate
 * stays; only below the lowest layer's need does the frame rate halve.
 * A hidden tile (height 0) is not received at all (the caller pauses it); for it this returns the lowest layers.
 */
export function layersForTile(
  cssHeight: number,
  budgetBps?: number,
): { spatialLayer: number; temporalLayer: number } {
  if (!Number.isFinite(cssHeight) || cssHeight <= 0) return { spatialLayer: 0, temporalLayer: 0 };
  let spatialLayer = cssHeight <= LAYER_MAX_CSS_HEIGHT[0] ? 0 : cssHeight <= LAYER_MAX_CSS_HEIGHT[1] ? 1 : 2;
  let temporalLayer = 2;
  if (budgetBps !== undefined && Number.isFinite(budgetBps)) {
    while (spatialLayer > 0 && LAYER_BPS[spatialLayer] > budgetBps) spatialLayer -= 1;
    if (LAYER_BPS[0] > budgetBps) temporalLayer = budgetBps >= LAYER_BPS[0] / 2 ? 1 : 0;
  }
  return { spatialLayer: Math.min(spatialLayer, SPATIAL_LAYERS - 1), temporalLayer };
}
