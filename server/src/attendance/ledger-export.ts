import type { Writable } from 'node:stream';
import {
  attendanceStatusLabelsZh,
  meetingTypeLabelsZh,
  type MeetingType,
  type RequiredMeetingCheck,
} from '@branchmeet/shared';
import { writeXlsx } from '../orgs/roster-file';
import { RATE_RULE_ZH } from './attendance-counts';
import { correctedLabelZh } from './attendance-corrections';
import { chinaTime, minutesOf } from './attendance-export.service';
import type { PeriodData } from './statistics.service';

const typeZh = (t: string) => meetingTypeLabelsZh[t as MeetingType] ?? t;

/** The ledger's sheets and columns, in file order (tests read the file back by these). */
export const ledgerSheets = {
  summary: {
    name: '汇总',
    columns: [
      { header: '日期', key: 'date', width: 20 },
      { header: '会议', key: 'title', width: 30 },
      { header: '类型', key: 'type', width: 12 },
      { header: '应到', key: 'expected', width: 8 },
      { header: '实到', key: 'present', width: 8 },
      { header: '早退', key: 'leftEarly', width: 8 },
      { header: '请假', key: 'excused', width: 8 },
      { header: '缺席', key: 'absent', width: 8 },
      { header: '补学', key: 'makeUp', width: 8 },
      { header: '出席率(%)', key: 'rate', width: 10 },
    ],
  },
  members: {
    name: '党员',
    columns: [
      { header: '姓名', key: 'name', width: 14 },
      { header: '应参会', key: 'expected', width: 8 },
      { header: '出席', key: 'present', width: 8 },
      { header: '迟到', key: 'late', width: 8 },
      { header: '早退', key: 'leftEarly', width: 8 },
      { header: '缺席', key: 'absent', width: 8 },
      { header: '请假', key: 'excused', width: 8 },
      { header: '补学', key: 'makeUp', width: 8 },
      { header: '出席率(%)', key: 'rate', width: 10 },
    ],
  },
  detail: {
    name: '明细',
    columns: [
      { header: '日期', key: 'date', width: 20 },
      { header: '会议', key: 'title', width: 30 },
      { header: '类型', key: 'type', width: 12 },
      { header: '姓名', key: 'name', width: 14 },
      { header: '状态', key: 'status', width: 20 },
      { header: '首次入会', key: 'firstJoin', width: 20 },
      { header: '最后离会', key: 'lastLeave', width: 20 },
      { header: '入会次数', key: 'joinCount', width: 10 },
      { header: '在会时长(分钟)', key: 'minutes', width: 14 },
    ],
  },
  required: {
    name: '三会一课',
    columns: [
      { header: '期间', key: 'period', width: 10 },
      { header: '类型', key: 'type', width: 12 },
      { header: '党小组', key: 'group', width: 14 },
      { header: '召开次数', key: 'held', width: 10 },
      { header: '是否达标', key: 'met', width: 10 },
      { header: '计入与不计入的会议', key: 'notes', width: 60 },
    ],
  },
  branches: {
    name: '各支部',
    columns: [
      { header: '支部', key: 'name', width: 20 },
      { header: '召开会议', key: 'meetingsHeld', width: 10 },
      { header: '应到人次', key: 'expected', width: 10 },
      { header: '实到人次', key: 'present', width: 10 },
      { header: '早退人次', key: 'leftEarly', width: 10 },
      { header: '请假人次', key: 'excused', width: 10 },
      { header: '缺席人次', key: 'absent', width: 10 },
      { header: '补学人次', key: 'makeUp', width: 10 },
      { header: '出席率(%)', key: 'rate', width: 10 },
      { header: '三会一课达标', key: 'required', width: 14 },
    ],
  },
} as const;

const cols = (s: { columns: readonly { header: string; key: string; width: number }[] }) =>
  s.columns.map((c) => ({ ...c }));

/** The period as a reader says it: first and last day included (`to` is exclusive), China time. */
export function periodDays(from: string, to: string): { first: string; last: string } {
  const day = (iso: string) => chinaTime(iso).slice(0, 10);
  return { first: day(from), last: day(new Date(Date.parse(to) - 1).toISOString()) };
}

/** Why each meeting of a requirement counted or not, as a reader says it. */
export function requiredNotes(c: RequiredMeetingCheck): string {
  const why = (m: RequiredMeetingCheck['meetings'][number]) =>
    m.reason === 'counted'
      ? `计入，${m.minutes} 分钟`
      : m.reason === 'too_short'
        ? `不计入：时长 ${m.minutes} 分钟，不足 ${c.minMinutes} 分钟`
        : m.reason === 'cancelled'
          ? '不计入：已取消'
          : '不计入：尚未结束';
  return c.meetings.map((m) => `${m.title}（${why(m)}）`).join('；');
}

export function ledgerFilename(d: PeriodData): string {
  const { first, last } = periodDays(d.statistics.from, d.statistics.to);
  return `${d.unit.name}-台账-${first}至${last}.xlsx`;
}

/**
 * The period ledger (台账): a summary sheet (the unit, the period and its totals above one line per meeting), one
 * line per member, one line per member and meeting, the required meetings, and for an upper unit its branches.
 * Streamed with exceljs's WorkbookWriter: each row is committed as it is written.
 */
export function writeLedger(out: Writable, d: PeriodData): Promise<void> {
  const s = d.statistics;
  const sum = s.summary;
  const period = periodDays(s.from, s.to);
  const preamble: (string | number)[][] = [
    ['组织', s.name],
    ['统计区间', `${period.first} 至 ${period.last}（含）`],
    ['召开会议', sum.meetingsHeld],
    ['应到人次', sum.expected],
    ['实到人次', sum.present],
    ['早退人次', sum.leftEarly],
    ['请假人次', sum.excused],
    ['缺席人次', sum.absent],
    ['补学人次', sum.makeUp],
    ['出席率', `${sum.rate}%`],
    ['出席率口径', RATE_RULE_ZH],
    ['三会一课达标', `${sum.requiredMet}/${sum.requiredTotal}`],
    [],
  ];
  function* detail() {
    for (const m of d.meetings) {
      const date = chinaTime(m.startedAt);
      const type = typeZh(m.type);
      for (const r of m.records) {
        yield {
          date,
          title: m.title,
          type,
          name: r.name,
          status: correctedLabelZh(attendanceStatusLabelsZh[r.status], r.correction),
          firstJoin: chinaTime(r.firstJoin),
          lastLeave: chinaTime(r.lastLeave),
          joinCount: r.joinCount,
          minutes: minutesOf(r.totalSeconds),
        };
      }
    }
  }
  const sheets: Parameters<typeof writeXlsx>[1] = [
    {
      name: ledgerSheets.summary.name,
      columns: cols(ledgerSheets.summary),
      preamble,
      rows: s.meetings.map((m) => ({
        date: chinaTime(m.startedAt),
        title: m.title,
        type: typeZh(m.type),
        expected: m.expected,
        present: m.present,
        leftEarly: m.leftEarly,
        excused: m.excused,
        absent: m.absent,
        makeUp: m.makeUp,
        rate: m.rate,
      })),
    },
    {
      name: ledgerSheets.members.name,
      columns: cols(ledgerSheets.members),
      rows: s.members.map(({ userId: _id, ...m }) => m),
    },
    { name: ledgerSheets.detail.name, columns: cols(ledgerSheets.detail), rows: [...detail()] },
    {
      name: ledgerSheets.required.name,
      columns: cols(ledgerSheets.required),
      rows: s.required.map((c) => ({
        period: c.period,
        type: typeZh(c.type),
        group: c.groupName ?? '',
        held: c.held,
        met: c.met ? '是' : c.complete ? '否' : '否(未结束)',
        notes: requiredNotes(c),
      })),
    },
  ];
  if (s.branches.length)
    sheets.push({
      name: ledgerSheets.branches.name,
      columns: cols(ledgerSheets.branches),
      rows: s.branches.map((b) => ({
        name: b.name,
        meetingsHeld: b.summary.meetingsHeld,
        expected: b.summary.expected,
        present: b.summary.present,
        leftEarly: b.summary.leftEarly,
        excused: b.summary.excused,
        absent: b.summary.absent,
        makeUp: b.summary.makeUp,
        rate: b.summary.rate,
        required: `${b.summary.requiredMet}/${b.summary.requiredTotal}`,
      })),
    });
  return writeXlsx(out, sheets);
}
