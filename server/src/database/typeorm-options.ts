import { DataSourceOptions } from 'typeorm';
import { entities } from './entities';
import { migrations } from './migrations';
import { RedactedQueryLogger } from './redacted-logger';

/** One set of options for the app, the CLI and the tests: migrations always, `synchronize` never. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsRun: false,
    synchronize: false,
    uuidExtension: 'pgcrypto',
    logging: ['error', 'warn', 'migration'],
    // Failed queries are logged without their parameters (phones, names): see RedactedQueryLogger.
    logger: new RedactedQueryLogger(),
    extra: { max: 20 },
  };
}
