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
  type MeetingType,
} from '@branchmeet/shared';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import type { GuestTokenPayload } from '../auth/jwt-auth.guard';
import { SessionsService } from '../auth/sessions.service';
import { Conflict, DomainError, NotFound } from '../common/domain-error';
import { MeetingGuestEntity } from './meeting-guest.entity';
import { MeetingInviteEntity } from './meeting-invite.entity';
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
    private readonly dataSource: DataSource,
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
    const id = await this.dataSource.transaction(async (em) => {
      const invite = await em.save(
        em.create(MeetingInviteEntity, {
          meetingId: meeting.id,
          tokenHash: hashToken(token),
          expiresAt,
          revokedAt: null,
          revokedBy: null,
          createdBy: user.id,
        }),
      );
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
    const [invite] = await this.query(meeting.id, id);
    return { ...invite, token };
  }

  async list(user: AuthUser, meetingId: string): Promise<MeetingInvite[]> {
    const meeting = await this.authorised(user, meetingId);
    return this.query(meeting.id);
  }

  async revoke(user: AuthUser, inviteId: string): Promise<MeetingInvite> {
    const invite = await this.dataSource.getRepository(MeetingInviteEntity).findOneBy({ id: inviteId });
    if (!invite) throw NotFound('notFound.invite');
    const meeting = await this.authorised(user, invite.meetingId, 'notFound.invite');
    await this.dataSource.transaction(async (em) => {
      const locked = await em.findOneOrFail(MeetingInviteEntity, {
        where: { id: invite.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (locked.revokedAt) throw Conflict('invite.alreadyRevoked');
      const revokedAt = new Date();
      await em.update(MeetingInviteEntity, { id: locked.id }, { revokedAt, revokedBy: user.id });
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
    const guests = await this.dataSource.getRepository(MeetingGuestEntity).findBy({ inviteId: invite.id });
    for (const g of guests) this.sessions.announce({ userId: g.id, reason: 'invite' });
    const [row] = await this.query(meeting.id, invite.id);
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
    const guest = await this.dataSource.transaction(async (em) => {
      const saved = await em.save(
        em.create(MeetingGuestEntity, { meetingId: invite.meetingId, inviteId: invite.id, name: body.name }),
      );
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
    const invite = await this.dataSource
      .getRepository(MeetingInviteEntity)
      .findOneBy({ tokenHash: hashToken(token) });
    if (!invite || invite.revokedAt || invite.expiresAt.getTime() <= Date.now())
      throw new DomainError(ErrorCodes.notFound, 404, 'invite.invalid');
    const [m]: {
      id: string;
      title: string;
      type: MeetingType;
      status: MeetingEntity['status'];
      start: Date;
      unit_id: string;
      unit_name: string;
    }[] = await this.dataSource.query(
      `SELECT m.id, m.title, m.type, m.status, CASE WHEN m.status = 'scheduled' THEN m.scheduled_start
              ELSE m.started_at END AS start, m.unit_id, u.name AS unit_name
       FROM meeting m JOIN org_unit u ON u.id = m.unit_id WHERE m.id = $1`,
      [invite.meetingId],
    );
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

  private async query(meetingId: string, inviteId?: string): Promise<MeetingInvite[]> {
    const rows: {
      id: string;
      meeting_id: string;
      expires_at: Date;
      revoked_at: Date | null;
      created_at: Date;
      created_by: string;
      guests: number;
    }[] = await this.dataSource.query(
      `SELECT i.id, i.meeting_id, i.expires_at, i.revoked_at, i.created_at, i.created_by,
              (SELECT count(*)::int FROM meeting_guest g WHERE g.invite_id = i.id) AS guests
       FROM meeting_invite i WHERE i.meeting_id = $1 AND ($2::uuid IS NULL OR i.id = $2)
       ORDER BY i.created_at DESC`,
      [meetingId, inviteId ?? null],
    );
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
