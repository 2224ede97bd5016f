import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError, Forbidden, Unauthenticated } from '../common/domain-error';
import { ALLOW_TEMPORARY_PASSWORD, AuthUser, IS_PUBLIC } from './auth-user';
import { SessionsService } from './sessions.service';

export interface AccessTokenPayload {
  sub: string;
  adm: boolean;
  /** The session (auth_session.id) the token belongs to. */
  sid: string;
}

/** A guest token (invite links): one meeting's live room, nothing else. */
export interface GuestTokenPayload {
  sub: string;
  typ: 'guest';
  /** The meeting it opens. */
  mtg: string;
  /** The name the guest gave. */
  nam: string;
}

export const isGuestToken = (p: object): p is GuestTokenPayload => (p as { typ?: unknown }).typ === 'guest';

/**
 * Global guard: every route needs a valid access token of a live session unless marked @Public(); a person with
 * a temporary password may only change it (routes marked @AllowTemporaryPassword()).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly sessions: SessionsService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw Unauthenticated('auth.noAccessToken');
    const payload = await this.sessions.verify(header.slice(7));
    // A guest token opens one meeting's room on /rtc and no REST route.
    if (isGuestToken(payload)) throw Forbidden('auth.guestToken');
    const user = await this.sessions.user(payload);
    if (
      user.mustChangePassword &&
      !this.reflector.getAllAndOverride<boolean>(ALLOW_TEMPORARY_PASSWORD, targets)
    )
      throw new DomainError('password_change_required', 403, 'auth.mustChangePassword');
    req.user = user;
    return true;
  }
}
