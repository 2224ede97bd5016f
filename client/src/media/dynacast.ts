import { MediaLayers } from '@branchmeet/shared';
import type { types } from 'mediasoup-client';

/** The part of a mediasoup-client producer dynacast drives. */
export type DynacastProducer = Pick<types.Producer, 'id' | 'kind' | 'closed' | 'setMaxSpatialLayer'>;

/** Where `media.layers` is heard: the room's subscription to the shared socket (or a socket in tests). */
export interface LayersSource {
  on(event: 'media.layers', listener: (payload: MediaLayers) => void): void;
  off?(event: 'media.layers', listener: (payload: MediaLayers) => void): void;
}

/**
 * Dynacast on the publisher's side: the server says (`media.layers`) the highest simulcast layer anyone receives
 * of a producer of ours, and the encodings above it are turned off (`active: false` through the producer's
 * RTCRtpSender parameters), so the camera's encoder spends nothing on layers nobody watches. A message may come
 * before the producer is stored (its `produce` still settling): it is tried again a few times. One change runs at
 * a time per producer and the latest message wins: mediasoup-client compares a new layer with the one set last,
 * so a 0 that came while a 2 was still being set would otherwise be dropped and leave all layers on.
 * Returns the function that stops listening.
 */
export function followDynacast(
  socket: LayersSource,
  producerById: (producerId: string) => DynacastProducer | undefined,
  retry = { delayMs: 250, tries: 20 },
): () => void {
  const wanted = new Map<string, number>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const applying = new Set<string>();
  /** The layer last set on each producer. */
  const applied = new Map<string, number>();
  const apply = (producerId: string, attempt: number) => {
    const layer = wanted.get(producerId);
    if (layer === undefined) return;
    const producer = producerById(producerId);
    if (!producer) {
      if (attempt >= retry.tries) wanted.delete(producerId);
      else {
        const timer = setTimeout(() => {
          timers.delete(timer);
          apply(producerId, attempt + 1);
        }, retry.delayMs);
        timers.add(timer);
      }
      return;
    }
    if (producer.closed || producer.kind !== 'video') {
      wanted.delete(producerId);
      return;
    }
    if (applying.has(producerId)) return; // the change running now applies the latest wish when it is done
    applying.add(producerId);
    void (async () => {
      let set: number | undefined;
      while ((set = wanted.get(producerId)) !== undefined && set !== applied.get(producerId)) {
        await producer.setMaxSpatialLayer(set).catch(() => undefined);
        applied.set(producerId, set);
      }
    })().finally(() => applying.delete(producerId));
  };
  const onLayers = (payload: MediaLayers) => {
    const parsed = MediaLayers.safeParse(payload);
    if (!parsed.success) return;
    wanted.set(parsed.data.producerId, parsed.data.maxSpatialLayer);
    apply(parsed.data.producerId, 0);
  };
  socket.on('media.layers', onLayers);
  return () => {
    socket.off?.('media.layers', onLayers);
    for (const t of timers) clearTimeout(t);
    timers.clear();
    wanted.clear();
    applied.clear();
  };
}
