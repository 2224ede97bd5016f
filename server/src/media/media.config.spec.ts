import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMediaConfig, MediaConfigError, WORKER_PATH_FILE } from './media.config';

describe('media configuration', () => {
  let root: string;
  let bin: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'media-config-'));
    bin = join(root, 'mediasoup-worker');
    writeFileSync(bin, '#!/bin/sh\n');
    chmodSync(bin, 0o755);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('has working development defaults', () => {
    const c = loadMediaConfig({ MEDIASOUP_WORKER_BIN: bin }, root);
    expect(c).toMatchObject({
      workerBin: bin,
      rtcPortBase: 40000,
      listenIp: '0.0.0.0',
      announcedAddress: '127.0.0.1',
      logLevel: 'warn',
      turn: { urls: [], ttlSeconds: 43200 },
    });
    expect(c.workers).toBeGreaterThanOrEqual(1);
  });

  it('finds the worker path the install recorded, searching up from the server', () => {
    const file = join(root, WORKER_PATH_FILE);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, `${bin}\n`);
    const deep = join(root, 'server', 'dist', 'media');
    mkdirSync(deep, { recursive: true });
    expect(loadMediaConfig({}, deep).workerBin).toBe(bin);
    rmSync(file);
  });

  it('refuses a missing or non-executable worker, saying how to get one', () => {
    const empty = mkdtempSync(join(tmpdir(), 'media-config-empty-'));
    expect(() => loadMediaConfig({}, empty)).toThrow(/MEDIASOUP_WORKER_BIN.*npm install/s);
    expect(() => loadMediaConfig({ MEDIASOUP_WORKER_BIN: join(empty, 'nope') }, empty)).toThrow(
      /not an executable file/,
    );
    rmSync(empty, { recursive: true });
  });

  it('names each bad setting', () => {
    const bad = () =>
      loadMediaConfig(
        {
          MEDIASOUP_WORKER_BIN: bin,
          NODE_ENV: 'production',
          MEDIA_WORKERS: '4',
          MEDIA_RTC_PORT_BASE: '65534',
          MEDIA_LISTEN_IP: 'not-an-ip',
          TURN_URLS: 'turn:turn.example.org:3478, http://nope',
        },
        root,
      );
    expect(bad).toThrow(MediaConfigError);
    expect(bad).toThrow(/MEDIA_LISTEN_IP/);
    expect(bad).toThrow(/TURN_URLS/);
    expect(() =>
      loadMediaConfig(
        { MEDIASOUP_WORKER_BIN: bin, NODE_ENV: 'production', TURN_URLS: 'turn:t.example.org' },
        root,
      ),
    ).toThrow(/MEDIA_ANNOUNCED_ADDRESS[\s\S]*TURN_SECRET|TURN_SECRET[\s\S]*MEDIA_ANNOUNCED_ADDRESS/);
    expect(() =>
      loadMediaConfig({ MEDIASOUP_WORKER_BIN: bin, MEDIA_WORKERS: '4', MEDIA_RTC_PORT_BASE: '65534' }, root),
    ).toThrow(/MEDIA_RTC_PORT_BASE/);
  });

  it('takes an empty variable as unset', () => {
    const c = loadMediaConfig(
      { MEDIASOUP_WORKER_BIN: bin, TURN_URLS: '', TURN_SECRET: '', MEDIA_WORKERS: '' },
      root,
    );
    expect(c.turn).toEqual({ urls: [], secret: undefined, ttlSeconds: 43200 });
  });

  it('reads TURN settings as a list', () => {
    const c = loadMediaConfig(
      {
        MEDIASOUP_WORKER_BIN: bin,
        TURN_URLS: 'stun:t.example.org:3478, turn:t.example.org:3478',
        TURN_SECRET: 'a-long-enough-secret',
        TURN_TTL_SECONDS: '600',
      },
      root,
    );
    expect(c.turn).toEqual({
      urls: ['stun:t.example.org:3478', 'turn:t.example.org:3478'],
      secret: 'a-long-enough-secret',
      ttlSeconds: 600,
    });
  });
});
