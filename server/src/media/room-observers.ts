import type { types } from 'mediasoup';
import type { MediaEventBus } from './media-events';
import type { MediaRouter, ObserverAppData } from './media.types';

/**
 * A room's audio observers on its primary router: the dominant speaker (`activeSpeaker`) and the audio levels
 * (`audioLevels`), each producer named by the peer that owns it.
 */
export class RoomObservers {
  private constructor(
    private readonly speaker: types.ActiveSpeakerObserver<ObserverAppData>,
    private readonly levels: types.AudioLevelObserver<ObserverAppData>,
  ) {}

  static async attach(
    router: MediaRouter,
    meetingId: string,
    events: MediaEventBus,
    ownerOf: (producerId: string) => string | undefined,
  ): Promise<RoomObservers> {
    const appData = { meetingId };
    const [speaker, levels] = await Promise.all([
      router.createActiveSpeakerObserver<ObserverAppData>({ interval: 300, appData }),
      router.createAudioLevelObserver<ObserverAppData>({
        maxEntries: 8,
        threshold: -70,
        interval: 500,
        appData,
      }),
    ]);
    speaker.on('dominantspeaker', ({ producer }) => {
      const owner = ownerOf(producer.id);
      if (owner) events.emit('activeSpeaker', { meetingId, peerId: owner, producerId: producer.id });
    });
    levels.on('volumes', (volumes) =>
      events.emit('audioLevels', {
        meetingId,
        levels: volumes.flatMap(({ producer, volume }) => {
          const peerId = ownerOf(producer.id);
          return peerId ? [{ peerId, producerId: producer.id, volume }] : [];
        }),
      }),
    );
    levels.on('silence', () => events.emit('audioLevels', { meetingId, levels: [] }));
    return new RoomObservers(speaker, levels);
  }

  /** Adds an audio producer of the primary router (or piped into it) to both observers. */
  async observe(producerId: string): Promise<void> {
    await Promise.all([
      this.speaker.addProducer({ producerId }),
      this.levels.addProducer({ producerId }),
    ]).catch(() => undefined); // the producer closed meanwhile
  }
}
