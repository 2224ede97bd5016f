import { Global, Injectable, Logger, Module } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { EntityManager } from 'typeorm';
import { RoomCalls } from '../cluster/room-calls';
import { Unauthenticated } from '../common/domain-error';
import type { AuthUser } from './auth-user';
import type { AccessTokenPayload, GuestTokenPayload } from './jwt-auth.guard';
import { SessionsRepository } from './sessions.repository';

/** The one algorithm tokens are signed and verified with: a token naming another (or `none`) is refused. */
export const JWT_ALGORITHM = 'HS256';

/**
 * Someone's access ended: sockets of that person (of one session, or all but one) are closed at once and their
 * seats freed. `userId` is a guest's id for a guest whose invite was revoked.
 */
export interface Revocation {
  userId: string;
  /** Only this session's sockets (logout, refresh-token reuse). */
  sessionId?: string;
  /** Every session's sockets but this one (own password change). */
  exceptSessionId?: string;
  reason: 'logout' | 'password' | 'reuse' | 'membership' | 'invite';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sessions: a sign-in is a row of `auth_session`; its access tokens carry its id (`sid`) and are honoured only
 * while the row is not revoked (one primary-key look-up per request, joined with the account's flags).
 */
@Injectable()
export class SessionsService {
  private readonly log = new Logger(SessionsService.name);
  private readonly listeners = new Set<(r: Revocation) => void>();

  constructor(
    private readonly repo: SessionsRepository,
    private readonly jwt: JwtService,
    private readonly calls: RoomCalls,
  ) {
    calls.onNotice('session.revoked', (r) => this.deliver(r));
  }

  /** Verifies a token's signature (HS256 only) and expiry; a token without `exp` is refused. */
  async verify(token: string): Promise<AccessTokenPayload | GuestTokenPayload> {
    let payload: (AccessTokenPayload | GuestTokenPayload) & { exp?: unknown };
    try {
      payload = await this.jwt.verifyAsync(token, { algorithms: [JWT_ALGORITHM] });
    } catch {
      throw Unauthenticated('auth.tokenInvalid');
    }
    if (typeof payload.exp !== 'number' || typeof payload.sub !== 'string')
      throw Unauthenticated('auth.tokenInvalid');
    return payload;
  }

  /** Who a signed-in person's access token speaks for, if its session is still live. */
  async user(payload: AccessTokenPayload): Promise<AuthUser> {
    if (typeof payload.sid !== 'string' || !UUID.test(payload.sid) || !UUID.test(payload.sub))
      throw Unauthenticated('auth.tokenInvalid');
    const row = await this.repo.session(payload.sid, payload.sub);
    if (!row?.live) throw Unauthenticated('auth.sessionEnded');
    return {
      id: payload.sub,
      isAdmin: row.is_admin,
      sessionId: payload.sid,
      mustChangePassword: row.must_change_password,
    };
  }

  async start(em: EntityManager, userId: string): Promise<string> {
    return this.repo.start(em, userId);
  }

  /** Takes a live refresh token of a live session (revokes it), in `em`'s transaction; undefined if none. */
  takeRefreshToken(em: EntityManager, tokenHash: string) {
    return this.repo.takeRefreshToken(em, tokenHash);
  }

  /**
   * Revokes sessions of a person (one, all but one, or all) with their refresh tokens, inside the caller's
   * transaction; `announce` the returned revocation after the commit.
   */
  async revoke(em: EntityManager, r: Revocation): Promise<Revocation> {
    await this.repo.revoke(em, r);
    return r;
  }

  /**
   * Tells the live parts (the /rtc gateway) of every node that someone's access ended or changed: their
   * sockets may be on any node (a room's on the node that holds it).
   */
  announce(r: Revocation): void {
    this.calls.tellEveryNode('session.revoked', r);
  }

  private deliver(r: Revocation): void {
    for (const listener of this.listeners) {
      try {
        listener(r);
      } catch (e) {
        this.log.error(`revocation listener: ${String(e)}`);
      }
    }
  }

  onRevoked(listener: (r: Revocation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Global, so the guard, the /rtc gateway and the services that revoke share one SessionsService. */
@Global()
@Module({ providers: [SessionsRepository, SessionsService], exports: [SessionsService] })
export class SessionsModule {}
