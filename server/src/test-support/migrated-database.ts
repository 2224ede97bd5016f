import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../database/typeorm-options';
import { seedDemo } from '../seed/demo-seed';

/** The app's schema on `url` (every migration run), with the demo data unless `seed` is false. */
export async function openMigrated(url: string, opts: { seed?: boolean } = {}): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(url));
  await ds.initialize();
  await ds.runMigrations();
  if (opts.seed !== false) await seedDemo(ds, () => undefined);
  return ds;
}
