import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type {
  ChangePasswordRequest,
  LoginRequest,
  LoginResponse,
  Me,
  ResetPasswordResponse,
  TokenPair,
  User,
} from '@branchmeet/shared';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DomainError, NotFound, Unauthenticated } from '../common/domain-error';
import { RateLimiter } from '../common/rate-limit';
import { OrgsService } from '../orgs/orgs.service';
import { AccessTokenPayload } from './jwt-auth.guard';
import { dummyPasswordHash, hashPassword, temporaryPassword, verifyPassword } from './passwords';
import { RefreshTokenEntity } from './refresh-token.entity';
import { JWT_ALGORITHM, SessionsService } from './sessions.service';
import { UserEntity } from './user.entity';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function toUserDto(u: UserEntity): User {
  return {
    id: u.id,
    name: u.name,
    phone: u.phone,
    username: u.username,
    memberType: u.memberType,
    isAdmin: u.isAdmin,
    mustChangePassword: u.mustChangePassword,
  };
}

@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly orgs: OrgsService,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const windowMs = config.LOGIN_RATE_WINDOW_SECONDS * 1000;
    this.failuresByIp = new RateLimiter(config.LOGIN_IP_FAILURE_LIMIT, windowMs, 'auth.tooManyAttempts');
    this.passwordChanges = new RateLimiter(
      config.PASSWORD_CHANGE_RATE_LIMIT,
      windowMs,
      'auth.tooManyAttempts',
    );
  }

  private readonly failuresByIp: RateLimiter;
  private readonly passwordChanges: RateLimiter;

  private get users() {
    return this.dataSource.getRepository(UserEntity);
  }
  private get tokens() {
    return this.dataSource.getRepository(RefreshTokenEntity);
  }

  async login(body: LoginRequest, ip = ''): Promise<LoginResponse> {
    // Password spraying: failures from one address are counted over all accounts.
    this.failuresByIp.assert(ip);
    const user = await this.users.findOne({ where: [{ phone: body.login }, { username: body.login }] });
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), body.password);
    if (!user || !user.passwordHash || !ok) {
      // One line per attempt: who was tried (when the account exists) and from where; never the password.
      await this.dataSource.transaction((em) =>
        this.audit.append(em, {
          actorId: null,
          action: 'auth.login_failed',
          entityType: 'user',
          entityId: user?.id ?? null,
          after: { ip, known: Boolean(user) },
        }),
      );
      this.failuresByIp.hit(ip);
      throw Unauthenticated('auth.wrongCredentials');
    }
    const pair = await this.dataSource.transaction(async (em) => {
      const sessionId = await this.sessions.start(em, user.id);
      await this.audit.append(em, {
        actorId: user.id,
        action: 'auth.login',
        entityType: 'user',
        entityId: user.id,
        after: { ip, sessionId },
      });
      return this.issueTokens(em, user, sessionId);
    });
    return { ...pair, me: await this.me(user.id) };
  }

  /**
   * Rotates the refresh token atomically: one conditional UPDATE … RETURNING takes it, so of concurrent uses
   * exactly one wins. A token that was already used (zero rows for a known token) means it leaked: its whole
   * session (the family of rotated tokens) ends, the winner's new tokens included.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const tokenHash = sha256(refreshToken);
    const pair = await this.dataSource.transaction(async (em) => {
      const taken = await this.sessions.takeRefreshToken(em, tokenHash);
      if (!taken) return null;
      const user = await em.findOneBy(UserEntity, { id: taken.user_id });
      if (!user) throw Unauthenticated('auth.accountGone');
      return this.issueTokens(em, user, taken.session_id);
    });
    if (pair) return pair;
    const stored = await this.tokens.findOne({ where: { tokenHash } });
    if (stored?.revokedAt && stored.sessionId) {
      const revocation = await this.dataSource.transaction(async (em) => {
        await this.audit.append(em, {
          actorId: null,
          action: 'auth.refresh_reuse',
          entityType: 'user',
          entityId: stored.userId,
          after: { sessionId: stored.sessionId },
        });
        return this.sessions.revoke(em, {
          userId: stored.userId,
          sessionId: stored.sessionId!,
          reason: 'reuse',
        });
      });
      this.sessions.announce(revocation);
    }
    throw Unauthenticated('auth.sessionExpired');
  }

  /** Ends the session of the refresh token: its access tokens stop working and its sockets are closed. */
  async logout(refreshToken: string): Promise<void> {
    const stored = await this.tokens.findOne({ where: { tokenHash: sha256(refreshToken) } });
    if (!stored) return;
    const revocation = await this.dataSource.transaction(async (em) => {
      await em.update(RefreshTokenEntity, { id: stored.id, revokedAt: IsNull() }, { revokedAt: new Date() });
      if (!stored.sessionId) return null;
      await this.audit.append(em, {
        actorId: stored.userId,
        action: 'auth.logout',
        entityType: 'user',
        entityId: stored.userId,
        after: { sessionId: stored.sessionId },
      });
      return this.sessions.revoke(em, {
        userId: stored.userId,
        sessionId: stored.sessionId,
        reason: 'logout',
      });
    });
    if (revocation) this.sessions.announce(revocation);
  }

  async me(userId: string): Promise<Me> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw Unauthenticated('auth.accountGone');
    return { user: toUserDto(user), memberships: await this.orgs.membershipsOf(userId) };
  }

  /** Every other session of the account ends; the one that changed the password goes on. */
  async changePassword(
    userId: string,
    body: ChangePasswordRequest,
    currentSessionId?: string,
  ): Promise<void> {
    this.passwordChanges.hit(userId);
    const user = await this.users.findOneBy({ id: userId });
    if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, body.currentPassword))) {
      throw new DomainError('wrong_password', 400, 'auth.wrongCurrentPassword');
    }
    await this.setPassword(user, body.newPassword, false, userId, 'user.password_change', currentSessionId);
  }

  /** An administrator sets a new password, or gets a generated one to hand over; the user must change it. */
  async resetPassword(actorId: string, userId: string, newPassword?: string): Promise<ResetPasswordResponse> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw NotFound('notFound.user');
    const password = newPassword ?? temporaryPassword();
    await this.setPassword(user, password, true, actorId, 'user.password_reset');
    return newPassword ? {} : { temporaryPassword: password };
  }

  private async setPassword(
    user: UserEntity,
    password: string,
    mustChange: boolean,
    actorId: string,
    action: string,
    keepSessionId?: string,
  ): Promise<void> {
    const passwordHash = await hashPassword(password);
    const revocation = await this.dataSource.transaction(async (em) => {
      await em.update(UserEntity, { id: user.id }, { passwordHash, mustChangePassword: mustChange });
      // Every session of the account ends with the old password (but the one that changed it).
      const revoked = await this.sessions.revoke(em, {
        userId: user.id,
        exceptSessionId: keepSessionId,
        reason: 'password',
      });
      await this.audit.append(em, {
        actorId,
        action,
        entityType: 'user',
        entityId: user.id,
        before: { mustChangePassword: user.mustChangePassword },
        after: { mustChangePassword: mustChange },
      });
      return revoked;
    });
    this.sessions.announce(revocation);
  }

  private async issueTokens(em: EntityManager, user: UserEntity, sessionId: string): Promise<TokenPair> {
    const payload: AccessTokenPayload = { sub: user.id, adm: user.isAdmin, sid: sessionId };
    const accessToken = await this.jwt.signAsync(payload, {
      expiresIn: this.config.JWT_ACCESS_TTL_SECONDS,
      algorithm: JWT_ALGORITHM,
    });
    const refreshToken = randomBytes(32).toString('base64url');
    await em.insert(RefreshTokenEntity, {
      userId: user.id,
      sessionId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.JWT_REFRESH_TTL_DAYS * 86_400_000),
    });
    return { accessToken, refreshToken, expiresIn: this.config.JWT_ACCESS_TTL_SECONDS };
  }
}
