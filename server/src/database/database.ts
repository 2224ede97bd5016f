import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { lockKey } from './advisory-lock';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';
import { dataSourceOptions } from './typeorm-options';

export interface Database {
  url: string;
  embedded: EmbeddedDatabase | null;
  stop(): Promise<void>;
}

/** DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR. */
export async function openDatabase(config: AppConfig): Promise<Database> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: null, stop: async () => undefined };
  const embedded = await startEmbeddedPostgres(config.dataDir, config.EMBEDDED_PG_PORT);
  return { url: embedded.url, embedded, stop: () => embedded.stop() };
}

/**
 * The connection migrations run on: MIGRATIONS_DATABASE_URL (the schema's owner) when set, else the app's own.
 * The embedded database has one role, so the setting only applies with DATABASE_URL.
 */
export function migrationsUrl(config: AppConfig, db: Database): string {
  return db.embedded === null && config.MIGRATIONS_DATABASE_URL ? config.MIGRATIONS_DATABASE_URL : db.url;
}

/** Runs pending migrations; then calls `use` with a connected data source, which is closed afterwards. */
export async function withMigratedDataSource<T>(
  url: string,
  use: (ds: DataSource) => Promise<T>,
): Promise<T> {
  const ds = new DataSource(dataSourceOptions(url));
  await ds.initialize();
  try {
    await migrateUnderLock(ds);
    return await use(ds);
  } finally {
    await ds.destroy();
  }
}

/**
 * Runs pending migrations holding a session advisory lock, so that nodes starting together (docker-compose's
 * replicas, a rolling deploy) apply each migration once: the others wait, then find nothing pending. The lock
 * is held by a connection of its own and goes with it if the process dies.
 */
export async function migrateUnderLock(ds: DataSource): Promise<void> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATIONS_LOCK]);
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      if (applied.length) new Logger('Migrations').log(`applied ${applied.map((m) => m.name).join(', ')}`);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATIONS_LOCK]);
    }
  } finally {
    await runner.release();
  }
}

const MIGRATIONS_LOCK = lockKey('migrations');
