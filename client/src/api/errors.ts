import type { TFunction } from 'i18next';
import { ApiRequestError } from './client';

/** The text to show a person for a failed call: the server's own message when it sent one. */
export function errorText(err: unknown, t: TFunction): string {
  if (err instanceof ApiRequestError) {
    if (err.code === 'network_error') return t('errors.network');
    if (err.message) return err.message;
  }
  return t('errors.generic');
}
