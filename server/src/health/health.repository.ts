import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The database as the health check sees it. */
@Injectable()
export class HealthRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Whether the database answers a trivial query. */
  async answers(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}
