import { meetingTypeLabelsZh, MeetingType, type MinutesPeriod } from '@branchmeet/shared';
import type { TFunction } from 'i18next';

/**
 * Text the server generates and stores in Chinese (the branch's record language: the printed minutes, the
 * search over titles) shown in the UI language. Stored data stays as it is; only what the server wrote by its
 * own rule is recognised and rendered anew — what a person typed is shown as typed.
 */

/** The place the minutes give an online meeting (server: minutes-fields.ts ONLINE_PLACE). */
export const ONLINE_PLACE_ZH = '线上（支部云会）';
/** The title of the general section of a meeting without agenda (server: minutes-doc.ts GENERAL_SECTION). */
export const GENERAL_SECTION_KEY = 'general';

const typeByLabel = new Map<string, MeetingType>(
  MeetingType.options.map((type) => [meetingTypeLabelsZh[type], type]),
);
const GROUP_SUFFIX = meetingTypeLabelsZh.group_meeting;

/** The title of a room opened ad hoc without one (server: messages.ts meetings.defaultTitle, in Chinese). */
const AD_HOC_SUFFIX = '线上会议';

/**
 * A meeting title: the server's default title `2026年12月 支部党员大会` (or `2026年12月 第一党小组党小组会`, the group's
 * name kept as named), or an ad hoc room's `第一党支部线上会议` (the unit's name kept), in the UI language; any
 * other title as stored.
 */
export function meetingTitleText(t: TFunction, title: string): string {
  if (title.endsWith(AD_HOC_SUFFIX) && title.length > AD_HOC_SUFFIX.length)
    return t('generated.adHocTitle', { unit: title.slice(0, -AD_HOC_SUFFIX.length) });
  const m = /^(\d{4})年(\d{1,2})月 (.+)$/.exec(title);
  if (!m) return title;
  const [, year, month, label] = m;
  let type = typeByLabel.get(label);
  let group = '';
  if (!type && label.endsWith(GROUP_SUFFIX) && label.length > GROUP_SUFFIX.length) {
    type = 'group_meeting';
    group = label.slice(0, -GROUP_SUFFIX.length);
  }
  if (!type) return title;
  const monthText = t('generated.month', {
    year: Number(year),
    month: Number(month),
    monthName: monthName(Number(month)),
  });
  const typeText = t(`meetingType.${type}`);
  return t('generated.title', {
    month: monthText,
    type: group ? t('generated.groupType', { group, type: typeText }) : typeText,
  });
}

/** `{{monthName}}` is the English month's name, for the languages whose text uses it. */
const monthName = (month: number) =>
  new Intl.DateTimeFormat('en', { month: 'long', timeZone: 'UTC' }).format(
    new Date(Date.UTC(2000, month - 1, 15)),
  );

/** `2026年第4季度` in the UI language, from the period's parts. */
export function periodText(t: TFunction, p: MinutesPeriod): string {
  if (p.kind === 'year') return t('generated.year', { year: p.year });
  if (p.kind === 'quarter') return t('generated.quarter', { year: p.year, quarter: p.quarter });
  return t('generated.month', { year: p.year, month: p.month, monthName: monthName(p.month) });
}

export const placeText = (t: TFunction, place: string) =>
  place === ONLINE_PLACE_ZH ? t('generated.onlinePlace') : place;

/** A minutes section's heading: the general section says 会议内容 in the UI language. */
export const sectionTitleText = (t: TFunction, s: { key: string; title: string }) =>
  s.key === GENERAL_SECTION_KEY ? t('minutes.content') : s.title;
