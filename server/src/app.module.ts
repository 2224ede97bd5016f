import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttendanceModule } from './attendance/attendance.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { ClusterModule } from './cluster/cluster.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/typeorm-options';
import { HealthController } from './health/health.controller';
import { HealthRepository } from './health/health.repository';
import type { MediaConfig } from './media/media.config';
import { MediaModule } from './media/media.module';
import { MeetingsModule } from './meetings/meetings.module';
import { MinutesModule } from './minutes/minutes.module';
import { NotificationsModule } from './notifications/notifications.module';
import { AccessModule } from './orgs/access.module';
import { OrgsModule } from './orgs/orgs.module';
import { RecordingsModule } from './recordings/recordings.module';
import { RealtimeModule } from './common/realtime.module';
import { RtcModule } from './rtc/rtc.module';

export interface AppModuleOptions {
  /** The SFU's settings; read from the environment (media.config.ts) when not given. */
  media?: MediaConfig;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string, opts: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(databaseUrl)),
        JwtModule.register({
          global: true,
          secret: config.JWT_SECRET,
          // One algorithm, pinned both ways: a token naming another (or `none`) is refused.
          signOptions: { algorithm: 'HS256' },
          verifyOptions: { algorithms: ['HS256'] },
        }),
        ThrottlerModule.forRoot([
          { name: 'login', ttl: config.LOGIN_RATE_WINDOW_SECONDS * 1000, limit: config.LOGIN_RATE_LIMIT },
        ]),
        AccessModule,
        AuditModule,
        OrgsModule,
        AuthModule,
        // One SFU for the whole app (a pool of worker processes): global, so no module makes a second one.
        { ...MediaModule.forRoot(opts.media), global: true },
        ClusterModule.forRoot(config, opts.media),
        NotificationsModule,
        MeetingsModule,
        RealtimeModule,
        RtcModule,
        AttendanceModule,
        MinutesModule,
        RecordingsModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        HealthRepository,
      ],
    };
  }
}
