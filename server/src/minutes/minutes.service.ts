import { Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  MINUTES_ATTACHMENT_MAX_BYTES,
  minutesEditable,
  type ApproveMinutesRequest,
  type CorrectMinutesRequest,
  type DiffPart,
  type MeetingType,
  type MessageKey,
  type Minutes,
  type MinutesAttachment,
  type MinutesDocument,
  type MinutesFields,
  type MinutesListItem,
  type MinutesPerson,
  type MinutesPermissions,
  type MinutesRevisionDetail,
  type MinutesRevisionSummary,
  type MinutesStatus,
  type ReturnMinutesRequest,
  type UpdateMinutesRequest,
} from '@branchmeet/shared';
import { diffLines } from 'diff';
import { DataSource, EntityManager, In } from 'typeorm';
import * as Y from './yjs';
import { AttendanceService } from '../attendance/attendance.service';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { UserEntity } from '../auth/user.entity';
import { Conflict, DomainError, Forbidden, NotFound } from '../common/domain-error';
import { LeaveRequestEntity } from '../meetings/leave-request.entity';
import { MeetingAttendeeEntity } from '../meetings/meeting-attendee.entity';
import { MeetingEntity } from '../meetings/meeting.entity';
import { AccessService, Relation, UnitAction, unitRules } from '../orgs/access.service';
import { OrgUnitEntity } from '../orgs/org-unit.entity';
import { MinutesAttachmentEntity } from './minutes-attachment.entity';
import { SocketHub } from '../common/socket-hub';
import { MinutesNotifier } from './minutes-notifier';
import { ensureSections, readSections, replaceText, resolutionsOf, sectionsOf, textOf } from './minutes-doc';
import { MinutesDocService, searchTextSql } from './minutes-doc.service';
import { buildFields, periodOf } from './minutes-fields';
import { MinutesRevisionEntity } from './minutes-revision.entity';
import { minutesText } from './minutes-text';
import { MinutesVotesService } from './minutes-votes.service';
import { MinutesEntity } from './minutes.entity';

/** A meeting, its branch, and how the caller stands to both. */
export interface MinutesContext {
  meeting: MeetingEntity;
  unit: OrgUnitEntity;
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

const allows = (relation: Relation, action: UnitAction) =>
  (unitRules[action] as readonly Relation[]).includes(relation);

/**
 * The minutes of a meeting: created with the fields the platform knows on first read, kept in step with the
 * meeting and its attendance while editable, and taken through the review. Every change of status, sign-off,
 * typed field, correction and attachment is audited in the transaction that makes it.
 */
@Injectable()
export class MinutesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly attendance: AttendanceService,
    private readonly docs: MinutesDocService,
    private readonly votes: MinutesVotesService,
    private readonly hub: SocketHub,
    private readonly notifier: MinutesNotifier,
  ) {}

  // ── access ───────────────────────────────────────────────────────────────────────────────────────────────
  /** The meeting and the caller's relation; a meeting of a branch the caller cannot see is not found. */
  async context(
    user: AuthUser,
    meetingId: string,
    action: UnitAction = 'minutes.read',
  ): Promise<MinutesContext> {
    const meeting = await this.dataSource.getRepository(MeetingEntity).findOneBy({ id: meetingId });
    if (!meeting) throw NotFound('notFound.meeting');
    const { unit, relation } = await this.access.unitOf(user, meeting.unitId, action, 'notFound.meeting');
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

  // ── reading ──────────────────────────────────────────────────────────────────────────────────────────────
  async get(user: AuthUser, meetingId: string): Promise<Minutes> {
    const ctx = await this.context(user, meetingId);
    const row = await this.ensure(user, ctx);
    return this.dto(ctx, row);
  }

  /**
   * The minutes' row, created on first use with the fields from the meeting and its attendance; while editable
   * the fields are refreshed (the meeting or its attendance changed) and new agenda items get their sections.
   */
  async ensure(user: AuthUser, ctx: MinutesContext): Promise<MinutesEntity> {
    const repo = this.dataSource.getRepository(MinutesEntity);
    let row = await repo.findOneBy({ meetingId: ctx.meeting.id });
    if (!row) {
      if (ctx.meeting.status === 'cancelled') throw Conflict('minutes.meetingCancelled');
      const fields = await this.fields(user, ctx, {});
      const doc = new Y.Doc();
      ensureSections(doc, ctx.meeting.agenda);
      await repo
        .createQueryBuilder()
        .insert()
        .values({
          meetingId: ctx.meeting.id,
          unitId: ctx.meeting.unitId,
          status: 'draft',
          fields,
          absenceReasons: {},
          ydoc: Buffer.from(Y.encodeStateAsUpdate(doc)),
        })
        .orIgnore()
        .execute();
      await this.refreshSearch(this.dataSource.manager, ctx.meeting.id);
      row = await repo.findOneByOrFail({ meetingId: ctx.meeting.id });
    } else if (minutesEditable(row.status) && ctx.meeting.status !== 'cancelled') {
      const fields = await this.fields(user, ctx, row.absenceReasons);
      if (JSON.stringify(fields) !== JSON.stringify(row.fields)) {
        await repo.update({ meetingId: row.meetingId }, { fields });
        await this.refreshSearch(this.dataSource.manager, row.meetingId);
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

  private async refreshSearch(em: EntityManager, meetingId: string): Promise<void> {
    await em.query(
      `UPDATE "minutes" SET "search_text" = ${searchTextSql('"content_text"', '"resolutions_text"')}
       WHERE "meeting_id" = $1`,
      [meetingId],
    );
  }

  /** The fields nobody types, from the meeting and its attendance (read through the attendance service). */
  async fields(
    user: AuthUser,
    ctx: MinutesContext,
    absenceReasons: Record<string, string>,
    em: EntityManager = this.dataSource.manager,
  ): Promise<MinutesFields> {
    const m = ctx.meeting;
    const attendance = await this.attendance.forMeeting(user, m.id);
    const people = await this.names(em, [m.hostId, m.recorderId]);
    const observers = await em
      .getRepository(MeetingAttendeeEntity)
      .createQueryBuilder('a')
      .innerJoin(UserEntity, 'u', 'u.id = a.user_id')
      .select(['a.user_id AS "userId"', 'u.name AS name'])
      .where(`a.meeting_id = :id AND a.kind = 'observer'`, { id: m.id })
      .orderBy('u.name', 'ASC')
      .getRawMany<MinutesPerson>();
    const leaves = await em
      .getRepository(LeaveRequestEntity)
      .find({ where: { meetingId: m.id, status: 'approved' }, order: { createdAt: 'ASC' } });
    const type = m.type as MeetingType;
    const period = periodOf(type, m.startedAt);
    const [{ n }]: { n: string }[] = await em.query(
      `SELECT count(*) AS n FROM "meeting"
       WHERE "unit_id" = $1 AND "type" = $2 AND "status" <> 'cancelled'
         AND "group_id" IS NOT DISTINCT FROM $3
         AND "started_at" >= $4 AND ("started_at" < $5 OR ("started_at" = $5 AND "id" <= $6))`,
      [m.unitId, m.type, m.groupId, period.start, m.startedAt, m.id],
    );
    const person = (id: string | null) => (id ? { userId: id, name: people.get(id) ?? '' } : null);
    return buildFields({
      meeting: { ...m, type },
      unitName: ctx.unit.name,
      host: person(m.hostId),
      recorder: person(m.recorderId),
      ordinal: Math.max(1, Number(n)),
      attendance,
      observers,
      leaveReasons: new Map(leaves.map((l) => [l.userId, l.reason])),
      absenceReasons,
    });
  }

  private async names(em: EntityManager, ids: (string | null)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((id): id is string => !!id))];
    if (!wanted.length) return new Map();
    const users = await em
      .getRepository(UserEntity)
      .find({ where: { id: In(wanted) }, select: { id: true, name: true } });
    return new Map(users.map((u) => [u.id, u.name]));
  }

  /** The record as it stands: fields, the written texts (from the live document), votes, attachments, sign-offs. */
  async document(row: MinutesEntity, em: EntityManager = this.dataSource.manager): Promise<MinutesDocument> {
    const { sections, resolutions } = await this.docs.read(row.meetingId, (doc) => ({
      sections: readSections(doc),
      resolutions: resolutionsOf(doc).toString(),
    }));
    return this.documentFrom(row, sections, resolutions, em);
  }

  private async documentFrom(
    row: MinutesEntity,
    sections: MinutesDocument['sections'],
    resolutions: string,
    em: EntityManager,
  ): Promise<MinutesDocument> {
    const [votes, attachments] = await Promise.all([
      this.votes.list(row.meetingId, em),
      em.getRepository(MinutesAttachmentEntity).find({
        where: { meetingId: row.meetingId },
        order: { uploadedAt: 'ASC' },
        select: { filename: true },
      }),
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

  private async dto(ctx: MinutesContext, row: MinutesEntity): Promise<Minutes> {
    const doc = await this.document(row);
    const files = await this.attachments(row.meetingId);
    const people = await this.names(this.dataSource.manager, [row.submittedBy, row.reviewedBy]);
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

  // ── what people type and sign ────────────────────────────────────────────────────────────────────────────
  /** The reasons of absent members (缺席原因). Only for people the attendance counts as absent. Audited. */
  async update(user: AuthUser, meetingId: string, body: UpdateMinutesRequest): Promise<Minutes> {
    const ctx = await this.context(user, meetingId);
    let row = await this.ensure(user, ctx);
    if (!this.permissions(ctx, row.status).editFields) {
      if (!minutesEditable(row.status)) throw lockedError(row.status);
      throw Forbidden('minutes.recorderOrManager');
    }
    const absent = new Map(row.fields.absentNames.map((p) => [p.userId, p.name]));
    for (const userId of Object.keys(body.absenceReasons))
      if (!absent.has(userId))
        throw new DomainError(ErrorCodes.validation, 400, 'minutes.notAbsent', { name: userId });
    row = await this.dataSource.transaction(async (em) => {
      const locked = await this.lock(em, meetingId);
      if (!minutesEditable(locked.status)) throw lockedError(locked.status);
      const before = locked.absenceReasons;
      const reasons = { ...before };
      for (const [userId, reason] of Object.entries(body.absenceReasons)) {
        if (reason) reasons[userId] = reason;
        else delete reasons[userId];
      }
      const fields = await this.fields(user, ctx, reasons, em);
      await em.update(MinutesEntity, { meetingId }, { absenceReasons: reasons, fields });
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
    const name = (await this.names(this.dataSource.manager, [user.id])).get(user.id) ?? '';
    const signature = { userId: user.id, name, at: new Date().toISOString() };
    const saved = await this.dataSource.transaction(async (em) => {
      const locked = await this.lock(em, meetingId);
      if (!minutesEditable(locked.status)) throw lockedError(locked.status);
      const patch: Partial<MinutesEntity> = {};
      if (ctx.isHost) patch.hostSignature = signature;
      if (ctx.isRecorder) patch.recorderSignature = signature;
      await em.update(MinutesEntity, { meetingId }, patch);
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

  // ── review ───────────────────────────────────────────────────────────────────────────────────────────────
  /**
   * Submits the minutes for review (the recorder or a manager of the branch, after the meeting): the fields are
   * refreshed one last time and frozen, the whole record is kept as a new revision. Content can no longer be
   * written. Audited.
   */
  async submit(user: AuthUser, meetingId: string): Promise<Minutes> {
    const ctx = await this.context(user, meetingId);
    const row = await this.ensure(user, ctx);
    const can = this.permissions(ctx, row.status);
    if (!can.submit) {
      if (!minutesEditable(row.status)) throw lockedError(row.status);
      if (!ctx.isRecorder && !allows(ctx.relation, 'minutes.submit'))
        throw Forbidden('minutes.recorderOrManager');
      throw Conflict(ctx.meeting.status === 'live' ? 'minutes.stillLive' : 'minutes.notStarted');
    }
    const saved = await this.docs.exclusive(meetingId, (t) =>
      this.dataSource.transaction(async (em) => {
        const locked = await this.lock(em, meetingId);
        if (!minutesEditable(locked.status)) throw lockedError(locked.status);
        if (await this.votes.hasOpenVote(meetingId, em)) throw Conflict('vote.stillOpen');
        await t.flush(em);
        const fields = await this.fields(user, ctx, locked.absenceReasons, em);
        const current = { ...locked, fields };
        const document = await this.documentFrom(
          current,
          readSections(t.doc),
          resolutionsOf(t.doc).toString(),
          em,
        );
        const number = locked.revision + 1;
        await this.saveRevision(em, meetingId, number, 'submission', null, document, user.id);
        const now = new Date();
        const patch: Partial<MinutesEntity> = {
          status: 'submitted',
          fields,
          revision: number,
          submittedBy: user.id,
          submittedAt: now,
          reviewedBy: null,
          reviewedAt: null,
          reviewReason: null,
        };
        await em.update(MinutesEntity, { meetingId }, patch);
        await this.refreshSearch(em, meetingId);
        await this.audit.append(em, {
          actorId: user.id,
          action: 'minutes.submit',
          entityType: 'minutes',
          entityId: meetingId,
          unitId: ctx.meeting.unitId,
          before: { status: locked.status, revision: locked.revision },
          after: { status: 'submitted', revision: number },
        });
        return { ...current, ...patch };
      }),
    );
    this.changed(meetingId, 'submitted');
    await this.notifier.changed(ctx.meeting, user.id, 'submitted', null);
    return this.dto(ctx, saved);
  }

  /** The upper level approves: the minutes are locked. Audited. */
  async approve(user: AuthUser, meetingId: string, body: ApproveMinutesRequest): Promise<Minutes> {
    return this.review(user, meetingId, 'approved', body.comment ?? null);
  }

  /** The upper level returns the minutes with a reason: the branch edits and submits again. Audited. */
  async returnMinutes(user: AuthUser, meetingId: string, body: ReturnMinutesRequest): Promise<Minutes> {
    return this.review(user, meetingId, 'returned', body.reason);
  }

  private async review(
    user: AuthUser,
    meetingId: string,
    status: 'approved' | 'returned',
    reason: string | null,
  ): Promise<Minutes> {
    const ctx = await this.context(user, meetingId, 'minutes.review');
    const existing = await this.dataSource.getRepository(MinutesEntity).findOneBy({ meetingId });
    if (!existing) throw Conflict('minutes.notSubmitted');
    const saved = await this.docs.exclusive(meetingId, () =>
      this.dataSource.transaction(async (em) => {
        const locked = await this.lock(em, meetingId);
        if (locked.status !== 'submitted') throw Conflict('minutes.notSubmitted');
        const patch: Partial<MinutesEntity> = {
          status,
          reviewedBy: user.id,
          reviewedAt: new Date(),
          reviewReason: status === 'returned' ? reason : null,
        };
        await em.update(MinutesEntity, { meetingId }, patch);
        await this.audit.append(em, {
          actorId: user.id,
          action: status === 'approved' ? 'minutes.approve' : 'minutes.return',
          entityType: 'minutes',
          entityId: meetingId,
          unitId: ctx.meeting.unitId,
          before: { status: 'submitted', revision: locked.revision },
          after: {
            status,
            revision: locked.revision,
            ...(reason ? { [status === 'approved' ? 'comment' : 'reason']: reason } : {}),
          },
        });
        return { ...locked, ...patch };
      }),
    );
    this.changed(meetingId, status);
    await this.notifier.changed(ctx.meeting, user.id, status, reason);
    return this.dto(ctx, saved);
  }

  /**
   * A correction of approved minutes (a manager of the branch): the corrected texts replace the old ones with the
   * smallest edit, the record becomes a new revision with the reason, and goes to the upper level again.
   * Nothing else can change approved minutes. Audited.
   */
  async correct(user: AuthUser, meetingId: string, body: CorrectMinutesRequest): Promise<Minutes> {
    const ctx = await this.context(user, meetingId, 'minutes.correct');
    const existing = await this.dataSource.getRepository(MinutesEntity).findOneBy({ meetingId });
    if (!existing || existing.status !== 'approved') throw Conflict('minutes.notApproved');
    const saved = await this.docs.exclusive(meetingId, (t) =>
      this.dataSource.transaction(async (em) => {
        const locked = await this.lock(em, meetingId);
        if (locked.status !== 'approved') throw Conflict('minutes.notApproved');
        const sections = new Map(
          sectionsOf(t.doc)
            .toArray()
            .map((s) => [String(s.get('key')), s]),
        );
        for (const s of body.sections ?? [])
          if (!sections.has(s.key))
            throw new DomainError(ErrorCodes.validation, 400, 'minutes.unknownSection', { key: s.key });
        const before = readSections(t.doc);
        const beforeResolutions = resolutionsOf(t.doc).toString();
        await t.change(() => {
          for (const s of body.sections ?? []) replaceText(textOf(sections.get(s.key)!), s.text);
          if (body.resolutions !== undefined) replaceText(resolutionsOf(t.doc), body.resolutions);
        }, em);
        const after = readSections(t.doc);
        const afterResolutions = resolutionsOf(t.doc).toString();
        if (JSON.stringify(after) === JSON.stringify(before) && afterResolutions === beforeResolutions)
          throw new DomainError(ErrorCodes.validation, 400, 'minutes.nothingCorrected');
        await t.flush(em);
        const document = await this.documentFrom(locked, after, afterResolutions, em);
        const number = locked.revision + 1;
        await this.saveRevision(em, meetingId, number, 'correction', body.reason, document, user.id);
        const patch: Partial<MinutesEntity> = {
          status: 'submitted',
          revision: number,
          submittedBy: user.id,
          submittedAt: new Date(),
          reviewedBy: null,
          reviewedAt: null,
          reviewReason: body.reason,
        };
        await em.update(MinutesEntity, { meetingId }, patch);
        const changedKeys = after.filter((s, i) => s.text !== before[i]?.text).map((s) => s.key);
        await this.audit.append(em, {
          actorId: user.id,
          action: 'minutes.correct',
          entityType: 'minutes',
          entityId: meetingId,
          unitId: ctx.meeting.unitId,
          before: { status: 'approved', revision: locked.revision },
          after: {
            status: 'submitted',
            revision: number,
            reason: body.reason,
            sections: changedKeys,
            resolutions: afterResolutions !== beforeResolutions,
          },
        });
        return { ...locked, ...patch };
      }),
    );
    this.changed(meetingId, 'submitted');
    await this.notifier.changed(ctx.meeting, user.id, 'submitted', null);
    return this.dto(ctx, saved);
  }

  private async saveRevision(
    em: EntityManager,
    meetingId: string,
    number: number,
    kind: 'submission' | 'correction',
    reason: string | null,
    document: MinutesDocument,
    userId: string,
  ): Promise<void> {
    await em.insert(MinutesRevisionEntity, {
      meetingId,
      number,
      kind,
      reason,
      document,
      text: minutesText(document),
      createdBy: userId,
    });
  }

  private async lock(em: EntityManager, meetingId: string): Promise<MinutesEntity> {
    const row = await em.findOne(MinutesEntity, {
      where: { meetingId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!row) throw NotFound('notFound.minutes');
    return row;
  }

  private changed(meetingId: string, status: MinutesStatus): void {
    this.hub.toReaders(meetingId, 'minutes.changed', { meetingId, status });
  }

  // ── revisions ────────────────────────────────────────────────────────────────────────────────────────────
  async revisions(user: AuthUser, meetingId: string): Promise<MinutesRevisionSummary[]> {
    await this.context(user, meetingId);
    const rows = await this.dataSource.getRepository(MinutesRevisionEntity).find({
      where: { meetingId },
      order: { number: 'ASC' },
      select: { number: true, kind: true, reason: true, createdBy: true, createdAt: true, meetingId: true },
    });
    const people = await this.names(
      this.dataSource.manager,
      rows.map((r) => r.createdBy),
    );
    return rows.map((r) => this.revisionSummary(r, people));
  }

  /** One revision, whole, with its line diff against the revision before it. */
  async revision(user: AuthUser, meetingId: string, number: number): Promise<MinutesRevisionDetail> {
    await this.context(user, meetingId);
    const repo = this.dataSource.getRepository(MinutesRevisionEntity);
    const row = await repo.findOneBy({ meetingId, number });
    if (!row) throw NotFound('notFound.revision');
    const previous = number > 1 ? await repo.findOneBy({ meetingId, number: number - 1 }) : null;
    const diff: DiffPart[] = diffLines(previous?.text ?? '', row.text).map((p) => ({
      value: p.value,
      added: !!p.added,
      removed: !!p.removed,
    }));
    const people = await this.names(this.dataSource.manager, [row.createdBy]);
    return { ...this.revisionSummary(row, people), document: row.document, text: row.text, diff };
  }

  private revisionSummary(r: MinutesRevisionEntity, people: Map<string, string>): MinutesRevisionSummary {
    return {
      number: r.number,
      kind: r.kind,
      reason: r.reason,
      createdBy: people.get(r.createdBy) ?? '',
      createdAt: r.createdAt.toISOString(),
    };
  }

  // ── the approval inbox ───────────────────────────────────────────────────────────────────────────────────
  /** Submitted minutes of the branches below the units whose secretary the caller is. */
  async inbox(user: AuthUser): Promise<MinutesListItem[]> {
    const units = (await this.access.visibleUnits(user)).filter(
      (u) => u.unit.type === 'branch' && allows(u.relation, 'minutes.review'),
    );
    if (!units.length) return [];
    const rows = await this.dataSource
      .getRepository(MinutesEntity)
      .createQueryBuilder('m')
      .innerJoin(MeetingEntity, 'mt', 'mt.id = m.meeting_id')
      .where('m.unit_id IN (:...ids)', { ids: units.map((u) => u.unit.id) })
      .andWhere(`m.status = 'submitted'`)
      .orderBy('m.submitted_at', 'ASC')
      .select([
        'm.meeting_id AS "meetingId"',
        'm.unit_id AS "unitId"',
        'mt.type AS "meetingType"',
        'mt.title AS title',
        'mt.started_at AS "startedAt"',
        'm.status AS status',
        'm.revision AS revision',
        'm.submitted_at AS "submittedAt"',
        'm.review_reason AS "reason"',
        'm.content_text AS "content"',
      ])
      .getRawMany<{
        meetingId: string;
        unitId: string;
        meetingType: MeetingType;
        title: string;
        startedAt: Date;
        status: MinutesStatus;
        revision: number;
        submittedAt: Date | null;
        reason: string | null;
        content: string;
      }>();
    const names = new Map(units.map((u) => [u.unit.id, u.unit.name]));
    return rows.map((r) => ({
      meetingId: r.meetingId,
      unitId: r.unitId,
      unitName: names.get(r.unitId) ?? '',
      meetingType: r.meetingType,
      title: r.title,
      startedAt: r.startedAt.toISOString(),
      status: r.status,
      revision: r.revision,
      submittedAt: r.submittedAt?.toISOString() ?? null,
      snippet: (r.reason ? `更正：${r.reason}` : r.content).slice(0, 80),
    }));
  }

  // ── attachments ──────────────────────────────────────────────────────────────────────────────────────────
  async attachments(meetingId: string): Promise<MinutesAttachment[]> {
    const rows = await this.dataSource.getRepository(MinutesAttachmentEntity).find({
      where: { meetingId },
      order: { uploadedAt: 'ASC' },
    });
    const people = await this.names(
      this.dataSource.manager,
      rows.map((r) => r.uploadedBy),
    );
    return rows.map((r) => ({
      id: r.id,
      filename: r.filename,
      contentType: r.contentType,
      size: r.size,
      uploadedBy: people.get(r.uploadedBy) ?? '',
      uploadedAt: r.uploadedAt.toISOString(),
    }));
  }

  async addAttachment(
    user: AuthUser,
    meetingId: string,
    file: { originalname: string; mimetype: string; buffer: Buffer } | undefined,
  ): Promise<MinutesAttachment> {
    const ctx = await this.context(user, meetingId);
    const row = await this.ensure(user, ctx);
    if (!this.permissions(ctx, row.status).editFields) {
      if (!minutesEditable(row.status)) throw lockedError(row.status);
      throw Forbidden('minutes.recorderOrManager');
    }
    if (!file) throw new DomainError(ErrorCodes.validation, 400, 'minutes.attachmentMissing');
    if (file.buffer.length > MINUTES_ATTACHMENT_MAX_BYTES)
      throw new DomainError('payload_too_large', 413, 'minutes.attachmentTooLarge', {
        max: MINUTES_ATTACHMENT_MAX_BYTES / 1024 / 1024,
      });
    // Multer reads the name as latin1; browsers send UTF-8.
    const filename = Buffer.from(file.originalname, 'latin1').toString('utf8').slice(0, 255);
    const id = await this.dataSource.transaction(async (em) => {
      const locked = await this.lock(em, meetingId);
      if (!minutesEditable(locked.status)) throw lockedError(locked.status);
      const saved = await em.save(
        em.create(MinutesAttachmentEntity, {
          meetingId,
          filename,
          contentType: (file.mimetype || 'application/octet-stream').slice(0, 100),
          size: file.buffer.length,
          data: file.buffer,
          uploadedBy: user.id,
        }),
      );
      await this.audit.append(em, {
        actorId: user.id,
        action: 'minutes.attachment_add',
        entityType: 'minutes',
        entityId: meetingId,
        unitId: ctx.meeting.unitId,
        after: { attachmentId: saved.id, filename, size: saved.size },
      });
      return saved.id;
    });
    return (await this.attachments(meetingId)).find((a) => a.id === id)!;
  }

  async attachmentFile(
    user: AuthUser,
    meetingId: string,
    attachmentId: string,
  ): Promise<{ filename: string; contentType: string; data: Buffer }> {
    await this.context(user, meetingId);
    const row = await this.dataSource.getRepository(MinutesAttachmentEntity).findOne({
      where: { id: attachmentId, meetingId },
      select: { id: true, filename: true, contentType: true, data: true },
    });
    if (!row) throw NotFound('notFound.attachment');
    return { filename: row.filename, contentType: row.contentType, data: row.data };
  }

  async removeAttachment(user: AuthUser, meetingId: string, attachmentId: string): Promise<void> {
    const ctx = await this.context(user, meetingId);
    const row = await this.ensure(user, ctx);
    if (!this.permissions(ctx, row.status).editFields) {
      if (!minutesEditable(row.status)) throw lockedError(row.status);
      throw Forbidden('minutes.recorderOrManager');
    }
    await this.dataSource.transaction(async (em) => {
      const locked = await this.lock(em, meetingId);
      if (!minutesEditable(locked.status)) throw lockedError(locked.status);
      const found = await em.findOne(MinutesAttachmentEntity, {
        where: { id: attachmentId, meetingId },
        select: { id: true, filename: true },
      });
      if (!found) throw NotFound('notFound.attachment');
      await em.delete(MinutesAttachmentEntity, { id: attachmentId });
      await this.audit.append(em, {
        actorId: user.id,
        action: 'minutes.attachment_remove',
        entityType: 'minutes',
        entityId: meetingId,
        unitId: ctx.meeting.unitId,
        before: { attachmentId, filename: found.filename },
      });
    });
  }
}
