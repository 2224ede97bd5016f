/** Simulcast layers a camera producer sends, lowest first (see CAMERA_SIMULCAST in media.constants). */
export const SPATIAL_LAYERS = 3;

/**
 * The spatial layer a consumer should receive for a tile of this height in CSS pixels (times the device pixel
 * ratio, which the client folds in): a thumbnail gets the lowest layer, a large tile the highest.
 * Temporal layer: the highest (full frame rate), except for hidden tiles (height 0), which get the lowest.
 */
export function layersForTile(height: number): { spatialLayer: number; temporalLayer: number } {
  if (!Number.isFinite(height) || height <= 0) return { spatialLayer: 0, temporalLayer: 0 };
  const spatialLayer = height <= 180 ? 0 : height <= 360 ? 1 : 2;
  return { spatialLayer: Math.min(spatialLayer, SPATIAL_LAYERS - 1), temporalLayer: 2 };
}
