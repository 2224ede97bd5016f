import { minutesStatusLabelsZh, type MinutesDocument, type MinutesStatus } from '@branchmeet/shared';
import { chinaMinute } from './minutes-text';

/** One record to print (minutes-docx.ts, minutes-pdf.ts): its document and review state. */
export interface PrintedMinutes {
  document: MinutesDocument;
  status: MinutesStatus;
  revision: number;
  reviewedBy: string | null;
  reviewedAt: string | null;
}

const CHINESE_NUMERALS = '一二三四五六七八九十';
export const numeral = (i: number) =>
  i < 10 ? CHINESE_NUMERALS[i] : i < 20 ? `十${CHINESE_NUMERALS[i - 10] ?? ''}` : String(i + 1);

export const paragraphsOf = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''));

/** The review line at the foot of a record. */
export function reviewLine(p: PrintedMinutes): string {
  const base = `审核状态：${minutesStatusLabelsZh[p.status]}`;
  const rev = p.revision > 0 ? `（第 ${p.revision} 版）` : '';
  const who =
    p.reviewedBy && p.status !== 'submitted' ? `  审核人：${p.reviewedBy} ${chinaMinute(p.reviewedAt)}` : '';
  return `${base}${rev}${who}`;
}

export const signatureText = (s: MinutesDocument['signatures']['host']) =>
  s ? `${s.name}（${chinaMinute(s.at)}）` : '____________';
