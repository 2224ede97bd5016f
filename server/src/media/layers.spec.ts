import { layersForTile } from './layers';

describe('simulcast layer for a tile', () => {
  it.each([
    [90, 0],
    [180, 0],
    [181, 1],
    [360, 1],
    [361, 2],
    [1080, 2],
  ])('a tile %i px high gets spatial layer %i at full frame rate', (height, spatial) => {
    expect(layersForTile(height)).toEqual({ spatialLayer: spatial, temporalLayer: 2 });
  });

  it('a hidden or nonsense tile gets the lowest layer', () => {
    for (const h of [0, -5, Number.NaN])
      expect(layersForTile(h)).toEqual({ spatialLayer: 0, temporalLayer: 0 });
  });
});
