import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { OrgsController } from './orgs.controller';
import { OrgsService } from './orgs.service';
import { RosterExportService } from './roster-export.service';
import { RosterRepository } from './roster.repository';
import { RosterService } from './roster.service';

@Module({
  imports: [AuditModule],
  controllers: [OrgsController],
  providers: [RosterRepository, OrgsService, RosterService, RosterExportService],
  exports: [OrgsService],
})
export class OrgsModule {}
