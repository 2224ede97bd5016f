import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ApiError, ErrorCodes } from '@branchmeet/shared';
import type { Response } from 'express';
import { ZodError } from 'zod';
import { DomainError } from './domain-error';

const codeByStatus: Record<number, string> = {
  400: ErrorCodes.validation,
  401: ErrorCodes.unauthenticated,
  403: ErrorCodes.forbidden,
  404: ErrorCodes.notFound,
  409: ErrorCodes.conflict,
  413: 'payload_too_large',
  429: ErrorCodes.rateLimited,
};

/** Maps every error to the ApiError shape; unknown errors become a generic 500 with a correlation id in the log. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toApiError(exception);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json(body);
  }

  toApiError(exception: unknown): { status: number; body: ApiError & Record<string, unknown> } {
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        body: { code: exception.code, message: exception.message, ...exception.details },
      };
    }
    if (exception instanceof ZodError) {
      return { status: 400, body: zodToApiError(exception) };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
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
      body: { code: ErrorCodes.internal, message: 'internal error', correlationId },
    };
  }
}

export function zodToApiError(error: ZodError): ApiError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return { code: ErrorCodes.validation, message: message || 'invalid request', issues };
}
