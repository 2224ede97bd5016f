import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { pickLocale, type Locale } from '@branchmeet/shared';
import type { Request } from 'express';

/** The locale of a request, from its Accept-Language header (zh-CN unless English is preferred). */
export function requestLocale(req: Pick<Request, 'headers'>): Locale {
  return pickLocale(req.headers['accept-language']);
}

/** `@RequestLocale() locale: Locale` — for a controller whose answer (not only its errors) holds messages. */
export const RequestLocale = createParamDecorator((_data: unknown, ctx: ExecutionContext): Locale =>
  requestLocale(ctx.switchToHttp().getRequest<Request>()),
);
