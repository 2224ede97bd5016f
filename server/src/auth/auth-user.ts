import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

/** Who is calling, as the access token says. */
export interface AuthUser {
  id: string;
  isAdmin: boolean;
  /**
   * An outside guest with a guest token (no account): `id` is the guest's, and the token opens only this one
   * meeting's live room on /rtc. Never set on a REST request (the guard refuses guest tokens there).
   */
  guest?: { meetingId: string; name: string };
  /** The session (sign-in) of the access token; revoking it ends the token at once. */
  sessionId?: string;
  /** Signed in with a temporary password: only changing it (and /auth/me, logout) is allowed. */
  mustChangePassword?: boolean;
}

export const IS_PUBLIC = 'isPublic';
/** Marks a route that needs no sign-in (login, refresh, health). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const ALLOW_TEMPORARY_PASSWORD = 'allowTemporaryPassword';
/** Marks a route open to a person who must still change a temporary password (change-password, /auth/me). */
export const AllowTemporaryPassword = () => SetMetadata(ALLOW_TEMPORARY_PASSWORD, true);

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => {
  return ctx.switchToHttp().getRequest<{ user: AuthUser }>().user;
});
