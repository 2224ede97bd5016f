import { Logger as NestLogger } from '@nestjs/common';
import type { Logger, QueryRunner } from 'typeorm';

/**
 * TypeORM's log lines through Nest's logger, with the parameters of a query never written: they are people's
 * phones, names and tokens. A failed query is logged with its SQL (placeholders only) and how many parameters it
 * had. Only errors, warnings and migrations are logged (as `logging: ['error', 'warn', 'migration']` did).
 */
export class RedactedQueryLogger implements Logger {
  private readonly out = new NestLogger('Database');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string, parameters?: unknown[], _runner?: QueryRunner): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.out.error(`query failed: ${reason} — ${query} -- ${parameters?.length ?? 0} parameter(s), redacted`);
  }

  logQuerySlow(time: number, query: string): void {
    this.out.warn(`slow query (${time} ms): ${query}`);
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.out.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.out.warn(String(message));
  }
}
