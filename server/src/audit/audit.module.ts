import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AuditCheckpointer } from './audit-checkpointer';
import { AuditedDownloadInterceptor } from './audited-download';
import { AuditController } from './audit.controller';
import { AUDIT_SETTINGS, auditSettings } from './audit-keys';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

@Module({
  controllers: [AuditController],
  providers: [
    {
      provide: AUDIT_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => auditSettings(config, config.dataDir),
    },
    AuditRepository,
    AuditService,
    AuditCheckpointer,
    AuditedDownloadInterceptor,
  ],
  exports: [AuditService, AuditedDownloadInterceptor],
})
export class AuditModule {}
