import { Logger } from '@nestjs/common';
import { ErrorCodes, type ApiError, type Locale } from '@branchmeet/shared';
import { DomainError } from '../common/domain-error';
import { HttpExceptionFilter } from '../common/http-exception.filter';
import { MediaError } from '../media/media.types';

const filter = new HttpExceptionFilter();
const log = new Logger('RtcError');

/** A media layer error as the domain error the client sees (its code stable, its message in the locale). */
export function fromMediaError(e: MediaError): DomainError {
  switch (e.code) {
    case 'room_not_found':
    case 'peer_not_found':
    case 'transport_not_found':
    case 'producer_not_found':
    case 'consumer_not_found':
      return new DomainError(ErrorCodes.notFound, 404, 'rtc.mediaNotFound', {
        what: e.code.replace('_not_found', ''),
      });
    case 'cannot_consume':
      return new DomainError(ErrorCodes.conflict, 409, 'rtc.cannotConsume', { reason: e.message });
    case 'source_in_use':
      return new DomainError(ErrorCodes.conflict, 409, 'rtc.sourceInUse');
    case 'bad_request':
      return new DomainError(ErrorCodes.validation, 400, 'rtc.badMedia', { reason: e.message });
    case 'media_state':
      return new DomainError(ErrorCodes.conflict, 409, 'rtc.mediaState', { reason: e.message });
    case 'no_worker':
      return new DomainError('unavailable', 503, 'rtc.noMediaWorker');
  }
}

/**
 * The one mapping of a failed socket request to its error ack: the same rendering as the HTTP filter (domain
 * errors and rejected payloads in the client's locale; anything else a generic internal error whose correlation
 * id is logged with the stack).
 */
export function errorAck(exception: unknown, locale: Locale, event: string): { ok: false; error: ApiError } {
  const mapped = exception instanceof MediaError ? fromMediaError(exception) : exception;
  const { status, body } = filter.toApiError(mapped, locale);
  if (status >= 500 && body.correlationId)
    log.error(`${event} failed (correlation id ${body.correlationId})`);
  const { code, message, issues, correlationId } = body;
  return {
    ok: false,
    error: {
      code,
      message,
      ...(issues ? { issues } : {}),
      ...(correlationId ? { correlationId } : {}),
    },
  };
}
