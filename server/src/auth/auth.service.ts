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
import { DataSource, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DomainError, NotFound, Unauthenticated } from '../common/domain-error';
import { OrgsService } from '../orgs/orgs.service';
import { AccessTokenPayload } from './jwt-auth.guard';
import { dummyPasswordHash, hashPassword, temporaryPassword, verifyPassword } from './passwords';
import { RefreshTokenEntity } from './refresh-token.entity';
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

/** What an audit event records of an account: never the password hash. */
export const auditUser = (u: UserEntity) => toUserDto(u);

@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly orgs: OrgsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get users() {
    return this.dataSource.getRepository(UserEntity);
  }
  private get tokens() {
    return this.dataSource.getRepository(RefreshTokenEntity);
  }

  async login(body: LoginRequest): Promise<LoginResponse> {
    const user = await this.users.findOne({ where: [{ phone: body.login }, { username: body.login }] });
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), body.password);
    if (!user || !user.passwordHash || !ok) {
      throw Unauthenticated('auth.wrongCredentials');
    }
    const pair = await this.issueTokens(user);
    return { ...pair, me: await this.me(user.id) };
  }

  /** Rotates the refresh token: the old one is revoked; a revoked one presented again revokes them all. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const stored = await this.tokens.findOne({ where: { tokenHash: sha256(refreshToken) } });
    if (!stored || stored.expiresAt.getTime() < Date.now()) {
      throw Unauthenticated('auth.sessionExpired');
    }
    if (stored.revokedAt) {
      // Reuse of a rotated token means it leaked: end every session of that user.
      await this.tokens.update({ userId: stored.userId, revokedAt: IsNull() }, { revokedAt: new Date() });
      throw Unauthenticated('auth.sessionExpired');
    }
    const user = await this.users.findOneBy({ id: stored.userId });
    if (!user) throw Unauthenticated('auth.accountGone');
    await this.tokens.update({ id: stored.id }, { revokedAt: new Date() });
    return this.issueTokens(user);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.tokens.update(
      { tokenHash: sha256(refreshToken), revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
  }

  async me(userId: string): Promise<Me> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw Unauthenticated('auth.accountGone');
    return { user: toUserDto(user), memberships: await this.orgs.membershipsOf(userId) };
  }

  async changePassword(userId: string, body: ChangePasswordRequest): Promise<void> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, body.currentPassword))) {
      throw new DomainError('wrong_password', 400, 'auth.wrongCurrentPassword');
    }
    await this.setPassword(user, body.newPassword, false, userId, 'user.password_change');
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
  ): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.dataSource.transaction(async (em) => {
      await em.update(UserEntity, { id: user.id }, { passwordHash, mustChangePassword: mustChange });
      // Every session of the account ends with the old password.
      await em.update(
        RefreshTokenEntity,
        { userId: user.id, revokedAt: IsNull() },
        { revokedAt: new Date() },
      );
      await this.audit.append(em, {
        actorId,
        action,
        entityType: 'user',
        entityId: user.id,
        before: { mustChangePassword: user.mustChangePassword },
        after: { mustChangePassword: mustChange },
      });
    });
  }

  private async issueTokens(user: UserEntity): Promise<TokenPair> {
    const payload: AccessTokenPayload = { sub: user.id, adm: user.isAdmin };
    const accessToken = await this.jwt.signAsync(payload, { expiresIn: this.config.JWT_ACCESS_TTL_SECONDS });
    const refreshToken = randomBytes(32).toString('base64url');
    await this.tokens.insert({
      userId: user.id,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.JWT_REFRESH_TTL_DAYS * 86_400_000),
    });
    return { accessToken, refreshToken, expiresIn: this.config.JWT_ACCESS_TTL_SECONDS };
  }
}
