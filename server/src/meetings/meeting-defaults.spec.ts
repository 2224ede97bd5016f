import {
  monthlyOccurrences,
  DEFAULT_DURATION_MS,
  defaultExpected,
  defaultHost,
  defaultRecorder,
  defaultTitle,
  type RosterEntry,
} from './meeting-defaults';

const roster: RosterEntry[] = [
  { userId: 'm1', role: 'member' },
  { userId: 'sec', role: 'secretary' },
  { userId: 'dep', role: 'deputy_secretary' },
  { userId: 'org', role: 'organizer' },
  { userId: 'cm', role: 'committee_member' },
  { userId: 'm2', role: 'member' },
];

describe('defaultTitle', () => {
  it('names the type and the month in Chinese', () => {
    expect(defaultTitle('branch_assembly', new Date('2026-12-10T06:00:00Z'))).toBe('2026年12月 支部党员大会');
    expect(defaultTitle('committee_meeting', new Date('2026-03-02T06:00:00Z'))).toBe('2026年3月 支委会');
    expect(defaultTitle('lecture', new Date('2026-03-02T06:00:00Z'))).toBe('2026年3月 党课');
    expect(defaultTitle('theme_day', new Date('2026-03-02T06:00:00Z'))).toBe('2026年3月 主题党日');
    expect(defaultTitle('life_meeting', new Date('2026-03-02T06:00:00Z'))).toBe('2026年3月 组织生活会');
    expect(defaultTitle('other', new Date('2026-03-02T06:00:00Z'))).toBe('2026年3月 支部会议');
  });

  it('takes the month in China time, not UTC', () => {
    // 2026-12-31T17:00Z is 2027-01-01 01:00 in Beijing.
    expect(defaultTitle('branch_assembly', new Date('2026-12-31T17:00:00Z'))).toBe('2027年1月 支部党员大会');
    // 2027-01-31T15:59:59Z is still 23:59:59 on 31 January there.
    expect(defaultTitle('lecture', new Date('2027-01-31T15:59:59Z'))).toBe('2027年1月 党课');
  });

  it("names a group meeting's party group", () => {
    expect(defaultTitle('group_meeting', new Date('2026-05-05T02:00:00Z'), '第一党小组')).toBe(
      '2026年5月 第一党小组党小组会',
    );
  });
});

describe('default people', () => {
  it('hosts with the secretary and records with the organizer', () => {
    expect(defaultHost(roster)).toBe('sec');
    expect(defaultRecorder(roster)).toBe('org');
  });

  it('falls back to the secretary as recorder, and has no host without a secretary', () => {
    const noOrganizer = roster.filter((p) => p.role !== 'organizer');
    expect(defaultRecorder(noOrganizer)).toBe('sec');
    const nobody = roster.filter((p) => p.role === 'member');
    expect(defaultHost(nobody)).toBeNull();
    expect(defaultRecorder(nobody)).toBeNull();
  });

  it('expects the roster, the committee or the party group by type', () => {
    expect(defaultExpected('branch_assembly', roster)).toEqual(['m1', 'sec', 'dep', 'org', 'cm', 'm2']);
    expect(defaultExpected('lecture', roster)).toEqual(['m1', 'sec', 'dep', 'org', 'cm', 'm2']);
    expect(defaultExpected('committee_meeting', roster)).toEqual(['sec', 'dep', 'org', 'cm']);
    expect(
      defaultExpected('group_meeting', roster, [
        { userId: 'm2', role: 'member' },
        { userId: 'cm', role: 'member' },
      ]),
    ).toEqual(['m2', 'cm']);
  });

  it('lasts one hour', () => {
    expect(DEFAULT_DURATION_MS).toBe(3_600_000);
  });
});

describe('monthlyOccurrences', () => {
  const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

  it('the same day and time of each month, China time, the first being the start', () => {
    // 15 January 09:30 in Beijing = 01:30 UTC.
    expect(iso(monthlyOccurrences(new Date('2027-01-15T01:30:00Z'), 3))).toEqual([
      '2027-01-15T01:30:00.000Z',
      '2027-02-15T01:30:00.000Z',
      '2027-03-15T01:30:00.000Z',
    ]);
  });

  it('a day a month does not have falls on its last day; the year turns', () => {
    expect(iso(monthlyOccurrences(new Date('2026-10-31T06:00:00Z'), 6))).toEqual([
      '2026-10-31T06:00:00.000Z',
      '2026-11-30T06:00:00.000Z',
      '2026-12-31T06:00:00.000Z',
      '2027-01-31T06:00:00.000Z',
      '2027-02-28T06:00:00.000Z',
      '2027-03-31T06:00:00.000Z',
    ]);
  });

  it('the day is the day in Beijing, also when it is another day in UTC', () => {
    // 1 March 07:00 in Beijing is still 28 February 23:00 UTC.
    expect(iso(monthlyOccurrences(new Date('2027-02-28T23:00:00Z'), 2))).toEqual([
      '2027-02-28T23:00:00.000Z',
      '2027-03-31T23:00:00.000Z',
    ]);
  });
});
