import type { Plugin } from 'vite';

/**
 * The service worker, emitted as /sw.js with this build's app shell (index.html, the entry chunk and what it
 * imports statically, its CSS) in its cache name and precache list.
 *
 * - /assets/* (hashed, immutable): cache first; a chunk loaded once (the room, the charts…) is never fetched again.
 * - navigations: the cached shell at once, refreshed in the background (a new build shows on the next visit).
 * - everything else — /api, /socket.io (the /rtc signalling), uploads, recordings — is not touched at all.
 */
export function serviceWorker(): Plugin {
  return {
    name: 'branchmeet-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const shell = new Set<string>(['/', '/manifest.webmanifest', '/icon.svg']);
      const entries = Object.values(bundle).filter((c) => c.type === 'chunk' && c.isEntry);
      const visit = (fileName: string) => {
        const chunk = bundle[fileName];
        if (!chunk || chunk.type !== 'chunk' || shell.has('/' + fileName)) return;
        shell.add('/' + fileName);
        for (const css of chunk.viteMetadata?.importedCss ?? []) shell.add('/' + css);
        chunk.imports.forEach(visit);
      };
      entries.forEach((c) => visit(c.fileName));
      const version = [...shell].sort().join('|');
      let hash = 0;
      for (let i = 0; i < version.length; i += 1) hash = (hash * 31 + version.charCodeAt(i)) | 0;
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: SOURCE.replace('__VERSION__', (hash >>> 0).toString(36)).replace(
          '__SHELL__',
          JSON.stringify([...shell]),
        ),
      });
    },
  };
}

const SOURCE = `/* BranchMeet service worker (generated at build: client/build/service-worker.ts) */
const CACHE = 'branchmeet-__VERSION__';
const SHELL = __SHELL__;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('branchmeet-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

/** Never the API, the signalling, or anything not ours. */
function bypass(url) {
  return url.origin !== self.location.origin || /^\\/(api|socket\\.io|rtc)(\\/|$)/.test(url.pathname);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (bypass(url)) return;
  if (url.pathname.startsWith('/assets/') || (url.pathname !== '/' && SHELL.includes(url.pathname))) {
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match(request).then(
          (hit) =>
            hit ||
            fetch(request).then((response) => {
              if (response.ok) cache.put(request, response.clone());
              return response;
            }),
        ),
      ),
    );
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(
      caches.open(CACHE).then((cache) => {
        const refresh = fetch('/', { cache: 'no-cache' })
          .then((response) => {
            if (response.ok) return cache.put('/', response.clone()).then(() => response);
            return response;
          });
        return cache.match('/').then((shell) => {
          if (shell) {
            event.waitUntil(refresh.catch(() => undefined));
            return shell;
          }
          return refresh;
        });
      }),
    );
  }
});
`;
