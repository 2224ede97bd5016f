import { periodOf, sameJson } from './minutes-fields';

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

describe('sameJson: stored jsonb against a value built again', () => {
  it('ignores the order of object keys at any depth', () => {
    const built = { title: 't', host: { userId: 'u', name: 'n' }, list: [{ a: 1, b: [1, 2] }] };
    const stored = { list: [{ b: [1, 2], a: 1 }], host: { name: 'n', userId: 'u' }, title: 't' };
    expect(JSON.stringify(built)).not.toBe(JSON.stringify(stored));
    expect(sameJson(built, stored)).toBe(true);
  });

  it('sees a changed value, a missing key, a reordered array and null against an object', () => {
    expect(sameJson({ a: 1, b: 2 }, { a: 1, b: 3 })).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: null }, { a: {} })).toBe(false);
    expect(sameJson([], {})).toBe(false);
  });

  it('treats a key holding undefined as absent, as JSON does', () => {
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });
});
