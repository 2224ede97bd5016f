import { currentLanguage } from '../i18n';
import { SignallingClient } from '../media/signalling-client';
import { api } from './client';

let shared: SignallingClient | null = null;

/**
 * The signed-in person's one `/rtc` socket, shared by the live room, the live minutes and the notifications
 * (a guest's room opens its own with the invite's token). Created on first use, so socket.io loads with the
 * first of them.
 */
export function sessionSignalling(): SignallingClient {
  shared ??= new SignallingClient({
    token: () => api.accessToken(),
    refreshAuth: () => api.refreshSession(),
    language: currentLanguage,
  });
  return shared;
}
