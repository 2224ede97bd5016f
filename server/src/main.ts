import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, logLevels } from './app';
import { ConfigError, loadConfig } from './config/config';
import { migrationsUrl, openDatabase, withMigratedDataSource } from './database/database';
import { RoomHandover } from './rtc/room-handover';
import { seedDemo, shouldSeedDemo } from './seed/demo-seed';

async function main() {
  const config = loadConfig();
  Logger.overrideLogger(logLevels(config.LOG_LEVEL));
  const log = new Logger('Main');
  const db = await openDatabase(config);
  let stopping = false;
  const stopDatabase = async () => {
    if (stopping) return;
    stopping = true;
    await db.stop().catch((e: unknown) => log.error(`stopping the database: ${String(e)}`));
  };
  try {
    await withMigratedDataSource(migrationsUrl(config, db), async (ds) => {
      if (await shouldSeedDemo(ds, config, db.embedded !== null)) await seedDemo(ds, (line) => log.log(line));
    });
    const app = await createApp(config, db.url);
    // On SIGINT/SIGTERM: with several nodes, hand this node's live rooms over to the others first (nothing
    // without REDIS_URL); then stop taking requests, close the database pool, then stop the embedded PostgreSQL.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        log.log(`${signal}: shutting down`);
        void app
          .get(RoomHandover)
          .drain()
          .catch((e: unknown) => log.error(`handing the rooms over: ${String(e)}`))
          .then(() => app.close())
          .catch((e: unknown) => log.error(`closing the app: ${String(e)}`))
          .then(stopDatabase)
          .finally(() => process.exit(0));
      });
    }
    await app.listen(config.PORT, config.HOST);
    log.log(`BranchMeet listening on http://localhost:${config.PORT} (API docs at /api/docs)`);
  } catch (e) {
    await stopDatabase();
    throw e;
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
