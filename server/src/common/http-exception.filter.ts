import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import {
  ApiError,
  ErrorCodes,
  formatMessage,
  isMessageKey,
  type Locale,
  zodIssueMessage,
} from '@branchmeet/shared';
import type { Request, Response } from 'express';
import { ZodError } from 'zod';
import { DomainError } from './domain-error';
import { requestLocale } from './locale';

const codeByStatus: Record<number, string> = {
  400: ErrorCodes.validation,
  401: ErrorCodes.unauthenticated,
  403: ErrorCodes.forbidden,
  404: ErrorCodes.notFound,
  409: ErrorCodes.conflict,
  413: 'payload_too_large',
  429: ErrorCodes.rateLimited,
};

/**
 * Maps every error to the ApiError shape, its message rendered in the request's locale (Accept-Language); unknown
 * errors become a generic 500 with a correlation id in the log.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const { status, body } = this.toApiError(exception, requestLocale(http.getRequest<Request>()));
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json(body);
  }

  toApiError(
    exception: unknown,
    locale: Locale,
  ): { status: number; body: ApiError & Record<string, unknown> } {
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        body: { code: exception.code, message: exception.render(locale), ...exception.details },
      };
    }
    if (exception instanceof ZodError) {
      return { status: 400, body: zodToApiError(exception, locale) };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      // The framework's own errors (a bad path, a too large upload...) speak English: say it by status instead.
      const byStatus = `http.${status}`;
      const message = isMessageKey(byStatus)
        ? formatMessage(byStatus, {}, locale)
        : typeof response === 'string'
          ? response
          : typeof response === 'object' && response && 'message' in response
            ? String((response as { message: unknown }).message)
            : exception.message;
      return {
        status,
        body: { code: codeByStatus[status] ?? (status >= 500 ? ErrorCodes.internal : 'error'), message },
      };
    }
    const correlationId = randomUUID();
    this.log.error(
      `unhandled error ${correlationId}: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
    );
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { code: ErrorCodes.internal, message: formatMessage('http.internal', {}, locale), correlationId },
    };
  }
}

/** A rejected body: each issue with its path, in the locale (see ZodPipe, which parses with `reportInput`). */
export function zodToApiError(error: ZodError, locale: Locale): ApiError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: zodIssueMessage(i, locale) }));
  const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return {
    code: ErrorCodes.validation,
    message: message || formatMessage('validation.invalidRequest', {}, locale),
    issues,
  };
}
