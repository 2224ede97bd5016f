import { Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  minutesEditable,
  type MeetingType,
  type MessageKey,
  type Minutes,
  type MinutesAttachment,
  type MinutesDocument,
  type MinutesFields,
  type MinutesPermissions,
  type MinutesStatus,
  type UpdateMinutesRequest,
  allows,
  type Relation,
  type UnitAction,
} from '@branchmeet/shared';
import { EntityManager } from 'typeorm';
import * as Y from './yjs';
import { AttendanceService } from '../attendance/attendance.service';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { UserDirectory } from '../auth/user-directory.service';
import { Conflict, DomainError, Forbidden, NotFound } from '../common/domain-error';
import { MeetingDirectory, type MeetingRow } from '../meetings/meeting-directory.service';
import type { UnitAccess } from '../orgs/access.service';
import { ensureSections, readSections, resolutionsOf } from './minutes-doc';
import { MinutesDocService } from './minutes-doc.service';
import { buildFields, periodOf, sameJson } from './minutes-fields';
import { MinutesVotesService } from './minutes-votes.service';
import { MinutesEntity } from './minutes.entity';
import { MinutesRepository } from './minutes.repository';

/** A meeting, its branch, and how the caller stands to both. */
export interface MinutesContext {
  meeting: MeetingRow;
  unit: UnitAccess['unit'];
  relation: Relation;
  isHost: boolean;
  isRecorder: boolean;
}

const statusKey: Record<MinutesStatus, MessageKey> = {
  draft: 'minutes.statusDraft',
  submitted: 'minutes.statusSubmitted',
  approved: 'minutes.statusApproved',
  returned: 'minutes.statusReturned',
};
export const lockedError = (status: MinutesStatus) =>
  Conflict('minutes.locked', { status: { key: statusKey[status] } });

/**
 * The minutes of a meeting: created with the fields the platform knows on first read, kept in step with the
 * meeting and its attendance while editable, filled in and signed. The review (MinutesReviewService),
 * attachments (MinutesAttachmentsService) and the approval inbox (MinutesInboxService) build on this. Every
 * change is audited in the transaction that makes it.
 */
@Injectable()
export class MinutesService {
  constructor(
    private readonly repo: MinutesRepository,
    private readonly meetings: MeetingDirectory,
    private readonly users: UserDirectory,
    private readonly audit: AuditService,
    private readonly attendance: AttendanceService,
    private readonly docs: MinutesDocService,
    private readonly votes: MinutesVotesService,
  ) {}

  /** The status of a meeting's minutes (null: none yet), for the meeting's own rules. */
  async statusOf(meetingId: string): Promise<MinutesStatus | null> {
    return (await this.repo.status(meetingId))?.status ?? null;
  }

  // ── access ───────────────────────────────────────────────────────────────────────────────────────────────
  /** The meeting and the caller's relation; a meeting of a branch the caller cannot see is not found. */
  async context(
    user: AuthUser,
    meetingId: string,
    action: UnitAction = 'minutes.read',
  ): Promise<MinutesContext> {
    const { meeting, unit, relation } = await this.meetings.authorise(user, meetingId, action);
    return {
      meeting,
      unit,
      relation,
      isHost: meeting.hostId === user.id,
      isRecorder: meeting.recorderId === user.id,
    };
  }

  permissions(ctx: MinutesContext, status: MinutesStatus): MinutesPermissions {
    const editable = minutesEditable(status) && ctx.meeting.status !== 'cancelled';
    const started = ctx.meeting.status === 'live' || ctx.meeting.status === 'ended';
    const writer = ctx.isHost || ctx.isRecorder;
    return {
      write: writer && editable,
      editFields: (writer || allows(ctx.relation, 'minutes.edit')) && editable,
      sign: writer && editable && started,
      submit:
        (ctx.isRecorder || allows(ctx.relation, 'minutes.submit')) &&
        editable &&
        ctx.meeting.status === 'ended',
      review: allows(ctx.relation, 'minutes.review') && status === 'submitted',
      correct: allows(ctx.relation, 'minutes.correct') && status === 'approved',
      export: allows(ctx.relation, 'minutes.export'),
    };
  }

  /** The minutes for a change of the typed fields or attachments: 409 when frozen, 403 for others. */
  async editableFields(
    user: AuthUser,
    meetingId: string,
  ): Promise<{ ctx: MinutesContext; row: MinutesEntity }> {
    const ctx = await this.context(user, meetingId);
    const row = await this.ensure(user, ctx);
    if (!this.permissions(ctx, row.status).editFields) {
      if (!minutesEditable(row.status)) throw lockedError(row.status);
      throw Forbidden('minutes.recorderOrManager');
    }
    return { ctx, row };
  }

  // ── reading ──────────────────────────────────────────────────────────────────────────────────────────────
  async get(user: AuthUser, meetingId: string): Promise<Minutes> {
    const ctx = await this.context(user, meetingId);
    const row = await this.ensure(user, ctx);
    return this.dto(ctx, row);
  }

  /**
   * The minutes' row, created on first use with the fields from the meeting and its attendance; while editable
   * the fields are refreshed when the meeting or its attendance changed (compared whatever the order of the
   * stored keys: a read that changes nothing writes nothing) and new agenda items get their sections.
   */
  async ensure(user: AuthUser, ctx: MinutesContext): Promise<MinutesEntity> {
    let row = await this.repo.find(ctx.meeting.id);
    if (!row) {
      if (ctx.meeting.status === 'cancelled') throw Conflict('minutes.meetingCancelled');
      const fields = await this.fields(user, ctx, {});
      const doc = new Y.Doc();
      ensureSections(doc, ctx.meeting.agenda);
      await this.repo.insertIfMissing({
        meetingId: ctx.meeting.id,
        unitId: ctx.meeting.unitId,
        status: 'draft',
        fields,
        absenceReasons: {},
        ydoc: Buffer.from(Y.encodeStateAsUpdate(doc)),
      });
      await this.repo.refreshSearch(ctx.meeting.id);
      row = await this.repo.find(ctx.meeting.id);
      if (!row) throw NotFound('notFound.minutes');
    } else if (minutesEditable(row.status) && ctx.meeting.status !== 'cancelled') {
      const fields = await this.fields(user, ctx, row.absenceReasons);
      if (!sameJson(fields, row.fields)) {
        await this.repo.update(row.meetingId, { fields });
        await this.repo.refreshSearch(row.meetingId);
        row.fields = fields;
      }
    }
    if (minutesEditable(row.status)) {
      const agenda = ctx.meeting.agenda;
      const missing = await this.docs.read(row.meetingId, (doc) => {
        const titles = new Set(readSections(doc).map((s) => s.title));
        return agenda.some((a) => !titles.has(a));
      });
      if (missing) await this.docs.edit(row.meetingId, (doc) => ensureSections(doc, agenda));
    }
    return row;
  }

  /** The fields nobody types, from the meeting and its attendance (read through those features' services). */
  async fields(
    user: AuthUser,
    ctx: MinutesContext,
    absenceReasons: Record<string, string>,
    em: EntityManager = this.repo.manager,
  ): Promise<MinutesFields> {
    const m = ctx.meeting;
    const attendance = await this.attendance.forMeeting(user, m.id);
    const people = await this.users.names([m.hostId, m.recorderId], em);
    const observers = (await this.meetings.attendees([m.id], em))
      .filter((a) => a.kind === 'observer')
      .map((a) => ({ userId: a.user_id, name: a.name }));
    const leaves = await this.meetings.approvedLeaves([m.id], em);
    const type = m.type as MeetingType;
    const period = periodOf(type, m.startedAt);
    const n = await this.meetings.ordinalInPeriod(m, period.start, em);
    const person = (id: string | null) => (id ? { userId: id, name: people.get(id) ?? '' } : null);
    return buildFields({
      meeting: { ...m, type },
      unitName: ctx.unit.name,
      host: person(m.hostId),
      recorder: person(m.recorderId),
      ordinal: Math.max(1, n),
      attendance,
      observers,
      leaveReasons: new Map(leaves.map((l) => [l.user_id, l.reason])),
      absenceReasons,
    });
  }

  /** The record as it stands: fields, the written texts (from the live document), votes, attachments, sign-offs. */
  async document(row: MinutesEntity, em: EntityManager = this.repo.manager): Promise<MinutesDocument> {
    const { sections, resolutions } = await this.docs.read(row.meetingId, (doc) => ({
      sections: readSections(doc),
      resolutions: resolutionsOf(doc).toString(),
    }));
    return this.documentFrom(row, sections, resolutions, em);
  }

  async documentFrom(
    row: MinutesEntity,
    sections: MinutesDocument['sections'],
    resolutions: string,
    em: EntityManager,
  ): Promise<MinutesDocument> {
    const [votes, attachments] = await Promise.all([
      this.votes.list(row.meetingId, em),
      this.repo.attachments(row.meetingId, em),
    ]);
    return {
      fields: row.fields,
      sections,
      resolutions,
      votes,
      attachments: attachments.map((a) => a.filename),
      signatures: { host: row.hostSignature, recorder: row.recorderSignature },
    };
  }

  /** The attachments' list (without their bytes), with the uploaders' names. */
  async attachments(meetingId: string): Promise<MinutesAttachment[]> {
    const rows = await this.repo.attachments(meetingId);
    const people = await this.users.names(rows.map((r) => r.uploadedBy));
    return rows.map((r) => ({
      id: r.id,
      filename: r.filename,
      contentType: r.contentType,
      size: r.size,
      uploadedBy: people.get(r.uploadedBy) ?? '',
      uploadedAt: r.uploadedAt.toISOString(),
    }));
  }

  async dto(ctx: MinutesContext, row: MinutesEntity): Promise<Minutes> {
    const doc = await this.document(row);
    const files = await this.attachments(row.meetingId);
    const people = await this.users.names([row.submittedBy, row.reviewedBy]);
    return {
      ...doc,
      meetingId: row.meetingId,
      unitId: row.unitId,
      meetingStatus: ctx.meeting.status,
      status: row.status,
      frozen: !minutesEditable(row.status),
      absenceReasons: row.absenceReasons,
      attachmentFiles: files,
      revision: row.revision,
      review: {
        submittedBy: row.submittedBy ? (people.get(row.submittedBy) ?? '') : null,
        submittedAt: row.submittedAt?.toISOString() ?? null,
        reviewedBy: row.reviewedBy ? (people.get(row.reviewedBy) ?? '') : null,
        reviewedAt: row.reviewedAt?.toISOString() ?? null,
        reason: row.reviewReason,
      },
      can: this.permissions(ctx, row.status),
    };
  }

  /** The row locked in `em`'s transaction. */
  async lock(em: EntityManager, meetingId: string): Promise<MinutesEntity> {
    const row = await this.repo.lock(em, meetingId);
    if (!row) throw NotFound('notFound.minutes');
    return row;
  }

  // ── what people type and sign ────────────────────────────────────────────────────────────────────────────
  /** The reasons of absent members (缺席原因). Only for people the attendance counts as absent. Audited. */
  async update(user: AuthUser, meetingId: string, body: UpdateMinutesRequest): Promise<Minutes> {
    const { ctx, row: current } = await this.editableFields(user, meetingId);
    const absent = new Map(current.fields.absentNames.map((p) => [p.userId, p.name]));
    for (const userId of Object.keys(body.absenceReasons))
      if (!absent.has(userId))
        throw new DomainError(ErrorCodes.validation, 400, 'minutes.notAbsent', { name: userId });
    const row = await this.repo.transaction(async (em) => {
      const locked = await this.lock(em, meetingId);
      if (!minutesEditable(locked.status)) throw lockedError(locked.status);
      const before = locked.absenceReasons;
      const reasons = { ...before };
      for (const [userId, reason] of Object.entries(body.absenceReasons)) {
        if (reason) reasons[userId] = reason;
        else delete reasons[userId];
      }
      const fields = await this.fields(user, ctx, reasons, em);
      await this.repo.update(meetingId, { absenceReasons: reasons, fields }, em);
      await this.audit.append(em, {
        actorId: user.id,
        action: 'minutes.update',
        entityType: 'minutes',
        entityId: meetingId,
        unitId: ctx.meeting.unitId,
        before: { absenceReasons: before },
        after: { absenceReasons: reasons },
      });
      return { ...locked, absenceReasons: reasons, fields };
    });
    return this.dto(ctx, row);
  }

  /** The host and the recorder sign the minutes (签字), each for their part. Audited. */
  async sign(user: AuthUser, meetingId: string): Promise<Minutes> {
    const ctx = await this.context(user, meetingId);
    const row = await this.ensure(user, ctx);
    if (!ctx.isHost && !ctx.isRecorder) throw Forbidden('minutes.notSignatory');
    if (!this.permissions(ctx, row.status).sign) {
      if (!minutesEditable(row.status)) throw lockedError(row.status);
      throw Conflict('minutes.notStarted');
    }
    const name = (await this.users.names([user.id])).get(user.id) ?? '';
    const signature = { userId: user.id, name, at: new Date().toISOString() };
    const saved = await this.repo.transaction(async (em) => {
      const locked = await this.lock(em, meetingId);
      if (!minutesEditable(locked.status)) throw lockedError(locked.status);
      const patch: Partial<MinutesEntity> = {};
      if (ctx.isHost) patch.hostSignature = signature;
      if (ctx.isRecorder) patch.recorderSignature = signature;
      await this.repo.update(meetingId, patch, em);
      await this.audit.append(em, {
        actorId: user.id,
        action: 'minutes.sign',
        entityType: 'minutes',
        entityId: meetingId,
        unitId: ctx.meeting.unitId,
        after: { as: [ctx.isHost && 'host', ctx.isRecorder && 'recorder'].filter(Boolean), at: signature.at },
      });
      return { ...locked, ...patch };
    });
    return this.dto(ctx, saved);
  }
}
