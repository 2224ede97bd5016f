import { EventEmitter } from 'node:events';
import {
  Dynacast,
  type LayerConsumer,
  type LayerProducer,
  type LayersWanted,
  wantedSpatialLayer,
} from './dynacast';

const consumer = (over: Partial<LayerConsumer> = {}): LayerConsumer => ({
  producerId: 'cam',
  paused: false,
  closed: false,
  ...over,
});

const simulcast = (id: string, over: Partial<LayerProducer> = {}): LayerProducer => ({
  id,
  type: 'simulcast',
  kind: 'video',
  closed: false,
  rtpParameters: { encodings: [{}, {}, {}] },
  ...over,
});

describe('wantedSpatialLayer', () => {
  it('is the highest preferred layer among the consumers that flow', () => {
    const cs = [
      consumer({ preferredLayers: { spatialLayer: 0 } }),
      consumer({ preferredLayers: { spatialLayer: 1 } }),
      consumer({ preferredLayers: { spatialLayer: 2 }, paused: true }),
      consumer({ preferredLayers: { spatialLayer: 2 }, closed: true }),
    ];
    expect(wantedSpatialLayer(cs, 3)).toBe(1);
  });

  it('keeps the lowest layer when nobody receives, and the top for a consumer without preferred layers', () => {
    expect(wantedSpatialLayer([], 3)).toBe(0);
    expect(wantedSpatialLayer([consumer({ paused: true })], 3)).toBe(0);
    expect(wantedSpatialLayer([consumer()], 3)).toBe(2);
    expect(wantedSpatialLayer([consumer({ preferredLayers: { spatialLayer: 5 } })], 2)).toBe(1);
  });

  it('only 180p receivers: only the lowest layer', () => {
    const cs = [0, 0, 0].map((l) => consumer({ preferredLayers: { spatialLayer: l } }));
    expect(wantedSpatialLayer(cs, 3)).toBe(0);
  });
});

/** A consumer as mediasoup's router observers hand it out: its fields and an observer. */
function watched(over: Partial<LayerConsumer> & { type?: string } = {}) {
  const observer = new EventEmitter();
  const c = { producerId: 'cam', paused: false, closed: false, type: 'simulcast', observer, ...over };
  return c as typeof c & { paused: boolean; closed: boolean };
}

describe('Dynacast', () => {
  function setup() {
    const producers: { peerId: string; producer: LayerProducer }[] = [
      { peerId: 'pub', producer: simulcast('cam') },
      {
        peerId: 'pub',
        producer: simulcast('screen', { type: 'simple', rtpParameters: { encodings: [{}] } }),
      },
    ];
    const told: LayersWanted[] = [];
    const dyn = new Dynacast(
      () => producers,
      (e) => told.push(e),
      0,
    );
    const router = { observer: new EventEmitter() };
    const transport = { observer: new EventEmitter() };
    dyn.watch(router);
    router.observer.emit('newtransport', transport);
    const add = (c: ReturnType<typeof watched>) => transport.observer.emit('newconsumer', c);
    return { producers, told, dyn, add };
  }

  it('tells the publisher once per change, for simulcast producers only', () => {
    const { told, dyn, add } = setup();
    dyn.refresh();
    expect(told).toEqual([{ peerId: 'pub', producerId: 'cam', maxSpatialLayer: 0 }]);
    dyn.refresh();
    expect(told).toHaveLength(1);
    const big = watched({ preferredLayers: { spatialLayer: 2 } });
    add(watched({ preferredLayers: { spatialLayer: 0 } }));
    add(big);
    dyn.refresh();
    expect(told.at(-1)).toEqual({ peerId: 'pub', producerId: 'cam', maxSpatialLayer: 2 });
    // The large tile's receiver pauses (off screen, weak downlink): only the 180p receiver is left.
    big.paused = true;
    dyn.refresh();
    expect(told.at(-1)?.maxSpatialLayer).toBe(0);
    expect(told).toHaveLength(3);
  });

  it('counts every consumer on the router (a recorder too) but pipes, until it closes', () => {
    const { told, dyn, add } = setup();
    add(watched({ type: 'pipe' }));
    dyn.refresh();
    expect(told.at(-1)?.maxSpatialLayer).toBe(0);
    const recorder = watched({ preferredLayers: { spatialLayer: 2 } });
    add(recorder);
    dyn.refresh();
    expect(told.at(-1)?.maxSpatialLayer).toBe(2);
    recorder.closed = true;
    recorder.observer.emit('close');
    dyn.refresh();
    expect(told.at(-1)?.maxSpatialLayer).toBe(0);
  });

  it('forgets a closed producer (a new one with the same id is told again)', () => {
    const { producers, told, dyn } = setup();
    dyn.refresh();
    const cam = producers[0];
    producers.splice(0, 1);
    dyn.refresh();
    producers.push(cam);
    dyn.refresh();
    expect(told).toHaveLength(2);
  });
});
