import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { NextFunction, Request, Response } from 'express';

/** Paths the client app never owns: the REST API and the socket.io signalling (namespace /rtc). */
const NOT_STATIC = /^\/(api|socket\.io|rtc)(\/|$)/;
/** Vite names built assets `name-<hash>.ext` under /assets/: their content never changes under that name. */
const HASHED = /^\/assets\//;
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html, the service worker and the manifest are checked with the server every time (ETag → 304). */
const REVALIDATE = 'no-cache';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

interface StaticFile {
  path: string;
  size: number;
  etag: string;
  /** Precompressed siblings written at build time (`.br`, `.gz`), by encoding. */
  encoded: { br?: { path: string; size: number }; gzip?: { path: string; size: number } };
}

/** Every file of the built client, indexed once at start (the build does not change while the server runs). */
function indexFiles(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !/\.(br|gz)$/.test(entry.name)) {
        const st = statSync(full);
        const sibling = (ext: string) => {
          const p = full + ext;
          return existsSync(p) ? { path: p, size: statSync(p).size } : undefined;
        };
        files.set('/' + relative(root, full).split(sep).join('/'), {
          path: full,
          size: st.size,
          etag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
          encoded: { br: sibling('.br'), gzip: sibling('.gz') },
        });
      }
    }
  };
  walk(root);
  return files;
}

/** Which precompressed form the client accepts (brotli first), or identity. */
export function pickEncoding(
  acceptEncoding: string | undefined,
  file: StaticFile,
): 'br' | 'gzip' | undefined {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !q || !/^q=0(\.0*)?$/.test(q.trim()))
      .map(([name]) => name.trim().toLowerCase()),
  );
  if (file.encoded.br && accepted.has('br')) return 'br';
  if (file.encoded.gzip && accepted.has('gzip')) return 'gzip';
  return undefined;
}

/**
 * Serves the built client: precompressed brotli/gzip when the browser accepts it, `immutable` caching for hashed
 * assets, `no-cache` (revalidate by ETag) for index.html and the other unhashed files, and index.html for any other
 * GET (client-side routes). /api, /socket.io and /rtc are left to the app.
 */
export function staticFiles(root: string) {
  const files = indexFiles(root);
  const index = files.get('/index.html');
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_STATIC.test(req.path)) return next();
    let file = files.get(req.path);
    if (!file) {
      // An unknown asset is a 404 (a stale hashed name must not get index.html); anything else is a client route.
      if (HASHED.test(req.path) || extname(req.path) !== '' || !index) return next();
      file = index;
    }
    const hashed = HASHED.test(req.path) && file !== index;
    res.setHeader('Cache-Control', hashed ? IMMUTABLE : REVALIDATE);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('ETag', file.etag);
    res.setHeader('Content-Type', TYPES[extname(file.path)] ?? 'application/octet-stream');
    if (req.headers['if-none-match'] === file.etag) {
      res.status(304).end();
      return;
    }
    const encoding = pickEncoding(req.headers['accept-encoding'], file);
    const body = encoding ? file.encoded[encoding]! : file;
    if (encoding) res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', String(body.size));
    if (req.method === 'HEAD') {
      res.status(200).end();
      return;
    }
    res
      .status(200)
      .sendFile(body.path, { headers: {}, cacheControl: false, etag: false, lastModified: false }, (err) => {
        if (err && !res.headersSent) next(err);
      });
  };
}
