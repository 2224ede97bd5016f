import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { Forbidden, Unauthenticated } from '../common/domain-error';
import { AuthUser, IS_PUBLIC } from './auth-user';

export interface AccessTokenPayload {
  sub: string;
  adm: boolean;
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

/** Global guard: every route needs a valid access token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()]);
    if (isPublic) return true;
    const req = ctx.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw Unauthenticated('auth.noAccessToken');
    let payload: AccessTokenPayload | GuestTokenPayload;
    try {
      payload = await this.jwt.verifyAsync<AccessTokenPayload | GuestTokenPayload>(header.slice(7));
    } catch {
      throw Unauthenticated('auth.tokenInvalid');
    }
    // A guest token opens one meeting's room on /rtc and no REST route.
    if (isGuestToken(payload)) throw Forbidden('auth.guestToken');
    req.user = { id: payload.sub, isAdmin: payload.adm === true };
    return true;
  }
}
