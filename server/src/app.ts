import { existsSync } from 'node:fs';
import { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppModule, type AppModuleOptions } from './app.module';
import { RedisIoAdapter } from './cluster/redis-io-adapter';
import { AppConfig } from './config/config';
import { staticFiles } from './static/static-files';

const levels: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];
export const logLevels = (level: LogLevel) => levels.slice(0, levels.indexOf(level) + 1);

/** Builds the HTTP app (not listening yet): used by main.ts and by the integration tests alike. */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  opts: AppModuleOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl, opts), {
    logger: logLevels(config.LOG_LEVEL),
  });
  app.setGlobalPrefix('api');
  // Several nodes: a person's notifications and a meeting's minutes readers are reached on every node.
  if (config.REDIS_URL) app.useWebSocketAdapter(new RedisIoAdapter(app, config));
  if (config.TRUST_PROXY) app.set('trust proxy', 1);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // antd injects its styles at run time (inline styles); scripts only from this origin.
          'style-src': ["'self'", "'unsafe-inline'"],
          'script-src': ["'self'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          // This origin (its own ws/wss included, CSP 3) and the origins configured; never any ws/wss host.
          'connect-src': ["'self'", ...config.CSP_CONNECT_SRC],
        },
      },
    }),
  );
  app.useBodyParser('json', { limit: '1mb' });
  // The built client: precompressed, hashed assets cached for a year (static/static-files.ts).
  if (existsSync(config.CLIENT_DIST)) app.use(staticFiles(config.CLIENT_DIST));
  const doc = new DocumentBuilder()
    .setTitle('BranchMeet API (支部云会)')
    .setDescription('REST API. Every body is validated by its zod schema in the `shared/` package.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc), {
    jsonDocumentUrl: 'api/docs/openapi.json',
  });
  return app;
}
