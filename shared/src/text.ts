import { z } from 'zod';
import { messageKey as m } from './messages';

/**
 * Text PostgreSQL cannot store or that is not text at all: NUL (refused in text and jsonb) and UTF-16 surrogates
 * without their pair (not valid Unicode; they become U+FFFD or an error on the way to the database).
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const isSafeText = (s: string): boolean => !UNSAFE_TEXT.test(s);

/** The refinement on its own, for a single field: `z.string().refine(...safeTextRefinement)`. */
export const safeTextRefinement = [isSafeText, m('validation.unsafeText')] as const;

/** A string field that refuses NUL and lone surrogates. */
export const SafeText = z.string().refine(...safeTextRefinement);

function check(value: unknown, path: PropertyKey[], ctx: z.RefinementCtx, depth: number): void {
  if (typeof value === 'string') {
    if (!isSafeText(value))
      ctx.addIssue({ code: 'custom', path: [...path], message: m('validation.unsafeText') });
    return;
  }
  if (depth > 32 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => check(v, [...path, i], ctx, depth + 1));
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!isSafeText(k))
      ctx.addIssue({ code: 'custom', path: [...path, k], message: m('validation.unsafeText') });
    check(v, [...path, k], ctx, depth + 1);
  }
}

/**
 * Every text field of a request, at any depth (keys too), refused when unsafe, then the request's own schema:
 * the server parses every REST body and query and every socket payload through this, so no text field of any
 * schema — including ones added later — can carry NUL or a lone surrogate to the database (a 400 naming the
 * field instead of a 500).
 */
export function withSafeText<T extends z.ZodType>(schema: T) {
  return z
    .unknown()
    .superRefine((value, ctx) => check(value, [], ctx, 0))
    .pipe(schema);
}
