import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { apiRoutes, Health } from '@branchmeet/shared';
import type { Response } from 'express';
import { Public } from '../auth/auth-user';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MediaToolsService } from '../recordings/media-tools';
import { HealthRepository } from './health.repository';

const version = (
  JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }
).version;

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly db: HealthRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tools: MediaToolsService,
  ) {}

  /**
   * 200 when the app and its database answer; 503 (with the same body) when the database does not. `status` is
   * `degraded` (still 200) when a feature is off, e.g. recording without ffmpeg (`recording.reason` says why).
   */
  @Public()
  @Get(apiRoutes.health)
  async health(@Res({ passthrough: true }) res: Response): Promise<Health> {
    const db: Health['db'] = (await this.db.answers()) ? 'up' : 'down';
    if (db === 'down') res.status(503);
    const recording = this.tools.status();
    return {
      status: db === 'up' && recording.available ? 'ok' : 'degraded',
      app: { version, uptimeSeconds: Math.round(process.uptime()) },
      db,
      dbMode: this.config.DATABASE_URL ? 'external' : 'embedded',
      recording: { available: recording.available, reason: recording.reason },
    };
  }
}
