import { layersForTile } from './layers';

describe('simulcast layer for a tile', () => {
  it.each([
    [90, 0],
    [135, 0],
    [136, 1],
    [270, 1],
    [271, 2],
    [1080, 2],
  ])('a tile %i CSS px high gets spatial layer %i at full frame rate', (height, spatial) => {
    expect(layersForTile(height)).toEqual({ spatialLayer: spatial, temporalLayer: 2 });
  });

  it('a phone-sized tile (about 220 CSS px high) does not ask for 720p, whatever the pixel ratio', () => {
    expect(layersForTile(220).spatialLayer).toBeLessThan(2);
  });

  it('a hidden or nonsense tile gets the lowest layer', () => {
    for (const h of [0, -5, Number.NaN])
      expect(layersForTile(h)).toEqual({ spatialLayer: 0, temporalLayer: 0 });
  });

  it('a ceiling (the downlink holding layers down) lowers the picture size and keeps the frame rate', () => {
    expect(layersForTile(720, undefined)).toEqual({ spatialLayer: 2, temporalLayer: 2 });
    expect(layersForTile(720, 1)).toEqual({ spatialLayer: 1, temporalLayer: 2 });
    expect(layersForTile(720, 0)).toEqual({ spatialLayer: 0, temporalLayer: 2 });
    expect(layersForTile(200, 2)).toEqual({ spatialLayer: 1, temporalLayer: 2 });
  });
});
