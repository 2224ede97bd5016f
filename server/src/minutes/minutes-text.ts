import {
  meetingTypeLabelsZh,
  voteChoiceLabelsZh,
  type MinutesDocument,
  type MinutesFields,
  type MinutesVote,
} from '@branchmeet/shared';
import { chinaTime } from '../attendance/attendance-export.service';

/** `2026-05-12 14:00`: China time to the minute. */
export const chinaMinute = (iso: string | null) => (iso ? chinaTime(iso).slice(0, 16) : '');

const names = (people: { name: string }[]) => people.map((p) => p.name).join('、') || '无';
const withReasons = (people: { name: string; reason: string }[]) =>
  people.map((p) => (p.reason ? `${p.name}（${p.reason}）` : p.name)).join('、') || '无';

/** The header fields of the minutes in the usual order, as label and value (DOCX table, PDF, text). */
export function headerRows(f: MinutesFields): [string, string][] {
  const time = f.actualStart
    ? `${chinaMinute(f.actualStart)} 至 ${f.actualEnd ? chinaMinute(f.actualEnd).slice(11) : '进行中'}` +
      (f.durationMinutes !== null ? `（${f.durationMinutes} 分钟）` : '')
    : '未开始';
  const planned = f.scheduledStart
    ? `${chinaMinute(f.scheduledStart)}${f.scheduledEnd ? ` 至 ${chinaMinute(f.scheduledEnd).slice(11)}` : ''}`
    : '未安排（临时会议）';
  return [
    ['会议名称', f.title],
    ['会议类型', meetingTypeLabelsZh[f.meetingType]],
    ['所属支部', f.unitName],
    ['期次', `${f.period.label}第 ${f.ordinal} 次`],
    ['计划时间', planned],
    ['实际时间', time],
    ['会议地点', f.place],
    ['主持人', f.host?.name ?? ''],
    ['记录人', f.recorder?.name ?? ''],
    ['应到人数', `${f.expected} 人`],
    ['实到人数', `${f.present} 人：${names(f.presentNames)}`],
    ['请假人员', `${f.excused} 人：${withReasons(f.excusedNames)}`],
    ['缺席人员', `${f.absent} 人：${withReasons(f.absentNames)}`],
    ['列席人员', names(f.observers)],
    ['会议议题', f.agenda.length ? f.agenda.map((a, i) => `${i + 1}. ${a}`).join('\n') : '无'],
  ];
}

/** One closed vote as the resolutions state it. */
export function voteLine(v: MinutesVote, agenda: readonly string[]): string {
  const item =
    v.agendaIndex !== null && agenda[v.agendaIndex]
      ? `（议题${v.agendaIndex + 1}：${agenda[v.agendaIndex]}）`
      : '';
  if (v.status === 'open') return `表决：${v.subject}${item}，表决进行中。`;
  return (
    `表决：${v.subject}${item}。应到有表决权党员 ${v.expectedVoters} 人，实到 ${v.presentVoters ?? 0} 人；` +
    `${voteChoiceLabelsZh.yes} ${v.yes ?? 0} 票，${voteChoiceLabelsZh.no} ${v.no ?? 0} 票，` +
    `${voteChoiceLabelsZh.abstain} ${v.abstain ?? 0} 票；${v.passed ? '通过' : '未通过'}。`
  );
}

/**
 * The closed votes the printed record lists under 表决情况: those whose result is not already stated, word for
 * word, in the resolutions (closing a vote appends its line there; the same vote twice reads as two votes).
 */
export function votesToList(d: MinutesDocument): MinutesVote[] {
  return d.votes.filter(
    (v) => v.status === 'closed' && !d.resolutions.includes(voteLine(v, d.fields.agenda)),
  );
}

/** The section's own heading, or null for the general section of a meeting without agenda (会议内容 says it). */
export function sectionHeading(d: MinutesDocument, i: number, numeral: string): string | null {
  const s = d.sections[i];
  return d.sections.length === 1 && s.key === 'general' ? null : `${numeral}、${s.title}`;
}

/**
 * The minutes as plain text, in the order of the printed record: what the revisions' diff compares (one field
 * or paragraph a line, so a change shows as the lines it touched).
 */
export function minutesText(d: MinutesDocument): string {
  const lines: string[] = ['会议记录', ''];
  for (const [label, value] of headerRows(d.fields)) lines.push(`${label}：${value}`);
  lines.push('', '会议内容');
  d.sections.forEach((s, i) => {
    lines.push(`${d.sections.length > 1 || s.key !== 'general' ? `${i + 1}. ` : ''}${s.title}`);
    lines.push(s.text.trim() || '（无）');
  });
  lines.push('', '决议');
  lines.push(d.resolutions.trim() || '（无）');
  const votes = d.votes.filter((v) => v.status === 'closed');
  if (votes.length) {
    lines.push('', '表决情况');
    for (const v of votes) lines.push(voteLine(v, d.fields.agenda));
  }
  if (d.attachments.length) lines.push('', `附件：${d.attachments.join('、')}`);
  lines.push('');
  lines.push(
    `主持人签字：${d.signatures.host ? `${d.signatures.host.name}（${chinaMinute(d.signatures.host.at)}）` : ''}`,
  );
  lines.push(
    `记录人签字：${d.signatures.recorder ? `${d.signatures.recorder.name}（${chinaMinute(d.signatures.recorder.at)}）` : ''}`,
  );
  lines.push('', '散会');
  return lines.join('\n');
}
