import { Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { ErrorCodes } from '@branchmeet/shared';

/** Limits login attempts per client address and account name (see LOGIN_RATE_LIMIT). */
@Injectable()
export class LoginThrottleGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const body = req.body as { login?: unknown } | undefined;
    const login = typeof body?.login === 'string' ? body.login.trim().toLowerCase() : '';
    return `${String(req.ip)}|${login}`;
  }

  protected override async throwThrottlingException(
    _ctx: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new DomainError(ErrorCodes.rateLimited, 429, 'auth.tooManyAttempts', {
      seconds: Math.ceil(detail.timeToBlockExpire),
    });
  }
}
