/**
 * Nodes that start together (docker-compose's two replicas) run the migrations at the same moment on one empty
 * database: each migration is applied once, and every node starts.
 */
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../test-support/test-database';
import { migrateUnderLock } from './database';
import { dataSourceOptions } from './typeorm-options';

let db: TestDatabase;
const sources: DataSource[] = [];

beforeAll(async () => {
  db = await createTestDatabase('bm_migrate');
});

afterAll(async () => {
  for (const ds of sources) if (ds.isInitialized) await ds.destroy();
  await db?.drop();
});

it('three nodes migrating one empty database at once each apply every migration once', async () => {
  for (let i = 0; i < 3; i++) {
    const ds = new DataSource(dataSourceOptions(db.url));
    await ds.initialize();
    sources.push(ds);
  }
  await Promise.all(sources.map((ds) => migrateUnderLock(ds)));

  const rows = (await sources[0].query('SELECT name, count(*)::int AS n FROM migrations GROUP BY name')) as {
    name: string;
    n: number;
  }[];
  expect(rows.length).toBe(sources[0].migrations.length);
  expect(rows.every((r) => r.n === 1)).toBe(true);
  expect(await sources[1].showMigrations()).toBe(false); // nothing pending anywhere
});
