import type { z } from 'zod';
import type { Ack } from './ack';

/**
 * The building blocks of a socket namespace's wire contract, written once as schema maps (./rtc has the `/rtc`
 * one): everything else — the TypeScript types of both ends, the server's validation, the client's typed
 * `request` — is derived from the maps.
 */

/** One client→server request: the schema of its payload and of the data its `{ ok: true }` ack carries. */
export interface RequestContract {
  request: z.ZodType;
  response: z.ZodType;
}
/** A namespace's client→server requests by event name. */
export type RequestContracts = Record<string, RequestContract>;
/** A namespace's server→client events by name: the schema of each one's payload. */
export type EventContracts = Record<string, z.ZodType>;

/** What a client sends (the schema's input: defaults may be left out). */
export type RequestPayloadOf<M extends RequestContracts, E extends keyof M> = z.input<M[E]['request']>;
/** What a server handler gets: the payload after its schema (defaults filled in, text trimmed). */
export type ParsedRequestOf<M extends RequestContracts, E extends keyof M> = z.output<M[E]['request']>;
/** The data of the request's `{ ok: true }` ack. */
export type RequestResultOf<M extends RequestContracts, E extends keyof M> = z.output<M[E]['response']>;

/** socket.io's event map of the requests: one payload, then the acknowledgement. */
export type ClientEventsOf<M extends RequestContracts> = {
  [E in keyof M & string]: (
    payload: RequestPayloadOf<M, E>,
    ack: (answer: Ack<RequestResultOf<M, E>>) => void,
  ) => void;
};

/** socket.io's event map of the server→client events: one payload each. */
export type ServerEventsOf<M extends EventContracts> = {
  [E in keyof M & string]: (payload: z.output<M[E]>) => void;
};
