import { ErrorCodes } from '@branchmeet/shared';

/** An error the client is meant to see: a stable code, a message for people and the HTTP status. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const NotFound = (what: string) => new DomainError(ErrorCodes.notFound, `${what} not found`, 404);
export const Forbidden = (message = 'you are not allowed to do this') =>
  new DomainError(ErrorCodes.forbidden, message, 403);
export const Unauthenticated = (message = 'sign in first') =>
  new DomainError(ErrorCodes.unauthenticated, message, 401);
export const Conflict = (message: string) => new DomainError(ErrorCodes.conflict, message, 409);
