import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL server integration tests run against: a real one, never a mock. */
export function testServerUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error(
      'integration tests need DATABASE_URL (a PostgreSQL server; each test file creates its own database)',
    );
  return url;
}

/** A database of its own on the test server: for one test file, one test cluster or one benchmark run. */
export interface TestDatabase {
  name: string;
  url: string;
  /** Drops it, closing whatever is still connected to it. */
  drop(): Promise<void>;
}

async function onServer<T>(server: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: server });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates an empty database named `<prefix>_<random>` on `server` (default: DATABASE_URL's server). */
export async function createTestDatabase(
  prefix = 'bm_test',
  server = testServerUrl(),
): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onServer(server, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      onServer(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
