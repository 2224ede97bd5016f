import {
  ErrorCodes,
  formatMessage,
  type Locale,
  type MessageKey,
  type MessageParams,
} from '@branchmeet/shared';

/**
 * An error the client is meant to see: a stable code, the HTTP status, and a message named by key with its
 * parameters; the HTTP filter renders it in the request's locale. `message` (for logs) is the English text.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly messageKey: MessageKey,
    readonly params: MessageParams = {},
    readonly details?: Record<string, unknown>,
  ) {
    super(formatMessage(messageKey, params, 'en'));
  }

  render(locale: Locale): string {
    return formatMessage(this.messageKey, this.params, locale);
  }
}

export const NotFound = (key: MessageKey, params?: MessageParams) =>
  new DomainError(ErrorCodes.notFound, 404, key, params);
export const Forbidden = (key: MessageKey = 'access.forbidden', params?: MessageParams) =>
  new DomainError(ErrorCodes.forbidden, 403, key, params);
export const Unauthenticated = (key: MessageKey = 'auth.signInFirst', params?: MessageParams) =>
  new DomainError(ErrorCodes.unauthenticated, 401, key, params);
export const Conflict = (key: MessageKey, params?: MessageParams) =>
  new DomainError(ErrorCodes.conflict, 409, key, params);
