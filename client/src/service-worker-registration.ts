/**
 * Registers /sw.js (built by client/build/service-worker.ts) in production builds: a second visit or a reconnect
 * takes the app shell and every chunk loaded before from the cache. Never in dev or tests (Vite serves sources).
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register('/sw.js')
      .catch((err: unknown) => console.warn('[sw] not registered', err));
  });
}
