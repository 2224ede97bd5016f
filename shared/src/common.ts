import { z } from 'zod';
import { messageKey as m } from './messages';

export const Uuid = z.uuid();

/** Every error the API or the socket returns has this shape; `code` is stable, `message` is for people. */
export const ApiError = z.object({
  code: z.string(),
  message: z.string(),
  /** Per-field problems of a rejected body, when the body failed its schema. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  correlationId: z.string().optional(),
});
export type ApiError = z.infer<typeof ApiError>;

export const ErrorCodes = {
  validation: 'validation_failed',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  rateLimited: 'rate_limited',
  internal: 'internal_error',
  /** A feature this server cannot offer now (e.g. recording without ffmpeg): 503. */
  unavailable: 'unavailable',
} as const;

/** Mainland mobile number, 11 digits starting with 1[3-9]. */
export const Phone = z
  .string()
  .trim()
  .regex(/^1[3-9]\d{9}$/, m('validation.phone'));

export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  app: z.object({ version: z.string(), uptimeSeconds: z.number() }),
  db: z.enum(['up', 'down']),
  dbMode: z.enum(['embedded', 'external']),
  /** Server-side recording: needs ffmpeg and ffprobe, checked once at start (reason says what is missing). */
  recording: z.object({ available: z.boolean(), reason: z.string().nullable() }),
});
export type Health = z.infer<typeof Health>;
