import { Inject, Injectable } from '@nestjs/common';
import {
  type AttendanceRecord as AttendanceRecordDto,
  type AttendeeKind,
  type MeetingAttendance,
} from '@branchmeet/shared';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Conflict, NotFound } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MeetingDirectory } from '../meetings/meeting-directory.service';
import { OrgDirectory } from '../orgs/access.service';
import { attendanceCounts, type AttendanceCounts } from './attendance-counts';
import { correctionView, effectiveStatus, type StoredCorrection } from './attendance-corrections';
import type { AttendanceRules, AttendanceStatus } from './attendance-rules';
import {
  computeSets,
  finalSetsOf,
  guestPresence,
  recordsToStore,
  recordView,
  sameRecord,
  type Computed,
  type FinalSet,
  type MeetingRef,
  type PersonRecord,
} from './attendance-sets';
import { AttendanceRepository } from './attendance.repository';
import { restatus } from './compute-attendance';

export type { PersonRecord } from './attendance-sets';

/** What made AttendanceService.recompute run; `actorId` is who caused it (null: the system). */
export type RecomputeCause =
  /** A branch's managers changed its rules: the meeting's records are recomputed with `rules`. */
  | { kind: 'rules'; actorId: string; rules: AttendanceRules }
  /** A leave request of the meeting was decided (approved leave excuses an absent member). */
  | { kind: 'leave'; actorId: string; leaveRequestId: string }
  /** `userId` completed the make-up study (补学) of the meeting at `completedAt`. */
  | { kind: 'make_up'; actorId: string | null; userId: string; completedAt: Date }
  /** A manager corrected `userId`'s status, with a reason: stored beside the computed record, which stays. */
  | { kind: 'correction'; actorId: string; userId: string; status: AttendanceStatus; reason: string };

export interface RecomputeResult {
  meetingId: string;
  /** Records whose values changed (status, times, counts). */
  changed: number;
  records: PersonRecord[];
  /** Corrections of the meeting, kept as they were (the records are computed; the corrections stay beside). */
  correctionsKept: number;
}

/**
 * Attendance of meetings, from their presence segments, by the branch's rules:
 * - while a meeting is live its records are computed on read, up to now;
 * - when it ends (MeetingsService.end, in the same transaction) they are computed once and stored: FINAL;
 * - a final record set changes only through `recompute(meetingId, cause)`: a rule change, a leave decision,
 *   or a completed make-up study — the one mechanism, each run audited with the changed records before and after.
 * Expected attendees (应到) and observers (列席) are the people the meeting listed when it was scheduled or
 * opened (the branch roster for meetings from before attendees were recorded), in roster order.
 */
@Injectable()
export class AttendanceService {
  constructor(
    private readonly repo: AttendanceRepository,
    private readonly meetings: MeetingDirectory,
    private readonly orgs: OrgDirectory,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG)
    private readonly config: Pick<
      AppConfig,
      'ATTENDANCE_LATE_AFTER_MINUTES' | 'ATTENDANCE_PRESENT_MIN_PERCENT'
    >,
  ) {}

  /** The server's default rules (a branch that has set none uses them). */
  rules(): AttendanceRules {
    return {
      lateAfterMinutes: this.config.ATTENDANCE_LATE_AFTER_MINUTES,
      presentMinPercent: this.config.ATTENDANCE_PRESENT_MIN_PERCENT,
    };
  }

  /** The current rules of each unit (its own, else the defaults). */
  async rulesOf(em: EntityManager, unitIds: string[]): Promise<Map<string, AttendanceRules>> {
    const own = await this.repo.ownRules(em, unitIds);
    return new Map(unitIds.map((id) => [id, own.get(id) ?? this.rules()]));
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────────────────────
  async forMeeting(user: AuthUser, meetingId: string, now = new Date()): Promise<MeetingAttendance> {
    const { meeting } = await this.meetings.authorise(user, meetingId, 'attendance.read');
    const ref: MeetingRef = meeting;
    const em = this.repo.manager;
    let set: { rules: AttendanceRules; expected: PersonRecord[]; observers: PersonRecord[] };
    let end: Date;
    if (meeting.status === 'ended' && meeting.endedAt) {
      end = meeting.endedAt;
      const finals = await this.finalSets(em, [meeting.id]);
      let final = finals.get(meeting.id);
      if (!final) {
        await this.repo.transaction((tx) => this.finalize(tx, [meeting.id]));
        final = (await this.finalSets(em, [meeting.id])).get(meeting.id);
      }
      if (!final) throw new Error(`meeting ${meeting.id}: no final attendance after finalising it`);
      set = final;
    } else {
      end = meeting.endedAt ?? now;
      const rules = (await this.rulesOf(em, [meeting.unitId])).get(meeting.unitId) ?? this.rules();
      const [computed] = await this.computeMany(
        em,
        [ref],
        () => rules,
        () => end,
      );
      set = computed;
    }
    const noMedia = await this.repo.noMediaSeconds(em, meeting.id, end);
    const withHealth = (r: PersonRecord): AttendanceRecordDto => ({
      ...recordView(r),
      noMediaSeconds: noMedia.get(r.userId) ?? 0,
      ...(r.correction
        ? { status: r.correction.status, computedStatus: r.status, correction: correctionView(r.correction) }
        : { correction: null }),
    });
    return {
      meetingId,
      status: meeting.status,
      startedAt: meeting.startedAt.toISOString(),
      endedAt: meeting.endedAt?.toISOString() ?? null,
      durationSeconds: Math.max(0, Math.round((end.getTime() - meeting.startedAt.getTime()) / 1000)),
      rules: set.rules,
      final: meeting.status === 'ended',
      records: set.expected.map(withHealth),
      observers: set.observers.map(withHealth),
      guests: await this.guestsOf(em, ref, end),
    };
  }

  /**
   * The final records (expected members, in order) of ended meetings, for statistics and the ledger; ended
   * meetings that have none yet (ended before records were stored, or written straight into the database) are
   * finalised first.
   */
  async finalRecords(meetingIds: string[]): Promise<Map<string, PersonRecord[]>> {
    const em = this.repo.manager;
    let sets = await this.finalSets(em, meetingIds, ['expected']);
    const missing = meetingIds.filter((id) => !sets.has(id));
    if (missing.length > 0) {
      await this.repo.transaction((tx) => this.finalize(tx, missing));
      sets = await this.finalSets(em, meetingIds, ['expected']);
    }
    // Where a status counts, a correction wins.
    return new Map(
      [...sets].map(([id, s]) => [id, s.expected.map((r) => ({ ...r, status: effectiveStatus(r) }))]),
    );
  }

  /** One person's stored record of an ended meeting as computed (no correction applied), if it is final. */
  storedRecord(em: EntityManager, meetingId: string, userId: string) {
    return this.repo.recordOf(em, meetingId, userId);
  }

  /** The stored record sets of these meetings (those that have one). */
  private async finalSets(
    em: EntityManager,
    meetingIds: string[],
    kinds: AttendeeKind[] = ['expected', 'observer'],
  ): Promise<Map<string, FinalSet>> {
    if (meetingIds.length === 0) return new Map();
    const heads = await this.repo.finalHeads(em, meetingIds);
    if (heads.length === 0) return new Map();
    const ids = heads.map((h) => h.meeting_id);
    const rows = await this.repo.finalRows(em, ids, kinds);
    return finalSetsOf(heads, rows, await this.repo.corrections(em, ids));
  }

  // ── finalising and recomputing ──────────────────────────────────────────────────────────────────────────
  /**
   * Computes and stores the final records of ended meetings that have none (in the caller's transaction; the
   * meeting's end calls it). Idempotent: a meeting already final is left as it is, also against a concurrent
   * finaliser (the first one's row wins). Returns the counts of the meetings it finalised.
   */
  async finalize(em: EntityManager, meetingIds: string[]): Promise<Map<string, AttendanceCounts>> {
    const out = new Map<string, AttendanceCounts>();
    if (meetingIds.length === 0) return out;
    const ended = await this.meetings.ended(meetingIds, em);
    const final = new Set(
      (
        await this.repo.finalHeads(
          em,
          ended.map((m) => m.id),
        )
      ).map((h) => h.meeting_id),
    );
    const meetings: MeetingRef[] = ended.filter((m) => !final.has(m.id));
    const rules = await this.rulesOf(em, [...new Set(meetings.map((m) => m.unitId))]);
    const computed = await this.computeMany(
      em,
      meetings,
      (m) => rules.get(m.unitId) ?? this.rules(),
      (m) => m.endedAt ?? m.startedAt,
    );
    const mine = await this.repo.claimFinal(
      em,
      computed.map((c) => ({ meetingId: c.meeting.id, rules: c.rules })),
      new Date(),
    );
    const fresh = computed.filter((c) => mine.has(c.meeting.id));
    await this.repo.insertRecords(em, recordsToStore(fresh));
    for (const c of fresh) out.set(c.meeting.id, attendanceCounts(c.expected));
    return out;
  }

  /**
   * THE way a final record set changes: derives an ended meeting's statuses again for `cause` from the
   * presence facts stored at its end (first join, last leave, joins, time: those never change) and stores them,
   * audited (`attendance.recompute`: the cause, the rules, and every changed record before and after). A rule
   * change recomputes with the new rules; a leave decision or a make-up study with the rules the records were
   * computed by. Approved leave is read as it is now; make-up completions already recorded are kept. Runs in `em`'s transaction when given.
   * Returns null for a meeting that has not ended (its records are still computed on read), except that a
   * make-up study of such a meeting is refused (409): it can only make up a meeting that took place.
   */
  async recompute(
    meetingId: string,
    cause: RecomputeCause,
    em?: EntityManager,
  ): Promise<RecomputeResult | null> {
    const run = async (tx: EntityManager): Promise<RecomputeResult | null> => {
      const meeting = await this.meetings.lock(meetingId, tx);
      if (!meeting) throw NotFound('notFound.meeting');
      if (meeting.status !== 'ended' || !meeting.endedAt) {
        if (cause.kind === 'make_up') throw Conflict('attendance.notEnded');
        if (cause.kind === 'correction') throw Conflict('attendance.correctNotEnded');
        return null;
      }
      await this.finalize(tx, [meeting.id]);
      const before = (await this.finalSets(tx, [meeting.id])).get(meeting.id);
      if (!before) throw new Error(`meeting ${meeting.id}: no final attendance after finalising it`);
      let replaced: StoredCorrection | null = null;
      if (cause.kind === 'correction') {
        const target = cause.userId;
        if (![...before.expected, ...before.observers].some((r) => r.userId === target))
          throw NotFound('notFound.attendanceRecord');
        replaced = await this.repo.upsertCorrection(tx, meeting.id, cause);
      }
      const rules = cause.kind === 'rules' ? cause.rules : before.rules;
      const makeUps = [...before.expected, ...before.observers]
        .filter((r) => r.makeUpAt)
        .map((r) => ({ userId: r.userId, at: r.makeUpAt as Date }));
      if (cause.kind === 'make_up') makeUps.push({ userId: cause.userId, at: cause.completedAt });
      // From the stored presence facts: what presence established at the end stays; only statuses follow.
      const leaves = await this.meetings.approvedLeaves([meeting.id], tx);
      const ctx = { start: meeting.startedAt, end: meeting.endedAt, rules, makeUp: makeUps };
      const again = (list: PersonRecord[], excused: string[]): PersonRecord[] => {
        const byId = new Map(list.map((r) => [r.userId, r]));
        return restatus(list, { ...ctx, excused }).map((r) => ({
          ...r,
          name: byId.get(r.userId)?.name ?? '',
          kind: byId.get(r.userId)?.kind ?? 'expected',
        }));
      };
      const after: Computed = {
        meeting,
        rules,
        expected: again(
          before.expected,
          leaves.map((l) => l.user_id),
        ),
        observers: again(before.observers, []),
      };

      await this.repo.replaceFinal(tx, meeting.id, rules, cause.kind, recordsToStore([after]));

      const old = new Map([...before.expected, ...before.observers].map((r) => [r.userId, r]));
      const now = [...after.expected, ...after.observers];
      const changed = now.filter((r) => {
        const was = old.get(r.userId);
        return !was || !sameRecord(was, r);
      });
      const wasChanged = changed.flatMap((r) => {
        const was = old.get(r.userId);
        return was ? [was] : [];
      });
      const { kind, actorId, ...details } = cause;
      const correctionsKept = await this.repo.correctionCount(tx, meeting.id);
      await this.audit.append(tx, {
        actorId,
        action: 'attendance.recompute',
        entityType: 'meeting',
        entityId: meeting.id,
        unitId: meeting.unitId,
        before: {
          rules: before.rules,
          records: wasChanged.map(recordView),
          ...(kind === 'correction' ? { correction: replaced ? correctionView(replaced) : null } : {}),
        },
        after: {
          cause: kind,
          ...('rules' in details ? {} : details),
          rules,
          records: changed.map(recordView),
          // Said every time: the corrections stand beside the recomputed records, untouched.
          correctionsKept,
        },
      });
      return { meetingId: meeting.id, changed: changed.length, records: now, correctionsKept };
    };
    return em ? run(em) : this.repo.transaction(run);
  }

  // ── computing ───────────────────────────────────────────────────────────────────────────────────────────
  /** The records of several meetings at once, one query per table: attendees, rosters, segments, leave. */
  private async computeMany(
    em: EntityManager,
    meetings: MeetingRef[],
    rulesFor: (m: MeetingRef) => AttendanceRules,
    endOf: (m: MeetingRef) => Date,
  ): Promise<Computed[]> {
    if (meetings.length === 0) return [];
    const ids = meetings.map((m) => m.id);
    // One after another: `em` may be a transaction's (one connection).
    const attendees = await this.meetings.attendees(ids, em);
    const rosters = await this.orgs.rosters([...new Set(meetings.map((m) => m.unitId))], em);
    const segments = await this.repo.memberSegments(em, ids);
    const leaves = await this.meetings.approvedLeaves(ids, em);
    return computeSets(meetings, { attendees, rosters, segments, leaves }, rulesFor, endOf);
  }

  /** Guests who came in by an invite link: their presence merged like a member's (never counted). */
  private async guestsOf(em: EntityManager, m: MeetingRef, end: Date) {
    const segments = await this.repo.guestSegments(em, m.id);
    if (segments.length === 0) return [];
    const names = await this.meetings.guestNames([...new Set(segments.map((s) => s.guest_id))], em);
    return guestPresence(m, end, this.rules(), segments, names);
  }
}
