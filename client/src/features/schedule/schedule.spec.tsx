import type { Meeting, MeetingAttendance, OrgUnit } from '@branchmeet/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { branchA, groupA1, ids, rosterA, secretaryMe, signIn } from '../../test/fixtures';
import { mockApi, type Handler } from '../../test/mock-api';
import { renderApp, resetLanguage } from '../../test/render';

const meetingId = '99999999-9999-4999-8999-999999999999';

const scheduled: Meeting = {
  id: meetingId,
  unitId: ids.branchA,
  title: '2026年12月支部党员大会',
  hostUserId: ids.secretary,
  status: 'scheduled',
  startedAt: '2026-12-01T06:00:00.000Z',
  endedAt: null,
  participants: 0,
  type: 'branch_assembly',
  groupId: null,
  scheduledStart: '2026-12-01T06:00:00.000Z',
  scheduledEnd: '2026-12-01T07:00:00.000Z',
  recorderId: ids.secretary,
  lecturerId: null,
  agenda: ['学习党章'],
  settings: { waitingRoom: false, muteOnEntry: true, recordingAllowed: false },
  attendees: [
    { userId: ids.secretary, name: '王书记', kind: 'expected' },
    { userId: ids.member1, name: '李党员', kind: 'expected' },
  ],
  seriesId: null,
};

const ended: Meeting = { ...scheduled, status: 'ended', endedAt: '2026-12-01T07:00:00.000Z' };

const attendance: MeetingAttendance = {
  meetingId,
  status: 'ended',
  startedAt: '2026-12-01T06:00:00.000Z',
  endedAt: '2026-12-01T07:00:00.000Z',
  durationSeconds: 3600,
  rules: { lateAfterMinutes: 5, presentMinPercent: 50 },
  records: [
    {
      userId: ids.secretary,
      name: '王书记',
      firstJoin: '2026-12-01T06:00:00.000Z',
      lastLeave: '2026-12-01T07:00:00.000Z',
      joinCount: 1,
      totalSeconds: 3600,
      status: 'present',
      makeUpAt: null,
    },
    {
      userId: ids.member1,
      name: '李党员',
      firstJoin: null,
      lastLeave: null,
      joinCount: 0,
      totalSeconds: 0,
      status: 'absent',
      makeUpAt: null,
    },
  ],
  final: true,
  observers: [],
  guests: [],
};

function signedIn(access: OrgUnit['access'], me = secretaryMe, extra: Record<string, Handler> = {}) {
  signIn();
  return mockApi({
    'GET /auth/me': () => ({ body: me }),
    'GET /org-units': () => ({
      body: [
        { ...branchA, access },
        { ...groupA1, access },
      ],
    }),
    [`GET /org-units/${branchA.id}/members`]: () => ({ body: rosterA }),
    [`GET /org-units/${branchA.id}/meetings/live`]: () => ({ body: [] }),
    [`GET /org-units/${branchA.id}/meetings`]: () => ({ body: [] }),
    [`GET /meetings/${meetingId}/leave-requests`]: () => ({ body: [] }),
    ...extra,
  });
}

describe('scheduling a meeting', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('submits with only the type and the start, and lists the meeting', async () => {
    let calendar: Meeting[] = [];
    const { requests } = signedIn('manager', secretaryMe, {
      [`GET /org-units/${branchA.id}/meetings`]: () => ({ body: calendar }),
      [`POST /org-units/${branchA.id}/meetings`]: () => {
        calendar = [scheduled];
        return { status: 201, body: scheduled };
      },
    });
    renderApp(`/units/${branchA.id}`);

    // fireEvent where a plain click is meant: userEvent's pointer checks are slow on antd's DOM in jsdom.
    fireEvent.click(await screen.findByTestId('schedule-meeting'));
    const form = await screen.findByTestId('schedule-form');
    // antd's Select opens on mouseDown of its selector. The field is found by its id: getByRole computes every
    // element's accessible name, which takes seconds on the form's DOM in jsdom.
    const type = form.querySelector('input#type');
    if (!(type instanceof HTMLInputElement)) throw new Error('no type input');
    fireEvent.mouseDown(type);
    fireEvent.click(await screen.findByTitle('支部党员大会'));
    const start = form.querySelector('input#start');
    if (!(start instanceof HTMLInputElement)) throw new Error('no start input');
    fireEvent.mouseDown(start);
    fireEvent.focus(start);
    fireEvent.change(start, { target: { value: '2026-12-01 14:00' } });
    fireEvent.keyDown(start, { key: 'Enter', code: 'Enter' });
    const submit = screen.getByTestId('schedule-submit');
    expect(submit).toHaveTextContent(/^安\s?排$/);
    fireEvent.click(submit);

    await waitFor(() => expect(requests.some((r) => r.method === 'POST')).toBe(true));
    const post = requests.find((r) => r.method === 'POST');
    expect(post?.path).toBe(`/org-units/${branchA.id}/meetings`);
    const body = post?.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['start', 'type']);
    expect(body.type).toBe('branch_assembly');
    expect(new Date(String(body.start)).getTime()).toBe(new Date(2026, 11, 1, 14, 0).getTime());

    const row = await screen.findByTestId('upcoming-meeting');
    expect(row).toHaveTextContent('2026年12月支部党员大会');
    expect(within(row).getByTestId('meeting-status')).toHaveTextContent('未开始');
    expect(within(row).getByTestId('meeting-info-link')).toHaveAttribute(
      'href',
      `/meetings/${meetingId}/info`,
    );
  }, 120_000);

  it('does not offer scheduling to a member', async () => {
    signedIn('member');
    renderApp(`/units/${branchA.id}`);
    expect(await screen.findByTestId('upcoming-meetings')).toBeInTheDocument();
    expect(screen.queryByTestId('schedule-meeting')).toBeNull();
  });
});

describe('the meeting page', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('shows the attendance table with each status after the meeting, and exports for a manager', async () => {
    signedIn('manager', secretaryMe, {
      [`GET /meetings/${meetingId}`]: () => ({ body: ended }),
      [`GET /meetings/${meetingId}/attendance`]: () => ({ body: attendance }),
    });
    renderApp(`/meetings/${meetingId}/info`);

    const table = await screen.findByTestId('attendance-table');
    const rows = await within(table).findAllByRole('row');
    const wang = rows.find((r) => r.textContent?.includes('王书记'));
    const li = rows.find((r) => r.textContent?.includes('李党员'));
    expect(within(wang!).getByTestId('attendance-status')).toHaveTextContent('出席');
    expect(wang).toHaveTextContent('60');
    expect(within(li!).getByTestId('attendance-status')).toHaveTextContent('缺席');
    expect(table).toHaveTextContent('应到 2 · 实到 1 · 请假 0 · 缺席 1');
    expect(screen.getByTestId('export-xlsx')).toBeInTheDocument();
    expect(screen.getByTestId('export-pdf')).toBeInTheDocument();
  });

  it('a manager corrects a record with a reason: 已更正 and the reason are shown beside it', async () => {
    const reason = '在同一会议室用电话参会';
    const { requests } = signedIn('manager', secretaryMe, {
      [`GET /meetings/${meetingId}`]: () => ({ body: ended }),
      [`GET /meetings/${meetingId}/attendance`]: () => ({ body: { ...attendance, final: true } }),
      [`PUT /meetings/${meetingId}/attendance/${ids.member1}/correction`]: (req) => {
        const body = req.body as { status: 'present'; reason: string };
        return {
          body: {
            ...attendance,
            final: true,
            records: attendance.records.map((r) =>
              r.userId === ids.member1
                ? {
                    ...r,
                    status: body.status,
                    computedStatus: r.status,
                    correction: {
                      status: body.status,
                      reason: body.reason,
                      correctedBy: ids.secretary,
                      correctedByName: '王书记',
                      correctedAt: '2026-12-02T01:00:00.000Z',
                    },
                  }
                : r,
            ),
          },
        };
      },
    });
    renderApp(`/meetings/${meetingId}/info`);

    const table = await screen.findByTestId('attendance-table');
    expect(table).toHaveTextContent('出席率 50%');
    const li = (await within(table).findAllByRole('row')).find((r) => r.textContent?.includes('李党员'))!;
    fireEvent.click(within(li).getByTestId('attendance-correct'));
    const select = document.querySelector('input#status');
    if (!(select instanceof HTMLInputElement)) throw new Error('no status input');
    fireEvent.mouseDown(select);
    fireEvent.click(await screen.findByTitle('出席'));
    fireEvent.change(await screen.findByTestId('correction-reason'), { target: { value: reason } });
    fireEvent.click(screen.getByText(/^保存更正$/));

    await waitFor(() => expect(requests.some((r) => r.method === 'PUT')).toBe(true));
    expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({ status: 'present', reason });
    const corrected = await screen.findByTestId('attendance-corrected');
    expect(corrected).toHaveTextContent(`已更正：${reason}`);
    expect(screen.getByTestId('attendance-table')).toHaveTextContent('出席率 100%');
  });

  it('lets a member ask for leave with a reason but shows them no exports', async () => {
    const memberMe = {
      ...secretaryMe,
      user: { ...secretaryMe.user, id: ids.member1, name: '李党员' },
      memberships: [{ ...secretaryMe.memberships[0], role: 'member' as const }],
    };
    const { requests } = signedIn('member', memberMe, {
      [`GET /meetings/${meetingId}`]: () => ({ body: scheduled }),
      [`POST /meetings/${meetingId}/leave-requests`]: (req) => ({
        status: 201,
        body: {
          id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
          meetingId,
          userId: ids.member1,
          name: '李党员',
          reason: (req.body as { reason: string }).reason,
          type: 'personal',
          status: 'pending',
          decidedBy: null,
          decidedAt: null,
          decisionNote: null,
          createdAt: '2026-11-30T06:00:00.000Z',
        },
      }),
    });
    renderApp(`/meetings/${meetingId}/info`);

    expect(await screen.findByTestId('meeting-title')).toHaveTextContent('2026年12月支部党员大会');
    const ask = await screen.findByTestId('ask-leave');
    expect(ask).toHaveTextContent(/^请\s?假$/);
    expect(screen.queryByTestId('attendance-exports')).toBeNull();
    expect(screen.queryByTestId('export-xlsx')).toBeNull();
    expect(screen.queryByTestId('meeting-cancel')).toBeNull();

    fireEvent.click(ask);
    await userEvent.type(await screen.findByTestId('leave-reason'), '出差');
    const submit = screen.getByTestId('leave-submit');
    expect(submit).toHaveTextContent(/^提\s?交$/);
    fireEvent.click(submit);
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ reason: '出差', type: 'personal' }),
    );
  }, 60_000);
});
