import { Inject, Injectable } from '@nestjs/common';
import {
  type AttendanceRecord as AttendanceRecordDto,
  type AttendeeKind,
  type GuestPresence,
  type MeetingAttendance,
} from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Conflict, NotFound } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { bulkInsert, type BulkColumn } from '../database/bulk-insert';
import { MeetingEntity } from '../meetings/meeting.entity';
import { AccessService } from '../orgs/access.service';
import { attendanceCounts, type AttendanceCounts } from './attendance-counts';
import { noMediaSeconds } from './media-health';
import {
  correctionCount,
  correctionsOf,
  correctionView,
  effectiveStatus,
  upsertCorrection,
  type StoredCorrection,
} from './attendance-corrections';
import type { AttendanceRules, AttendanceStatus } from './attendance-rules';
import { computeAttendance, restatus, type AttendanceRecord } from './compute-attendance';
import type { AttendanceCause } from './meeting-attendance.entity';

/** What made AttendanceService.recompute run; `actorId` is who caused it (null: the system). */
export type RecomputeCause =
  /** A branch's managers changed its rules: the meeting's records are recomputed with `rules`. */
  | { kind: 'rules'; actorId: string; rules: AttendanceRules }
  /** A leave request of the meeting was decided (approved leave excuses an absent member). */
  | { kind: 'leave'; actorId: string; leaveRequestId: string }
  /** `userId` completed the make-up study (补学) of the meeting at `completedAt` (issue 6 reports it). */
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

/** One person's computed record with their name. */
export interface PersonRecord extends AttendanceRecord {
  name: string;
  kind: AttendeeKind;
  /** A manager's correction (final records only); `status` stays the computed one. */
  correction?: StoredCorrection | null;
}

/** A meeting as the computation needs it. */
interface MeetingRef {
  id: string;
  unitId: string;
  status: string;
  startedAt: Date;
  endedAt: Date | null;
}

interface Computed {
  meeting: MeetingRef;
  rules: AttendanceRules;
  expected: PersonRecord[];
  observers: PersonRecord[];
}

interface FinalSet {
  rules: AttendanceRules;
  computedAt: Date;
  cause: AttendanceCause;
  expected: PersonRecord[];
  observers: PersonRecord[];
}

const recordColumns: BulkColumn<PersonRecord & { meetingId: string; position: number }>[] = [
  { name: 'meeting_id', type: 'uuid', value: (r) => r.meetingId },
  { name: 'user_id', type: 'uuid', value: (r) => r.userId },
  { name: 'kind', type: 'varchar', value: (r) => r.kind },
  { name: 'position', type: 'int', value: (r) => r.position },
  { name: 'first_join', type: 'timestamptz', value: (r) => r.firstJoin },
  { name: 'last_leave', type: 'timestamptz', value: (r) => r.lastLeave },
  { name: 'join_count', type: 'int', value: (r) => r.joinCount },
  { name: 'total_ms', type: 'bigint', value: (r) => r.totalMs },
  { name: 'status', type: 'varchar', value: (r) => r.status },
  { name: 'make_up_at', type: 'timestamptz', value: (r) => r.makeUpAt },
];

const iso = (d: Date | null) => d?.toISOString() ?? null;
/** A record as the API and the audit log show it. */
const recordView = (r: PersonRecord): AttendanceRecordDto => ({
  userId: r.userId,
  name: r.name,
  firstJoin: iso(r.firstJoin),
  lastLeave: iso(r.lastLeave),
  joinCount: r.joinCount,
  totalSeconds: r.totalSeconds,
  status: r.status,
  makeUpAt: iso(r.makeUpAt),
});
const sameRecord = (a: PersonRecord, b: PersonRecord) =>
  JSON.stringify(recordView(a)) === JSON.stringify(recordView(b));

function groupBy<T, K>(list: T[], key: (x: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const x of list) {
    const k = key(x);
    const l = map.get(k);
    if (l) l.push(x);
    else map.set(k, [x]);
  }
  return map;
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
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
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
    const rows: { unit_id: string; late: number; percent: number }[] = unitIds.length
      ? await em.query(
          `SELECT unit_id, late_after_minutes AS late, present_min_percent AS percent FROM attendance_rule
           WHERE unit_id = ANY($1)`,
          [unitIds],
        )
      : [];
    const own = new Map(
      rows.map((r) => [r.unit_id, { lateAfterMinutes: r.late, presentMinPercent: r.percent }]),
    );
    return new Map(unitIds.map((id) => [id, own.get(id) ?? this.rules()]));
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────────────────────
  async forMeeting(user: AuthUser, meetingId: string, now = new Date()): Promise<MeetingAttendance> {
    const meeting = await this.dataSource.getRepository(MeetingEntity).findOneBy({ id: meetingId });
    if (!meeting) throw NotFound('notFound.meeting');
    await this.access.unitOf(user, meeting.unitId, 'attendance.read', 'notFound.meeting');
    const ref: MeetingRef = meeting;
    const em = this.dataSource.manager;
    let set: { rules: AttendanceRules; expected: PersonRecord[]; observers: PersonRecord[] };
    let end: Date;
    if (meeting.status === 'ended' && meeting.endedAt) {
      end = meeting.endedAt;
      const finals = await this.finalSets(em, [meeting.id]);
      let final = finals.get(meeting.id);
      if (!final) {
        await this.dataSource.transaction((tx) => this.finalize(tx, [meeting.id]));
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
    const noMedia = await noMediaSeconds(em, meeting.id, end);
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
    const em = this.dataSource.manager;
    let sets = await this.finalSets(em, meetingIds, ['expected']);
    const missing = meetingIds.filter((id) => !sets.has(id));
    if (missing.length > 0) {
      await this.dataSource.transaction((tx) => this.finalize(tx, missing));
      sets = await this.finalSets(em, meetingIds, ['expected']);
    }
    // Where a status counts, a correction wins.
    return new Map(
      [...sets].map(([id, s]) => [id, s.expected.map((r) => ({ ...r, status: effectiveStatus(r) }))]),
    );
  }

  /** The stored record sets of these meetings (those that have one). */
  private async finalSets(
    em: EntityManager,
    meetingIds: string[],
    kinds: AttendeeKind[] = ['expected', 'observer'],
  ): Promise<Map<string, FinalSet>> {
    if (meetingIds.length === 0) return new Map();
    const heads: {
      meeting_id: string;
      late: number;
      percent: number;
      computed_at: Date;
      cause: AttendanceCause;
    }[] = await em.query(
      `SELECT meeting_id, late_after_minutes AS late, present_min_percent AS percent, computed_at, cause
       FROM meeting_attendance WHERE meeting_id = ANY($1)`,
      [meetingIds],
    );
    if (heads.length === 0) return new Map();
    const rows: {
      meeting_id: string;
      user_id: string;
      name: string;
      kind: AttendeeKind;
      first_join: Date | null;
      last_leave: Date | null;
      join_count: number;
      total_ms: string;
      status: AttendanceStatus;
      make_up_at: Date | null;
    }[] = await em.query(
      `SELECT r.meeting_id, r.user_id, u.name, r.kind, r.first_join, r.last_leave, r.join_count, r.total_ms,
              r.status, r.make_up_at
       FROM attendance_record r JOIN app_user u ON u.id = r.user_id
       WHERE r.meeting_id = ANY($1) AND r.kind = ANY($2) ORDER BY r.meeting_id, r.position`,
      [heads.map((h) => h.meeting_id), kinds],
    );
    const byMeeting = groupBy(rows, (r) => r.meeting_id);
    const corrections = await correctionsOf(
      em,
      heads.map((h) => h.meeting_id),
    );
    const out = new Map<string, FinalSet>();
    for (const h of heads) {
      const records = (byMeeting.get(h.meeting_id) ?? []).map((r): PersonRecord => ({
        userId: r.user_id,
        name: r.name,
        kind: r.kind,
        firstJoin: r.first_join,
        lastLeave: r.last_leave,
        joinCount: r.join_count,
        totalMs: Number(r.total_ms),
        totalSeconds: Math.round(Number(r.total_ms) / 1000),
        status: r.status,
        makeUpAt: r.make_up_at,
        correction: corrections.get(h.meeting_id)?.get(r.user_id) ?? null,
      }));
      out.set(h.meeting_id, {
        rules: { lateAfterMinutes: h.late, presentMinPercent: h.percent },
        computedAt: h.computed_at,
        cause: h.cause,
        expected: records.filter((r) => r.kind === 'expected'),
        observers: records.filter((r) => r.kind === 'observer'),
      });
    }
    return out;
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
    const meetings: MeetingRef[] = await em.query(
      `SELECT m.id, m.unit_id AS "unitId", m.status, m.started_at AS "startedAt", m.ended_at AS "endedAt"
       FROM meeting m WHERE m.id = ANY($1) AND m.status = 'ended'
         AND NOT EXISTS (SELECT 1 FROM meeting_attendance a WHERE a.meeting_id = m.id)`,
      [meetingIds],
    );
    if (meetings.length === 0) return out;
    const rules = await this.rulesOf(em, [...new Set(meetings.map((m) => m.unitId))]);
    const computed = await this.computeMany(
      em,
      meetings,
      (m) => rules.get(m.unitId) ?? this.rules(),
      (m) => m.endedAt ?? m.startedAt,
    );
    const now = new Date();
    const claimed: { meeting_id: string }[] = await em.query(
      `INSERT INTO meeting_attendance (meeting_id, late_after_minutes, present_min_percent, computed_at, cause)
       SELECT id, late, pct, $4, 'end' FROM unnest($1::uuid[], $2::float8[], $3::float8[]) AS t(id, late, pct)
       ON CONFLICT (meeting_id) DO NOTHING RETURNING meeting_id`,
      [
        computed.map((c) => c.meeting.id),
        computed.map((c) => c.rules.lateAfterMinutes),
        computed.map((c) => c.rules.presentMinPercent),
        now,
      ],
    );
    const mine = new Set(claimed.map((c) => c.meeting_id));
    const fresh = computed.filter((c) => mine.has(c.meeting.id));
    await this.writeRecords(em, fresh);
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
      const meeting = await tx.findOne(MeetingEntity, {
        where: { id: meetingId },
        lock: { mode: 'pessimistic_write' },
      });
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
        replaced = await upsertCorrection(tx, meeting.id, cause);
      }
      const rules = cause.kind === 'rules' ? cause.rules : before.rules;
      const makeUps = [...before.expected, ...before.observers]
        .filter((r) => r.makeUpAt)
        .map((r) => ({ userId: r.userId, at: r.makeUpAt as Date }));
      if (cause.kind === 'make_up') makeUps.push({ userId: cause.userId, at: cause.completedAt });
      // From the stored presence facts: what presence established at the end stays; only statuses follow.
      const leaves: { user_id: string }[] = await tx.query(
        `SELECT user_id FROM leave_request WHERE meeting_id = $1 AND status = 'approved'`,
        [meeting.id],
      );
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

      await tx.query(
        `UPDATE meeting_attendance SET late_after_minutes = $2, present_min_percent = $3, computed_at = $4,
           cause = $5 WHERE meeting_id = $1`,
        [meeting.id, rules.lateAfterMinutes, rules.presentMinPercent, new Date(), cause.kind],
      );
      await tx.query(`DELETE FROM attendance_record WHERE meeting_id = $1`, [meeting.id]);
      await this.writeRecords(tx, [after]);

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
      const correctionsKept = await correctionCount(tx, meeting.id);
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
    return em ? run(em) : this.dataSource.transaction(run);
  }

  private async writeRecords(em: EntityManager, sets: Computed[]): Promise<void> {
    const rows = sets.flatMap((c) =>
      [...c.expected, ...c.observers].map((r, position) => ({ ...r, meetingId: c.meeting.id, position })),
    );
    await bulkInsert(em, 'attendance_record', recordColumns, rows);
  }

  // ── computing ───────────────────────────────────────────────────────────────────────────────────────────
  /**
   * The records of several meetings at once, one query per table: attendees, rosters, presence segments,
   * approved leave. `makeUps` (for one meeting) are the make-up completions to take into account.
   */
  private async computeMany(
    em: EntityManager,
    meetings: MeetingRef[],
    rulesFor: (m: MeetingRef) => AttendanceRules,
    endOf: (m: MeetingRef) => Date,
    makeUps: { userId: string; at: Date }[] = [],
  ): Promise<Computed[]> {
    if (meetings.length === 0) return [];
    const ids = meetings.map((m) => m.id);
    const unitIds = [...new Set(meetings.map((m) => m.unitId))];
    // One after another: `em` may be a transaction's (one connection).
    const attendees: { meeting_id: string; user_id: string; kind: AttendeeKind; name: string }[] =
      await em.query(
        `SELECT a.meeting_id, a.user_id, a.kind, u.name FROM meeting_attendee a JOIN app_user u ON u.id = a.user_id
         WHERE a.meeting_id = ANY($1) ORDER BY u.name`,
        [ids],
      );
    const rosters: { unit_id: string; user_id: string; name: string }[] = await em.query(
      `SELECT m.unit_id, m.user_id, u.name FROM membership m JOIN app_user u ON u.id = m.user_id
       WHERE m.unit_id = ANY($1) ORDER BY m.created_at, u.name`,
      [unitIds],
    );
    const segments: { meeting_id: string; user_id: string; opened_at: Date; closed_at: Date | null }[] =
      await em.query(
        `SELECT meeting_id, user_id, opened_at, closed_at FROM presence_segment
         WHERE meeting_id = ANY($1) AND user_id IS NOT NULL`,
        [ids],
      );
    const leaves: { meeting_id: string; user_id: string }[] = await em.query(
      `SELECT meeting_id, user_id FROM leave_request WHERE meeting_id = ANY($1) AND status = 'approved'`,
      [ids],
    );
    const attendeesOf = groupBy(attendees, (a) => a.meeting_id);
    const segmentsOf = groupBy(segments, (s) => s.meeting_id);
    const leavesOf = groupBy(leaves, (l) => l.meeting_id);
    const rosterOf = groupBy(rosters, (r) => r.unit_id);

    return meetings.map((m) => {
      const roster = (rosterOf.get(m.unitId) ?? []).map((r) => ({ userId: r.user_id, name: r.name }));
      const listed = attendeesOf.get(m.id) ?? [];
      // In roster order; the roster itself for meetings from before attendees were recorded.
      const order = new Map(roster.map((r, i) => [r.userId, i]));
      const byOrder = <T extends { userId: string }>(list: T[]) =>
        list.sort((a, b) => (order.get(a.userId) ?? Infinity) - (order.get(b.userId) ?? Infinity));
      const people = (kind: AttendeeKind) =>
        byOrder(listed.filter((a) => a.kind === kind).map((a) => ({ userId: a.user_id, name: a.name })));
      const expected = listed.length === 0 ? roster : people('expected');
      const observers = listed.length === 0 ? [] : people('observer');
      const rules = rulesFor(m);
      const run = (list: { userId: string; name: string }[], kind: AttendeeKind): PersonRecord[] => {
        const names = new Map(list.map((x) => [x.userId, x.name]));
        return computeAttendance({
          start: m.startedAt,
          end: endOf(m),
          expected: list.map((x) => x.userId),
          segments: (segmentsOf.get(m.id) ?? []).map((s) => ({
            userId: s.user_id,
            joinedAt: s.opened_at,
            leftAt: s.closed_at,
          })),
          rules,
          // Leave excuses expected members only; an observer is never absent in the count anyway.
          excused: kind === 'expected' ? (leavesOf.get(m.id) ?? []).map((l) => l.user_id) : [],
          makeUp: makeUps,
        }).map((r) => ({ ...r, name: names.get(r.userId) ?? '', kind }));
      };
      return {
        meeting: m,
        rules,
        expected: run(expected, 'expected'),
        observers: run(observers, 'observer'),
      };
    });
  }

  /** Guests who came in by an invite link: their presence merged like a member's (never counted). */
  private async guestsOf(em: EntityManager, m: MeetingRef, end: Date): Promise<GuestPresence[]> {
    const rows: { guest_id: string; name: string; opened_at: Date; closed_at: Date | null }[] =
      await em.query(
        `SELECT s.guest_id, g.name, s.opened_at, s.closed_at FROM presence_segment s
       JOIN meeting_guest g ON g.id = s.guest_id WHERE s.meeting_id = $1 ORDER BY s.opened_at`,
        [m.id],
      );
    if (rows.length === 0) return [];
    const names = new Map(rows.map((r) => [r.guest_id, r.name]));
    return computeAttendance({
      start: m.startedAt,
      end,
      expected: [...names.keys()],
      segments: rows.map((r) => ({ userId: r.guest_id, joinedAt: r.opened_at, leftAt: r.closed_at })),
      rules: this.rules(),
    }).map((r) => ({
      guestId: r.userId,
      name: names.get(r.userId) ?? '',
      firstJoin: iso(r.firstJoin),
      lastLeave: iso(r.lastLeave),
      joinCount: r.joinCount,
      totalSeconds: r.totalSeconds,
    }));
  }
}
