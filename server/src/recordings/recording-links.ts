import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AuthUser } from '../auth/auth-user';
import { isGuestToken } from '../auth/jwt-auth.guard';
import { SessionsService } from '../auth/sessions.service';
import { UserDirectory } from '../auth/user-directory.service';
import { Forbidden, Unauthenticated } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';

const FILE_LINK_TTL_SECONDS = 6 * 3600;

/**
 * Who opens a recording's file: a file link (the `<video>` element cannot send a header) or an access token.
 * A link token is for one reader and one recording, signed with a key of its own (derived from JWT_SECRET), so it
 * is never taken for an access token; the reader's access is checked again when it is used.
 */
@Injectable()
export class RecordingLinks {
  constructor(
    private readonly jwt: JwtService,
    private readonly sessions: SessionsService,
    private readonly users: UserDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A link token for one reader and one recording. */
  token(user: AuthUser, recordingId: string): Promise<string> {
    return this.jwt.signAsync(
      { sub: user.id, rec: recordingId },
      { secret: this.secret(), expiresIn: FILE_LINK_TTL_SECONDS },
    );
  }

  /** The reader behind a file link for `recordingId`; 401 for a bad, expired or other recording's link. */
  async linkUser(recordingId: string, token: string): Promise<AuthUser> {
    let payload: { sub: string; rec: string };
    try {
      payload = await this.jwt.verifyAsync(token, { secret: this.secret() });
    } catch {
      throw Unauthenticated('auth.tokenInvalid');
    }
    if (payload.rec !== recordingId) throw Unauthenticated('auth.tokenInvalid');
    const isAdmin = await this.users.adminFlag(payload.sub);
    if (isAdmin === null) throw Unauthenticated('auth.accountGone');
    return { id: payload.sub, isAdmin };
  }

  /** The reader behind an access token (the file route also takes `Authorization: Bearer`); guests are refused. */
  async bearerUser(token: string): Promise<AuthUser> {
    // Like the REST guard: a live session's token only (a revoked one stops opening files at once).
    const payload = await this.sessions.verify(token);
    if (isGuestToken(payload)) throw Forbidden('auth.guestToken');
    return this.sessions.user(payload);
  }

  private secret(): string {
    return `${this.config.JWT_SECRET}:recording-file`;
  }
}
