import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { Unauthenticated } from '../common/domain-error';
import { AuthUser, IS_PUBLIC } from './auth-user';

export interface AccessTokenPayload {
  sub: string;
  adm: boolean;
}

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
    try {
      const payload = await this.jwt.verifyAsync<AccessTokenPayload>(header.slice(7));
      req.user = { id: payload.sub, isAdmin: payload.adm === true };
      return true;
    } catch {
      throw Unauthenticated('auth.tokenInvalid');
    }
  }
}
