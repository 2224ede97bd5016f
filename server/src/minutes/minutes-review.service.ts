import { Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  minutesEditable,
  type ApproveMinutesRequest,
  type CorrectMinutesRequest,
  type DiffPart,
  type Minutes,
  type MinutesDocument,
  type MinutesRevisionDetail,
  type MinutesRevisionSummary,
  type MinutesStatus,
  type ReturnMinutesRequest,
  allows,
} from '@branchmeet/shared';
import { diffLines } from 'diff';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { UserDirectory } from '../auth/user-directory.service';
import { Conflict, DomainError, Forbidden, NotFound } from '../common/domain-error';
import { SocketHub } from '../common/socket-hub';
import { readSections, replaceText, resolutionsOf, sectionsOf, textOf } from './minutes-doc';
import { MinutesDocService } from './minutes-doc.service';
import { MinutesNotifier } from './minutes-notifier';
import type { MinutesRevisionEntity } from './minutes-revision.entity';
import { minutesText } from './minutes-text';
import { MinutesVotesService } from './minutes-votes.service';
import type { MinutesEntity } from './minutes.entity';
import { MinutesRepository } from './minutes.repository';
import { lockedError, MinutesService } from './minutes.service';

/**
 * The review of minutes: draft → submitted → approved (locked) or returned with a reason → submitted again; a
 * correction of approved minutes is a new revision with a reason, reviewed again. Each submission and correction
 * keeps the whole record as a revision (with a line diff against the one before). Audited.
 */
@Injectable()
export class MinutesReviewService {
  constructor(
    private readonly minutes: MinutesService,
    private readonly repo: MinutesRepository,
    private readonly users: UserDirectory,
    private readonly audit: AuditService,
    private readonly docs: MinutesDocService,
    private readonly votes: MinutesVotesService,
    private readonly hub: SocketHub,
    private readonly notifier: MinutesNotifier,
  ) {}

  /**
   * Submits the minutes for review (the recorder or a manager of the branch, after the meeting): the fields are
   * refreshed one last time and frozen, the whole record is kept as a new revision. Content can no longer be
   * written. Audited.
   */
  async submit(user: AuthUser, meetingId: string): Promise<Minutes> {
    const ctx = await this.minutes.context(user, meetingId);
    const row = await this.minutes.ensure(user, ctx);
    const can = this.minutes.permissions(ctx, row.status);
    if (!can.submit) {
      if (!minutesEditable(row.status)) throw lockedError(row.status);
      if (!ctx.isRecorder && !allows(ctx.relation, 'minutes.submit'))
        throw Forbidden('minutes.recorderOrManager');
      throw Conflict(ctx.meeting.status === 'live' ? 'minutes.stillLive' : 'minutes.notStarted');
    }
    const saved = await this.docs.exclusive(meetingId, async (t) => {
      const { em } = t;
      const locked = await this.minutes.lock(em, meetingId);
      if (!minutesEditable(locked.status)) throw lockedError(locked.status);
      if (await this.votes.hasOpenVote(meetingId, em)) throw Conflict('vote.stillOpen');
      await t.flush();
      const fields = await this.minutes.fields(user, ctx, locked.absenceReasons, em);
      const current = { ...locked, fields };
      const document = await this.minutes.documentFrom(
        current,
        readSections(t.doc),
        resolutionsOf(t.doc).toString(),
        em,
      );
      const number = locked.revision + 1;
      await this.saveRevision(em, meetingId, number, 'submission', null, document, user.id);
      const patch: Partial<MinutesEntity> = {
        status: 'submitted',
        fields,
        revision: number,
        submittedBy: user.id,
        submittedAt: new Date(),
        reviewedBy: null,
        reviewedAt: null,
        reviewReason: null,
      };
      await this.repo.update(meetingId, patch, em);
      await this.repo.refreshSearch(meetingId, em);
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
    });
    this.changed(meetingId, 'submitted');
    await this.notifier.changed(ctx.meeting, user.id, 'submitted', null);
    return this.minutes.dto(ctx, saved);
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
    const ctx = await this.minutes.context(user, meetingId, 'minutes.review');
    const existing = await this.repo.find(meetingId);
    if (!existing) throw Conflict('minutes.notSubmitted');
    const saved = await this.docs.exclusive(meetingId, async ({ em }) => {
      const locked = await this.minutes.lock(em, meetingId);
      if (locked.status !== 'submitted') throw Conflict('minutes.notSubmitted');
      const patch: Partial<MinutesEntity> = {
        status,
        reviewedBy: user.id,
        reviewedAt: new Date(),
        reviewReason: status === 'returned' ? reason : null,
      };
      await this.repo.update(meetingId, patch, em);
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
    });
    this.changed(meetingId, status);
    await this.notifier.changed(ctx.meeting, user.id, status, reason);
    return this.minutes.dto(ctx, saved);
  }

  /**
   * A correction of approved minutes (a manager of the branch): the corrected texts replace the old ones with the
   * smallest edit, the record becomes a new revision with the reason, and goes to the upper level again.
   * Nothing else can change approved minutes. Audited.
   */
  async correct(user: AuthUser, meetingId: string, body: CorrectMinutesRequest): Promise<Minutes> {
    const ctx = await this.minutes.context(user, meetingId, 'minutes.correct');
    const existing = await this.repo.find(meetingId);
    if (!existing || existing.status !== 'approved') throw Conflict('minutes.notApproved');
    const saved = await this.docs.exclusive(meetingId, async (t) => {
      const { em } = t;
      const locked = await this.minutes.lock(em, meetingId);
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
      });
      const after = readSections(t.doc);
      const afterResolutions = resolutionsOf(t.doc).toString();
      if (JSON.stringify(after) === JSON.stringify(before) && afterResolutions === beforeResolutions)
        throw new DomainError(ErrorCodes.validation, 400, 'minutes.nothingCorrected');
      await t.flush();
      const document = await this.minutes.documentFrom(locked, after, afterResolutions, em);
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
      await this.repo.update(meetingId, patch, em);
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
    });
    this.changed(meetingId, 'submitted');
    await this.notifier.changed(ctx.meeting, user.id, 'submitted', null);
    return this.minutes.dto(ctx, saved);
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
    await this.repo.insertRevision(em, {
      meetingId,
      number,
      kind,
      reason,
      document,
      text: minutesText(document),
      createdBy: userId,
    });
  }

  private changed(meetingId: string, status: MinutesStatus): void {
    this.hub.toReaders(meetingId, 'minutes.changed', { meetingId, status });
  }

  // ── revisions ────────────────────────────────────────────────────────────────────────────────────────────
  async revisions(user: AuthUser, meetingId: string): Promise<MinutesRevisionSummary[]> {
    await this.minutes.context(user, meetingId);
    const rows = await this.repo.revisions(meetingId);
    const people = await this.users.names(rows.map((r) => r.createdBy));
    return rows.map((r) => revisionSummary(r, people));
  }

  /** One revision, whole, with its line diff against the revision before it. */
  async revision(user: AuthUser, meetingId: string, number: number): Promise<MinutesRevisionDetail> {
    await this.minutes.context(user, meetingId);
    const row = await this.repo.revision(meetingId, number);
    if (!row) throw NotFound('notFound.revision');
    const previous = number > 1 ? await this.repo.revision(meetingId, number - 1) : null;
    const diff: DiffPart[] = diffLines(previous?.text ?? '', row.text).map((p) => ({
      value: p.value,
      added: !!p.added,
      removed: !!p.removed,
    }));
    const people = await this.users.names([row.createdBy]);
    return { ...revisionSummary(row, people), document: row.document, text: row.text, diff };
  }
}

function revisionSummary(r: MinutesRevisionEntity, people: Map<string, string>): MinutesRevisionSummary {
  return {
    number: r.number,
    kind: r.kind,
    reason: r.reason,
    createdBy: people.get(r.createdBy) ?? '',
    createdAt: r.createdAt.toISOString(),
  };
}
