import type { UnitStatistics } from '@branchmeet/shared';
import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { branchA, ids, secretaryMe, signIn } from '../../test/fixtures';
import { mockApi } from '../../test/mock-api';
import { renderApp, resetLanguage } from '../../test/render';

const MEETING = '77777777-7777-4777-8777-777777777777';
const totals = {
  expected: 2,
  present: 2,
  leftEarly: 0,
  attended: 2,
  excused: 0,
  absent: 0,
  makeUp: 0,
  rate: 100,
};

const statistics: UnitStatistics = {
  unitId: ids.branchA,
  name: '第一党支部',
  unitType: 'branch',
  from: '2025-12-31T16:00:00.000Z',
  to: '2026-03-31T16:00:00.000Z',
  summary: { ...totals, meetingsHeld: 1, requiredTotal: 0, requiredMet: 0 },
  meetings: [
    {
      ...totals,
      meetingId: MEETING,
      type: 'branch_assembly',
      title: '一季度党员大会',
      groupId: null,
      startedAt: '2026-01-10T01:00:00.000Z',
      endedAt: '2026-01-10T02:00:00.000Z',
    },
  ],
  members: [
    {
      userId: ids.member1,
      name: '李党员',
      expected: 1,
      present: 1,
      late: 0,
      leftEarly: 0,
      absent: 0,
      excused: 0,
      makeUp: 0,
      rate: 100,
    },
  ],
  months: [{ ...totals, month: '2026-01', meetingsHeld: 1 }],
  required: [],
  branches: [],
  corrections: [
    {
      meetingId: MEETING,
      meetingTitle: '一季度党员大会',
      unitId: ids.branchA,
      unitName: '第一党支部',
      startedAt: '2026-01-10T01:00:00.000Z',
      userId: ids.member1,
      name: '李党员',
      computedStatus: 'absent',
      status: 'present',
      reason: '现场签到未连线',
      correctedByName: '王书记',
      correctedAt: '2026-01-11T01:00:00.000Z',
    },
  ],
  rules: {
    unitId: ids.branchA,
    rules: { lateAfterMinutes: 7, presentMinPercent: 60 },
    isDefault: false,
    meetingMinMinutes: 45,
    updatedAt: '2026-01-02T01:00:00.000Z',
  },
};

describe('statistics page', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('makes one request for the unit: the statistics bring the corrections and the rules', async () => {
    signIn();
    const api = mockApi({
      'GET /auth/me': () => ({ body: secretaryMe }),
      'GET /org-units': () => ({ body: [branchA] }),
      [`GET /org-units/${ids.branchA}/statistics`]: () => ({ body: statistics }),
    });
    renderApp(`/units/${ids.branchA}/statistics`);

    const corrections = await screen.findByTestId('corrections-card');
    expect(within(corrections).getByText('现场签到未连线')).toBeInTheDocument();
    const rules = await screen.findByTestId('attendance-rules');
    expect(rules).toHaveTextContent('7');
    expect(rules).toHaveTextContent('60');
    expect(rules).toHaveTextContent('45');
    expect(await screen.findByTestId('statistics-members')).toHaveTextContent('李党员');

    const unitRequests = api.requests.filter((r) => r.path.startsWith(`/org-units/${ids.branchA}`));
    expect(unitRequests.map((r) => r.path)).toEqual([`/org-units/${ids.branchA}/statistics`]);
  });
});
