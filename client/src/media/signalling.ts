import type {
  Ack,
  ApiError,
  RtcClientEvents,
  RtcRequestName,
  RtcRequestPayload,
  RtcRequestResult,
  RtcServerEvents,
} from '@branchmeet/shared';
import type { Socket } from 'socket.io-client';
import { ApiRequestError } from '../api/client';

/** The `/rtc` socket, typed by the wire contract the server also uses (`rtcRequests`, `rtcServerEvents`). */
export type RtcSocket = Socket<RtcServerEvents, RtcClientEvents>;

export type { RtcRequestName, RtcRequestPayload, RtcRequestResult };

/** How long a signalling request may wait for its acknowledgement. */
export const RTC_REQUEST_TIMEOUT_MS = 10_000;

/** A socket request the server refused (`{ ok: false }`) or never acknowledged; `status` is always 0. */
export class RtcRequestError extends ApiRequestError {
  readonly event: string;

  constructor(event: string, error: ApiError) {
    super(0, error, error);
    this.name = 'RtcRequestError';
    this.event = event;
  }
}

function isAck(value: unknown): value is Ack<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

/**
 * Sends one client→server event and resolves with the `data` of its `{ ok: true }` acknowledgement; rejects with
 * an `RtcRequestError` carrying the server's `ApiError` on `{ ok: false }`, and with code `timeout` when no
 * acknowledgement arrives in time.
 */
export function request<E extends RtcRequestName>(
  socket: RtcSocket,
  event: E,
  payload: RtcRequestPayload<E>,
  timeoutMs: number = RTC_REQUEST_TIMEOUT_MS,
): Promise<RtcRequestResult<E>> {
  return new Promise((resolve, reject) => {
    // socket.io types `emit` per event name; for a generic name the untyped socket is the usable form.
    const untyped = socket as Socket;
    untyped.timeout(timeoutMs).emit(event, payload, (err: Error | null, response: unknown) => {
      if (err) {
        reject(
          new RtcRequestError(event, { code: 'timeout', message: `${event}: no answer from the server` }),
        );
        return;
      }
      if (!isAck(response)) {
        reject(new RtcRequestError(event, { code: 'bad_response', message: `${event}: malformed answer` }));
        return;
      }
      if (response.ok) resolve(response.data as RtcRequestResult<E>);
      else reject(new RtcRequestError(event, response.error));
    });
  });
}
