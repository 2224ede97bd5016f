import type { MinutesPeriod } from '@branchmeet/shared';
import i18n from 'i18next';
import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from '.';
import { meetingTitleText, periodText, placeText, sectionTitleText } from './generated-text';

const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
const quarter: MinutesPeriod = { kind: 'quarter', year: 2026, quarter: 4, month: 11, label: '2026年第4季度' };

describe('text the server generates, in the UI language', () => {
  afterEach(async () => {
    await setLanguage('zh-CN');
    localStorage.removeItem('branchmeet.lang');
  });

  it('reads in English without a Chinese character', async () => {
    await setLanguage('en');
    const t = i18n.t.bind(i18n);
    expect(periodText(t, quarter)).toBe('Q4 2026');
    expect(t('minutes.periodOrdinal', { period: periodText(t, quarter), n: 1 })).toBe('Q4 2026, no. 1');
    expect(periodText(t, { ...quarter, kind: 'month' })).toBe('November 2026');
    expect(periodText(t, { ...quarter, kind: 'year' })).toBe('2026');
    expect(placeText(t, '线上（支部云会）')).toBe('Online (BranchMeet)');
    expect(sectionTitleText(t, { key: 'general', title: '会议内容' })).toBe('Content');
    expect(meetingTitleText(t, '2026年12月 支部党员大会')).toBe('Branch assembly, December 2026');
    expect(meetingTitleText(t, '2026年3月 支委会')).toBe('Committee meeting, March 2026');
    // a room opened ad hoc without a title: the unit's name (user data) kept
    expect(meetingTitleText(t, '第一党支部线上会议')).toBe('第一党支部 online meeting');
    for (const text of [
      periodText(t, quarter),
      placeText(t, '线上（支部云会）'),
      meetingTitleText(t, '2026年1月 主题党日'),
    ])
      expect(text).not.toMatch(CJK);
  });

  it('keeps what people typed, and the group name of a group meeting, as they are', async () => {
    await setLanguage('en');
    const t = i18n.t.bind(i18n);
    expect(meetingTitleText(t, '2026年12月 第一党小组党小组会')).toBe(
      '第一党小组 Party group meeting, December 2026',
    );
    expect(meetingTitleText(t, '学习二十大精神')).toBe('学习二十大精神');
    expect(meetingTitleText(t, '2026年12月 学习会')).toBe('2026年12月 学习会');
    expect(placeText(t, '三楼会议室')).toBe('三楼会议室');
    expect(sectionTitleText(t, { key: 'item-1', title: '学习党章' })).toBe('学习党章');
  });

  it('reads as the server wrote it in Chinese', async () => {
    await setLanguage('zh-CN');
    const t = i18n.t.bind(i18n);
    expect(periodText(t, quarter)).toBe('2026年第4季度');
    expect(periodText(t, { ...quarter, kind: 'month' })).toBe('2026年11月');
    expect(placeText(t, '线上（支部云会）')).toBe('线上（支部云会）');
    expect(meetingTitleText(t, '2026年12月 支部党员大会')).toBe('2026年12月 支部党员大会');
    expect(meetingTitleText(t, '2026年12月 第一党小组党小组会')).toBe('2026年12月 第一党小组党小组会');
    expect(meetingTitleText(t, '第一党支部线上会议')).toBe('第一党支部线上会议');
  });
});
