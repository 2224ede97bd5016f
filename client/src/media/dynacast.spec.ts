import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { followDynacast, type DynacastProducer } from './dynacast';
import type { LayersSource } from './dynacast';

const producer = (id: string, kind: 'audio' | 'video' = 'video') => ({
  id,
  kind,
  closed: false,
  setMaxSpatialLayer: vi.fn(async () => undefined),
});

describe('followDynacast', () => {
  afterEach(() => vi.useRealTimers());

  it('limits the producer to the layer the server says anyone receives', async () => {
    const socket = new EventEmitter();
    const cam = producer('cam');
    followDynacast(socket as unknown as LayersSource, (id) => (id === 'cam' ? cam : undefined));
    socket.emit('media.layers', { producerId: 'cam', maxSpatialLayer: 0 });
    await vi.waitFor(() => expect(cam.setMaxSpatialLayer).toHaveBeenCalledTimes(1));
    socket.emit('media.layers', { producerId: 'cam', maxSpatialLayer: 2 });
    await vi.waitFor(() => expect(cam.setMaxSpatialLayer.mock.calls).toEqual([[0], [2]]));
  });

  it('one change at a time, the latest wins: a 0 that comes while a 2 is being set is not lost', async () => {
    const socket = new EventEmitter();
    // Like mediasoup-client: a layer equal to the one set last (not the one being set) is skipped.
    let current = 0;
    const pending: (() => void)[] = [];
    const cam = {
      ...producer('cam'),
      setMaxSpatialLayer: vi.fn(async (layer: number) => {
        if (layer === current) return;
        await new Promise<void>((resolve) => pending.push(resolve));
        current = layer;
      }),
    };
    followDynacast(socket as unknown as LayersSource, () => cam);
    socket.emit('media.layers', { producerId: 'cam', maxSpatialLayer: 2 });
    socket.emit('media.layers', { producerId: 'cam', maxSpatialLayer: 0 }); // while the 2 is being set
    expect(cam.setMaxSpatialLayer.mock.calls).toEqual([[2]]);
    pending.shift()?.();
    await vi.waitFor(() => expect(cam.setMaxSpatialLayer.mock.calls).toEqual([[2], [0]]));
    pending.shift()?.();
    await vi.waitFor(() => expect(current).toBe(0));
  });

  it('ignores malformed messages and audio producers; stops when told to', () => {
    const socket = new EventEmitter();
    const mic = producer('mic', 'audio');
    const stop = followDynacast(socket as unknown as LayersSource, () => mic);
    socket.emit('media.layers', { producerId: 'mic', maxSpatialLayer: -1 });
    socket.emit('media.layers', { producerId: 'mic', maxSpatialLayer: 1 });
    expect(mic.setMaxSpatialLayer).not.toHaveBeenCalled();
    stop();
    expect(socket.listenerCount('media.layers')).toBe(0);
  });

  it('applies a message that came before the producer was stored', () => {
    vi.useFakeTimers();
    const socket = new EventEmitter();
    const stored = new Map<string, DynacastProducer>();
    followDynacast(socket as unknown as LayersSource, (id) => stored.get(id), { delayMs: 100, tries: 5 });
    socket.emit('media.layers', { producerId: 'cam', maxSpatialLayer: 1 });
    const late = producer('cam');
    stored.set('cam', late);
    vi.advanceTimersByTime(100);
    expect(late.setMaxSpatialLayer).toHaveBeenCalledWith(1);
  });
});
