import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import {
  ErrorCodes,
  type CreatedInvite,
  type CreateInviteRequest,
  type GuestJoinRequest,
  type GuestMeetingInfo,
  type GuestSession,
  type MeetingInvite,
} from '@branchmeet/shared';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import type { GuestTokenPayload } from '../auth/jwt-auth.guard';
import { SessionsService } from '../auth/sessions.service';
import { Conflict, DomainError, NotFound } from '../common/domain-error';
import type { MeetingInviteEntity } from './meeting-invite.entity';
import { MeetingInvitesRepository } from './meeting-invites.repository';
import { MeetingDirectory } from './meeting-directory.service';
import { MeetingEntity } from './meeting.entity';

/** The longest a guest token lives (also bounded by its invite's expiry). */
export const GUEST_TOKEN_MAX_SECONDS = 12 * 3600;

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
const open = (m: MeetingEntity) => m.status === 'scheduled' || m.status === 'live';

/**
 * Invite links for outside guests of one meeting. A manager of the branch creates one (it expires; its token
 * is shown once, only its hash is stored) and may revoke it; both audited. A guest who opens a valid link of
 * an open meeting gives a name and gets a guest token for that meeting's room only (the entry is audited). A
 * revoked or expired link lets nobody in any more, also not a guest who came with it before.
 */
@Injectable()
export class MeetingInvitesService {
  constructor(
    private readonly repo: MeetingInvitesRepository,
    private readonly directory: MeetingDirectory,
    private readonly audit: AuditService,
    private readonly jwt: JwtService,
    private readonly sessions: SessionsService,
  ) {}

  async create(user: AuthUser, meetingId: string, body: CreateInviteRequest): Promise<CreatedInvite> {
    const meeting = await this.authorised(user, meetingId);
    if (!open(meeting)) throw Conflict('invite.meetingClosed');
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + body.validHours * 3600_000);
    const id = await this.repo.transaction(async (em) => {
      const invite = await this.repo.insert(em, {
        meetingId: meeting.id,
        tokenHash: hashToken(token),
        expiresAt,
        revokedAt: null,
        revokedBy: null,
        createdBy: user.id,
      });
      await this.audit.append(em, {
        actorId: user.id,
        action: 'meeting.invite_create',
        entityType: 'meeting_invite',
        entityId: invite.id,
        unitId: meeting.unitId,
        after: { meetingId: meeting.id, expiresAt: expiresAt.toISOString() },
      });
      return invite.id;
    });
    const [invite] = await this.listed(meeting.id, id);
    return { ...invite, token };
  }

  async list(user: AuthUser, meetingId: string): Promise<MeetingInvite[]> {
    const meeting = await this.authorised(user, meetingId);
    return this.listed(meeting.id);
  }

  async revoke(user: AuthUser, inviteId: string): Promise<MeetingInvite> {
    const invite = await this.repo.find(inviteId);
    if (!invite) throw NotFound('notFound.invite');
    const meeting = await this.authorised(user, invite.meetingId, 'notFound.invite');
    await this.repo.transaction(async (em) => {
      const locked = await this.repo.lock(em, invite.id);
      if (locked.revokedAt) throw Conflict('invite.alreadyRevoked');
      const revokedAt = new Date();
      await this.repo.revoke(em, locked.id, revokedAt, user.id);
      await this.audit.append(em, {
        actorId: user.id,
        action: 'meeting.invite_revoke',
        entityType: 'meeting_invite',
        entityId: locked.id,
        unitId: meeting.unitId,
        before: { revokedAt: null },
        after: { meetingId: meeting.id, revokedAt: revokedAt.toISOString() },
      });
    });
    // Guests who came with it leave the room now (their seats freed, sockets closed); they cannot come back.
    const guests = await this.repo.guestsOf(invite.id);
    for (const g of guests) this.sessions.announce({ userId: g.id, reason: 'invite' });
    const [row] = await this.listed(meeting.id, invite.id);
    return row;
  }

  /** What a link opens (public): refused alike when unknown, expired, revoked or the meeting is over. */
  async preview(token: string): Promise<GuestMeetingInfo> {
    const { unitId: _unitId, ...info } = (await this.valid(token)).info;
    return info;
  }

  /** A guest enters by a link (public): a guest row, audited, and a guest token for that meeting only. */
  async join(body: GuestJoinRequest): Promise<GuestSession> {
    const { invite, info } = await this.valid(body.token);
    const guest = await this.repo.transaction(async (em) => {
      const saved = await this.repo.insertGuest(em, {
        meetingId: invite.meetingId,
        inviteId: invite.id,
        name: body.name,
      });
      await this.audit.append(em, {
        actorId: null,
        action: 'meeting.guest_join',
        entityType: 'meeting_guest',
        entityId: saved.id,
        unitId: info.unitId,
        after: { meetingId: invite.meetingId, inviteId: invite.id, name: body.name },
      });
      return saved;
    });
    const ttl = Math.max(
      1,
      Math.min(GUEST_TOKEN_MAX_SECONDS, Math.floor((invite.expiresAt.getTime() - Date.now()) / 1000)),
    );
    const payload: GuestTokenPayload = {
      sub: guest.id,
      typ: 'guest',
      mtg: invite.meetingId,
      nam: guest.name,
    };
    const accessToken = await this.jwt.signAsync(payload, { expiresIn: ttl });
    const { unitId: _unitId, ...meeting } = info;
    return {
      accessToken,
      expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
      guestId: guest.id,
      name: guest.name,
      meeting,
    };
  }

  private async valid(
    token: string,
  ): Promise<{ invite: MeetingInviteEntity; info: GuestMeetingInfo & { unitId: string } }> {
    const invite = await this.repo.byTokenHash(hashToken(token));
    if (!invite || invite.revokedAt || invite.expiresAt.getTime() <= Date.now())
      throw new DomainError(ErrorCodes.notFound, 404, 'invite.invalid');
    const m = await this.repo.invitedMeeting(invite.meetingId);
    if (!m || (m.status !== 'scheduled' && m.status !== 'live')) throw Conflict('invite.meetingClosed');
    return {
      invite,
      info: {
        meetingId: m.id,
        title: m.title,
        type: m.type,
        unitName: m.unit_name,
        unitId: m.unit_id,
        status: m.status,
        start: m.start.toISOString(),
        inviteExpiresAt: invite.expiresAt.toISOString(),
      },
    };
  }

  private async listed(meetingId: string, inviteId?: string): Promise<MeetingInvite[]> {
    const rows = await this.repo.list(meetingId, inviteId);
    return rows.map((r) => ({
      id: r.id,
      meetingId: r.meeting_id,
      expiresAt: r.expires_at.toISOString(),
      revokedAt: r.revoked_at?.toISOString() ?? null,
      createdAt: r.created_at.toISOString(),
      createdBy: r.created_by,
      guests: r.guests,
    }));
  }

  /** The meeting, if the user may manage its invites; a meeting of a branch they cannot see is not found. */
  private async authorised(
    user: AuthUser,
    meetingId: string,
    notFound: 'notFound.meeting' | 'notFound.invite' = 'notFound.meeting',
  ): Promise<MeetingEntity> {
    return (await this.directory.authorise(user, meetingId, 'meeting.invite', notFound)).meeting;
  }
}
