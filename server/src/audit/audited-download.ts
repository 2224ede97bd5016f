import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  Logger,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { from, Observable, switchMap } from 'rxjs';
import type { AuthUser } from '../auth/auth-user';
import { AuditService } from './audit.service';

/** What a download is about: the path parameter naming it. */
export type DownloadSubject = 'meetingId' | 'unitId' | 'recordingId';

interface DownloadMeta {
  action: string;
  subject: DownloadSubject;
  format: string;
}
const META = 'audit:download';

/**
 * `@AuditedDownload('attendance.export', 'meetingId', 'xlsx')`: every successful export or download of personal
 * data is one audit line — who, what (the meeting, unit or recording and the format, the period asked for), under
 * the unit it belongs to — never the exported rows themselves.
 */
export function AuditedDownload(action: string, subject: DownloadSubject, format: string) {
  return applyDecorators((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    Reflect.defineMetadata(
      META,
      { action, subject, format } satisfies DownloadMeta,
      descriptor!.value as object,
    );
  }, UseInterceptors(AuditedDownloadInterceptor));
}

const ENTITY: Record<DownloadSubject, string> = {
  meetingId: 'meeting',
  unitId: 'org_unit',
  recordingId: 'recording',
};

@Injectable()
export class AuditedDownloadInterceptor implements NestInterceptor {
  private readonly log = new Logger('AuditedDownload');
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const meta = this.reflector.get<DownloadMeta | undefined>(META, ctx.getHandler());
    if (!meta) return next.handle();
    const req = ctx.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    return next.handle().pipe(
      switchMap((value) =>
        from(
          this.record(req, meta).then(
            () => value,
            // The file is out already: a failed audit line is an operator's problem, logged loudly.
            (e: unknown) => {
              this.log.error(`could not audit ${meta.action} of ${req.originalUrl}: ${String(e)}`);
              return value;
            },
          ),
        ),
      ),
    );
  }

  private async record(req: Request & { user?: AuthUser }, meta: DownloadMeta): Promise<void> {
    const q = req.query as Record<string, unknown>;
    const period = typeof q.from === 'string' || typeof q.to === 'string' ? { from: q.from, to: q.to } : {};
    const id = String(req.params[meta.subject] ?? '');
    await this.recordFor(req.user ?? null, meta.action, meta.subject, id, { format: meta.format, ...period });
  }

  /** The same line, for a handler that finds its reader itself (a recording opened by its link). */
  async recordFor(
    user: AuthUser | null,
    action: string,
    subject: DownloadSubject,
    id: string,
    after: Record<string, unknown> = {},
  ): Promise<void> {
    await this.audit.record({
      actorId: user?.id ?? null,
      action,
      entityType: ENTITY[subject],
      entityId: id,
      unitId: await this.unitOf(subject, id),
      after,
    });
  }

  /** The unit an exported thing belongs to, so the line shows in that unit's audit log. */
  private async unitOf(subject: DownloadSubject, id: string): Promise<string | null> {
    if (subject === 'unitId') return id;
    try {
      return await this.audit.unitOf(subject, id);
    } catch (e) {
      this.log.warn(`unit of ${subject} ${id}: ${String(e)}`);
      return null;
    }
  }
}
