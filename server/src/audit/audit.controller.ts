import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { apiRoutes, AuditQuery } from '@branchmeet/shared';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { ZodQuery } from '../common/zod';
import { AccessService } from '../orgs/access.service';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller()
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  @Get(apiRoutes.audit.events)
  async events(@CurrentUser() user: AuthUser, @ZodQuery(AuditQuery) query: AuditQuery) {
    if (query.unitId) await this.access.unit(user, query.unitId, 'audit.read');
    else await this.access.assertGlobal(user, 'audit.read');
    // Reading the trail is itself on the trail: who looked, at which unit's events, which page.
    await this.audit.record({
      actorId: user.id,
      action: 'audit.read',
      entityType: 'audit_event',
      entityId: null,
      unitId: query.unitId ?? null,
      after: { limit: query.limit, beforeId: query.beforeId ?? null },
    });
    return this.audit.list({
      unitIds: query.unitId ? [query.unitId] : null,
      limit: query.limit,
      beforeId: query.beforeId,
    });
  }

  /** Recomputes the whole hash chain and names the first event that does not match. */
  @Get(apiRoutes.audit.verify)
  async verify(@CurrentUser() user: AuthUser) {
    await this.access.assertGlobal(user, 'audit.verify');
    const { ok, checked, firstBroken } = await this.audit.verify();
    return { ok, checked, firstBroken };
  }
}
