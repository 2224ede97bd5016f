import { describe, expect, it, vi } from 'vitest';
import { ApiRequestError } from '../api/client';
import { request, RtcRequestError, type RtcSocket } from './signalling';

type Ack = (err: Error | null, response: unknown) => void;

/** A socket whose acknowledgements are decided by `answer`. */
function fakeSocket(answer: (event: string, payload: unknown, ack: Ack) => void) {
  const emit = vi.fn(answer);
  const socket = { timeout: vi.fn(() => ({ emit })) };
  return { socket: socket as unknown as RtcSocket, emit, timeout: socket.timeout };
}

describe('request', () => {
  it('resolves with the data of an { ok: true } acknowledgement', async () => {
    const { socket, emit } = fakeSocket((_e, _p, ack) => ack(null, { ok: true, data: { producerId: 'p1' } }));
    const payload = {
      transportId: 't1',
      kind: 'audio' as const,
      source: 'mic' as const,
      rtpParameters: { codecs: [] },
      paused: false,
    };

    await expect(request(socket, 'media.produce', payload)).resolves.toEqual({ producerId: 'p1' });
    expect(emit).toHaveBeenCalledWith('media.produce', payload, expect.any(Function));
  });

  it('rejects an { ok: false } acknowledgement with the server’s error code and message', async () => {
    const { socket } = fakeSocket((_e, _p, ack) =>
      ack(null, {
        ok: false,
        error: { code: 'forbidden', message: '只有主持人可以这样做', correlationId: 'c-1' },
      }),
    );

    const error = await request(socket, 'host.mute', { peerId: 'x' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RtcRequestError);
    expect(error).toBeInstanceOf(ApiRequestError); // the UI's errorText shows its message like any API error
    expect(error).toMatchObject({ code: 'forbidden', message: '只有主持人可以这样做', event: 'host.mute' });
  });

  it('rejects with code timeout when the server never acknowledges', async () => {
    const { socket, timeout } = fakeSocket((_e, _p, ack) =>
      ack(new Error('operation has timed out'), undefined),
    );

    await expect(request(socket, 'hand.raise', {}, 50)).rejects.toMatchObject({ code: 'timeout' });
    expect(timeout).toHaveBeenCalledWith(50);
  });
});
