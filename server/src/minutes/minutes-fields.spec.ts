import { periodOf } from './minutes-fields';

describe('the period of a meeting (China time)', () => {
  it('is the month, quarter or year by the type, at China-time boundaries', () => {
    // 2026-03-31 16:30 UTC is 2026-04-01 00:30 in China: April, the second quarter.
    const at = new Date('2026-03-31T16:30:00Z');
    expect(periodOf('committee_meeting', at)).toMatchObject({ kind: 'month', label: '2026年4月' });
    expect(periodOf('branch_assembly', at)).toMatchObject({
      kind: 'quarter',
      quarter: 2,
      label: '2026年第2季度',
    });
    expect(periodOf('life_meeting', at)).toMatchObject({ kind: 'year', label: '2026年' });
    const q = periodOf('lecture', at);
    expect(q.start.toISOString()).toBe('2026-03-31T16:00:00.000Z');
    expect(q.end.toISOString()).toBe('2026-06-30T16:00:00.000Z');
    expect(periodOf('theme_day', new Date('2026-03-31T15:59:00Z')).label).toBe('2026年3月');
  });
});
