import type { Meeting, OrgUnit, RosterImportReport } from '@branchmeet/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { branchA, groupA1, ids, rosterA, secretaryMe, signIn, tokens } from '../../test/fixtures';
import { mockApi, type Handler } from '../../test/mock-api';
import { renderApp, resetLanguage } from '../../test/render';

const branchPath = `/units/${branchA.id}`;
const membersRoute = `GET /org-units/${branchA.id}/members`;

function openBranch(access: OrgUnit['access'], extra: Record<string, Handler> = {}) {
  signIn();
  return mockApi({
    'GET /auth/me': () => ({ body: secretaryMe }),
    'GET /org-units': () => ({
      body: [
        { ...branchA, access },
        { ...groupA1, access },
      ],
    }),
    [membersRoute]: () => ({ body: rosterA }),
    ...extra,
  });
}

function uploadInput(): HTMLInputElement {
  const input = screen.getByTestId('roster-import').querySelector('input[type=file]');
  if (!(input instanceof HTMLInputElement)) throw new Error('no file input inside roster-import');
  return input;
}

describe('branch page roster', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('lists the members with their role, member type and party group', async () => {
    openBranch('manager');
    renderApp(branchPath);

    const table = await screen.findByTestId('roster-table');
    const row = (await within(table).findByText('李党员')).closest('tr');
    expect(row).not.toBeNull();
    expect(row).toHaveTextContent('13800000002');
    expect(row).toHaveTextContent('党员');
    expect(row).toHaveTextContent('预备党员');
    expect(row).toHaveTextContent('第一党小组');
    expect(within(table).getByText('书记')).toBeInTheDocument();
  });

  it('gives a manager add, import and export; a supervisor only export; a member neither', async () => {
    openBranch('manager');
    const first = renderApp(branchPath);
    await screen.findByText('李党员');
    expect(screen.getByTestId('member-add')).toBeInTheDocument();
    expect(screen.getByTestId('roster-import')).toBeInTheDocument();
    expect(screen.getByTestId('roster-export')).toBeInTheDocument();
    expect(screen.getAllByTestId('member-actions')).toHaveLength(2);
    first.unmount();

    openBranch('supervisor');
    const second = renderApp(branchPath);
    await screen.findByText('李党员');
    expect(screen.getByTestId('roster-export')).toBeInTheDocument();
    expect(screen.queryByTestId('member-add')).toBeNull();
    expect(screen.queryByTestId('roster-import')).toBeNull();
    expect(screen.queryByTestId('member-actions')).toBeNull();
    second.unmount();

    openBranch('member');
    renderApp(branchPath);
    await screen.findByText('李党员');
    expect(screen.queryByTestId('roster-export')).toBeNull();
    expect(screen.queryByTestId('member-add')).toBeNull();
  });

  it('searches the roster on the server as the user types', async () => {
    const { requests } = openBranch('manager', {
      [membersRoute]: (req) => ({
        body: rosterA.filter((m) => !req.query.get('q') || m.name.includes(req.query.get('q') ?? '')),
      }),
    });
    const user = userEvent.setup();
    renderApp(branchPath);
    await screen.findByText('李党员');

    await user.type(within(screen.getByTestId('roster-search')).getByRole('textbox'), '王');

    await waitFor(() => expect(requests.map((r) => r.query.get('q'))).toContain('王'));
    await waitFor(() => expect(screen.queryByText('李党员')).toBeNull());
    expect(screen.getAllByText('王书记').length).toBeGreaterThan(0);
    expect(
      requests.some((r) => r.path === `/org-units/${branchA.id}/members` && r.query.get('q') === '王'),
    ).toBe(true);
  });

  it('uploads a roster file and shows the bad rows when the server rejects it', async () => {
    const report: RosterImportReport = {
      applied: false,
      totalRows: 3,
      created: 0,
      updated: 0,
      groupsCreated: [],
      errors: [{ row: 3, reasons: ['手机号须为 11 位大陆手机号码'] }],
    };
    const { requests } = openBranch('manager', {
      [`POST /org-units/${branchA.id}/roster/import`]: () => ({ status: 422, body: report }),
    });
    renderApp(branchPath);
    await screen.findByText('李党员');

    const file = new File(['姓名,手机号\n张三,123\n'], 'roster.csv', { type: 'text/csv' });
    fireEvent.change(uploadInput(), { target: { files: [file] } });

    const shown = await screen.findByTestId('import-report');
    expect(shown).toHaveTextContent('名册中有 1 行存在问题');
    expect(shown).toHaveTextContent('手机号须为 11 位大陆手机号码');
    const upload = requests.find((r) => r.method === 'POST');
    expect(upload?.body).toBeInstanceOf(FormData);
    expect((upload?.body as FormData).get('file')).toBeInstanceOf(File);
    expect(upload?.query.get('dryRun')).toBeNull();
    expect(upload?.headers.get('Authorization')).toBe(`Bearer ${tokens.accessToken}`);
  });

  it('reloads the roster after a clean import and sends dryRun when only checking', async () => {
    let imported = false;
    const { requests } = openBranch('manager', {
      [membersRoute]: () => ({
        body: imported
          ? [...rosterA, { ...rosterA[1], membershipId: ids.committee, name: '新党员' }]
          : rosterA,
      }),
      [`POST /org-units/${branchA.id}/roster/import`]: (req) => {
        const dryRun = req.query.get('dryRun') === 'true';
        if (!dryRun) imported = true;
        return {
          body: {
            applied: !dryRun,
            totalRows: 1,
            created: dryRun ? 0 : 1,
            updated: 0,
            groupsCreated: [],
            errors: [],
          },
        };
      },
    });
    const user = userEvent.setup();
    renderApp(branchPath);
    await screen.findByText('李党员');
    const file = new File(['x'], 'roster.xlsx');

    await user.click(screen.getByTestId('roster-dry-run'));
    fireEvent.change(uploadInput(), { target: { files: [file] } });
    expect(await screen.findByTestId('import-report')).toHaveTextContent('校验通过');
    expect(screen.queryByText('新党员')).toBeNull();

    await user.click(screen.getByTestId('roster-dry-run'));
    fireEvent.change(uploadInput(), { target: { files: [file] } });
    await waitFor(() =>
      expect(screen.getByTestId('import-report')).toHaveTextContent('导入成功：共 1 行，新增 1 人'),
    );
    expect(await screen.findByText('新党员')).toBeInTheDocument();
    const uploads = requests.filter((r) => r.method === 'POST');
    expect(uploads.map((r) => r.query.get('dryRun'))).toEqual(['true', null]);
  });

  it('checks the required fields, then adds a member with the defaults', async () => {
    const { requests } = openBranch('manager', {
      [`POST /org-units/${branchA.id}/members`]: (req) => ({
        status: 201,
        body: { ...rosterA[1], ...(req.body as object) },
      }),
    });
    const user = userEvent.setup();
    renderApp(branchPath);
    await screen.findByText('李党员');

    await user.click(screen.getByTestId('member-add'));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByTestId('member-save'));
    expect(await within(dialog).findByText('请输入姓名')).toBeInTheDocument();

    fireEvent.change(within(dialog).getByTestId('member-name'), { target: { value: '赵新' } });
    fireEvent.change(within(dialog).getByTestId('member-phone'), { target: { value: '13900000009' } });
    await user.click(within(dialog).getByTestId('member-save'));

    await waitFor(() => expect(requests.some((r) => r.method === 'POST')).toBe(true));
    const post = requests.find((r) => r.method === 'POST');
    expect(post?.body).toEqual({
      name: '赵新',
      phone: '13900000009',
      role: 'member',
      memberType: 'member',
      groupId: null,
    });
  });

  it('exports the roster with the bearer token and saves the file', async () => {
    const createObjectURL = vi.fn(() => 'blob:roster');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    const { requests } = openBranch('supervisor', {
      [`GET /org-units/${branchA.id}/roster/export`]: () => ({
        body: new Blob(['xlsx']),
        headers: {
          'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent('第一党支部名册.xlsx')}`,
        },
      }),
    });
    const user = userEvent.setup();
    renderApp(branchPath);
    await screen.findByText('李党员');

    await user.click(screen.getByTestId('roster-export'));

    await waitFor(() => expect(click).toHaveBeenCalled());
    const exportCall = requests.find((r) => r.path.endsWith('/roster/export'));
    expect(exportCall?.headers.get('Authorization')).toBe(`Bearer ${tokens.accessToken}`);
    const anchor = click.mock.contexts[0] as HTMLAnchorElement;
    expect(anchor.download).toBe('第一党支部名册.xlsx');
  });
});

describe('branch page meetings: what the person can act on first', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  const soon = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  const meeting = (n: number, attendees: Meeting['attendees']): Meeting => ({
    id: `9999999${n}-9999-4999-8999-999999999999`,
    unitId: branchA.id,
    title: `2026年12月 支部委员会 ${n}`,
    hostUserId: ids.member1,
    status: 'scheduled',
    startedAt: soon(n),
    endedAt: null,
    participants: 0,
    type: 'committee_meeting',
    groupId: null,
    scheduledStart: soon(n),
    scheduledEnd: soon(n),
    recorderId: ids.member1,
    lecturerId: null,
    agenda: [],
    settings: { waitingRoom: false, muteOnEntry: true, recordingAllowed: false },
    attendees,
    seriesId: null,
  });
  const others: Meeting['attendees'] = [{ userId: ids.member1, name: '李党员', kind: 'expected' }];
  const withMe: Meeting['attendees'] = [
    ...others,
    { userId: ids.secretary, name: '王书记', kind: 'expected' },
  ];

  const rows = async (count: number) => {
    await waitFor(() => expect(screen.getAllByTestId('upcoming-meeting')).toHaveLength(count));
    return screen.getByTestId('upcoming-meetings').getAttribute('data-filter');
  };

  it('shows an upper-level secretary (on no meeting’s list) the branch’s meetings, not an empty 我的', async () => {
    openBranch('supervisor', {
      [`GET /org-units/${branchA.id}/meetings`]: () => ({
        body: [meeting(1, others), meeting(2, others), meeting(3, others)],
      }),
      [`GET /org-units/${branchA.id}/meetings/live`]: () => ({ body: [] }),
    });
    renderApp(branchPath);
    expect(await rows(3)).toBe('all');
    expect(screen.queryByText('未来 30 天没有安排会议')).toBeNull();

    // picking 我的 explains the empty list and offers all of them back
    fireEvent.click(within(screen.getByTestId('upcoming-filter')).getByText('我的'));
    expect(await screen.findByTestId('upcoming-none-mine')).toHaveTextContent('本支部共 3 场');
    fireEvent.click(within(screen.getByTestId('upcoming-none-mine')).getByRole('button'));
    expect(await rows(3)).toBe('all');
  });

  it('shows a member the meetings that expect them, or all when none does', async () => {
    openBranch('member', {
      [`GET /org-units/${branchA.id}/meetings`]: () => ({
        body: [meeting(1, others), meeting(2, withMe), meeting(3, others)],
      }),
      [`GET /org-units/${branchA.id}/meetings/live`]: () => ({ body: [] }),
    });
    const first = renderApp(branchPath);
    expect(await rows(1)).toBe('mine');
    first.unmount();

    openBranch('member', {
      [`GET /org-units/${branchA.id}/meetings`]: () => ({ body: [meeting(1, others), meeting(3, others)] }),
      [`GET /org-units/${branchA.id}/meetings/live`]: () => ({ body: [] }),
    });
    renderApp(branchPath);
    expect(await rows(2)).toBe('all');
  });
});
