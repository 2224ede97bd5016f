import type { ApiError } from './common';

/**
 * The answer to every client→server request on a socket: the data of the request's response schema, or the
 * error (the same `ApiError` the REST API returns; a payload that fails its schema gets `validation_failed`).
 */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ApiError };
