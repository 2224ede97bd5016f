import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { staticFiles } from './static-files';

/** A client build as Vite and client/build/precompress.ts leave it: hashed assets with .br/.gz siblings. */
function fixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bm-static-'));
  mkdirSync(join(dir, 'assets'));
  const js = 'export const greeting = "支部云会";\n'.repeat(200);
  const html = '<!doctype html><html><head><script src="/assets/index-Ab12Cd.js"></script></head></html>';
  const files: Record<string, string> = { 'assets/index-Ab12Cd.js': js, 'index.html': html, 'sw.js': '//sw' };
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  writeFileSync(join(dir, 'assets/index-Ab12Cd.js.br'), brotliCompressSync(js));
  writeFileSync(join(dir, 'assets/index-Ab12Cd.js.gz'), gzipSync(js));
  return dir;
}

/** A GET with node's http (no client-side decompression): the bytes as they went over the wire. */
function raw(
  server: Server,
  path: string,
  acceptEncoding: string,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers: { 'Accept-Encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('static files of the client build', () => {
  let dir: string;
  let app: express.Express;
  let server: Server;

  beforeAll(async () => {
    dir = fixture();
    app = express();
    app.use(staticFiles(dir));
    app.get('/api/ping', (_req, res) => res.json({ ok: true }));
    app.use((_req, res) => res.status(404).send('not found'));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a hashed asset brotli-compressed, cached for a year, immutable', async () => {
    const res = await raw(server, '/assets/index-Ab12Cd.js', 'gzip, deflate, br');
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['vary']).toMatch(/Accept-Encoding/);
    expect(brotliDecompressSync(res.body).toString()).toContain('支部云会');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    // The compressed copy is what went over the wire: a small part of the file.
    const plain = await raw(server, '/assets/index-Ab12Cd.js', 'identity');
    expect(res.body.length * 10).toBeLessThan(plain.body.length);
  });

  it('falls back to gzip, then to the file as it is', async () => {
    const gz = await raw(server, '/assets/index-Ab12Cd.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toContain('支部云会');
    const plain = await request(app).get('/assets/index-Ab12Cd.js').set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toContain('支部云会');
    const refusesBr = await raw(server, '/assets/index-Ab12Cd.js', 'br;q=0, gzip');
    expect(refusesBr.headers['content-encoding']).toBe('gzip');
  });

  it('sends index.html for client routes, to be revalidated every time (ETag → 304)', async () => {
    const res = await request(app).get('/meetings/123');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.text).toContain('/assets/index-Ab12Cd.js');
    const again = await request(app).get('/login').set('If-None-Match', res.headers['etag']);
    expect(again.status).toBe(304);
    const sw = await request(app).get('/sw.js');
    expect(sw.headers['cache-control']).toBe('no-cache');
  });

  it('leaves the API to the app and answers a stale asset name with 404, not index.html', async () => {
    expect((await request(app).get('/api/ping')).body).toEqual({ ok: true });
    expect((await request(app).get('/api/unknown')).status).toBe(404);
    expect((await request(app).get('/socket.io/?EIO=4')).status).toBe(404);
    expect((await request(app).get('/assets/index-Old999.js')).status).toBe(404);
    expect((await request(app).post('/login')).status).toBe(404);
  });
});
