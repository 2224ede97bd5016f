import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import type { LoginResponse } from '@branchmeet/shared';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../app';
import { AppConfig, loadConfig } from '../config/config';
import { loadMediaConfig, type MediaConfig } from '../media/media.config';
import { DEMO_PASSWORD } from '../seed/demo-seed';
import { openMigrated } from './migrated-database';
import { createTestDatabase, type TestDatabase } from './test-database';

// One audit key per test process, shared by the seed (process.env), the app and the CLI the tests start.
process.env.AUDIT_KEY ??= randomBytes(32).toString('hex');

export { testServerUrl } from './test-database';

export interface TestApp {
  app: INestApplication;
  ds: DataSource;
  url: string;
  config: AppConfig;
  media: MediaConfig;
  /** `http://127.0.0.1:<port>` when started with `listen: true` (socket.io clients connect there). */
  baseUrl: string;
  http: () => ReturnType<typeof request>;
  /** Signs in a demo account (password Demo@2026) and returns its bearer header and session. */
  login(
    login: string,
    password?: string,
  ): Promise<{ auth: { Authorization: string }; session: LoginResponse }>;
  /** Signs in each demo login, filling `tokens` (access tokens) and `ids` (user ids) keyed by login. */
  signIn(logins: string[], tokens: Record<string, string>, ids: Record<string, string>): Promise<void>;
  /** Opens a live meeting of `unitId` ad hoc as the holder of `token` (a manager of it); its id. */
  openLive(token: string, unitId: string, title: string): Promise<string>;
  close(): Promise<void>;
  /**
   * A node that dies: its own database connections go first, so nothing it would do on the way out (close its
   * presence segments, end rooms) reaches the database; then the app closes. Only for a `nodeOf` app.
   */
  crash(): Promise<void>;
}

/**
 * Media port bases for the apps of this test process: from a random slot, then the next ones in turn, so that
 * the nodes one spec starts never draw the same ports (three random draws of 450 met now and then), and two test
 * processes rarely do.
 */
let portSlot = Math.floor(Math.random() * 450);
function nextMediaPortBase(): number {
  portSlot = (portSlot + 1) % 450;
  return 61000 + portSlot * 10;
}

/** A fresh database (migrated, with the demo organisation unless `seed: false`) and the whole app on it. */
export async function startTestApp(
  opts: {
    seed?: boolean;
    env?: Record<string, string>;
    listen?: boolean;
    /** Runs on the new, empty database before the migrations (e.g. the compose init script). */
    prepare?: (url: string) => Promise<void>;
    /** The app connects as this role (migrations and seed still run as the server URL's user, the owner). */
    appUser?: string;
    /**
     * Another node of that app's cluster: the same database (already set up; left in place when this one
     * closes) and the same JWT secret, so a token of one is good on the other.
     */
    nodeOf?: TestApp;
  } = {},
): Promise<TestApp> {
  let db: TestDatabase | undefined;
  let url: string;
  let ds: DataSource;
  if (opts.nodeOf) {
    ({ url, ds } = opts.nodeOf);
  } else {
    db = await createTestDatabase('bm_test');
    url = db.url;
    if (opts.prepare) await opts.prepare(url);
    ds = await openMigrated(url, { seed: opts.seed });
  }
  const name = db?.name ?? `bm_node_${randomBytes(6).toString('hex')}`;

  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    JWT_SECRET: opts.nodeOf?.config.JWT_SECRET ?? randomBytes(32).toString('hex'),
    LOG_LEVEL: 'error',
    LOGIN_RATE_LIMIT: '1000',
    CLIENT_DIST: '/nonexistent',
    // Recordings of a test app go to a directory of its own, removed with it.
    RECORDINGS_DIR: join(tmpdir(), `${name}-recordings`),
    AUDIT_KEY: process.env.AUDIT_KEY,
    AUDIT_CHECKPOINT_FILE: join(tmpdir(), `${name}-audit-checkpoints.jsonl`),
    ...opts.env,
  });
  // One mediasoup worker on loopback, on a port range of its own so test files never collide; above Linux's
  // ephemeral range (32768-60999), where an outgoing connection (to PostgreSQL...) could hold the port.
  const media = loadMediaConfig({
    ...process.env,
    NODE_ENV: 'test',
    MEDIA_WORKERS: '1',
    MEDIA_RTC_PORT_BASE: String(nextMediaPortBase()),
    MEDIA_LISTEN_IP: '127.0.0.1',
    MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
    MEDIA_LOG_LEVEL: 'error',
    TURN_URLS: '',
    ...opts.env,
  });
  const appUrl = new URL(url);
  if (opts.appUser) {
    appUrl.username = opts.appUser;
    appUrl.password = '';
  }
  const app = await createApp(config, appUrl.toString(), { media });
  let baseUrl = '';
  try {
    if (opts.listen) {
      await app.listen(0, '127.0.0.1');
      const address = app.getHttpServer().address() as { port: number };
      baseUrl = `http://127.0.0.1:${address.port}`;
    } else {
      await app.init();
    }
  } catch (e) {
    // An app that failed to start (a media port taken...) must not keep what it opened (workers, pools, Redis
    // clients, timers): the test file's afterAll does not know it, and Jest would never exit.
    await app.close().catch(() => undefined);
    throw e;
  }
  const http = () => request(app.getHttpServer());
  const testApp: TestApp = {
    app,
    ds,
    url,
    config,
    media,
    baseUrl,
    http,
    async login(login, password = DEMO_PASSWORD) {
      const res = await http().post('/api/auth/login').send({ login, password });
      if (res.status !== 200)
        throw new Error(`login ${login} failed: ${res.status} ${JSON.stringify(res.body)}`);
      const session = res.body as LoginResponse;
      return { auth: { Authorization: `Bearer ${session.accessToken}` }, session };
    },
    async signIn(logins, tokens, ids) {
      for (const login of logins) {
        const { session } = await testApp.login(login);
        tokens[login] = session.accessToken;
        ids[login] = session.me.user.id;
      }
    },
    async openLive(token, unitId, title) {
      const res = await http()
        .post(`/api/org-units/${unitId}/meetings/live`)
        .set({ Authorization: `Bearer ${token}` })
        .send({ title });
      if (res.status !== 201)
        throw new Error(`opening a live meeting failed: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { id: string }).id;
    },
    async close() {
      await app.close();
      if (db) {
        await ds.destroy();
        await db.drop();
      }
      await rm(join(tmpdir(), `${name}-recordings`), { recursive: true, force: true });
      await rm(join(tmpdir(), `${name}-audit-checkpoints.jsonl`), { force: true });
    },
    async crash() {
      if (!opts.nodeOf)
        throw new Error('crash() is for a second node (nodeOf): the first one owns the database');
      await app.get(DataSource).destroy();
      await testApp.close();
    },
  };
  return testApp;
}
