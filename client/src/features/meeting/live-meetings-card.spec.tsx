import type { LiveMeeting, OrgUnit } from '@branchmeet/shared';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { branchA, groupA1, ids, rosterA, secretaryMe, signIn } from '../../test/fixtures';
import { mockApi, type Handler } from '../../test/mock-api';
import { setLanguage } from '../../i18n';
import { renderApp, resetLanguage } from '../../test/render';

const meeting: LiveMeeting = {
  id: '99999999-9999-4999-8999-999999999999',
  unitId: ids.branchA,
  title: '第一党支部线上会议',
  hostUserId: ids.secretary,
  status: 'live',
  startedAt: '2026-11-29T08:00:00.000Z',
  endedAt: null,
  participants: 3,
};

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
    [`GET /org-units/${branchA.id}/members`]: () => ({ body: rosterA }),
    [`GET /org-units/${branchA.id}/meetings/live`]: () => ({ body: [meeting] }),
    [`GET /meetings/${meeting.id}`]: () => ({ body: meeting }),
    ...extra,
  });
}

describe('live meetings on the branch page', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('lets a member join a live meeting but not open one', async () => {
    openBranch('member');
    renderApp(`/units/${branchA.id}`);

    const row = await screen.findByTestId('live-meeting');
    expect(row).toHaveTextContent('第一党支部线上会议');
    expect(row).toHaveTextContent('3 人在会');
    expect(screen.queryByTestId('open-meeting')).toBeNull();

    await userEvent.click(within(row).getByTestId('join-meeting'));
    expect(await screen.findByTestId('prejoin')).toBeInTheDocument();
    expect(screen.getByTestId('prejoin-title')).toHaveTextContent('第一党支部线上会议');
  });

  it('shows no count for a meeting whose server does not answer for a moment (moving)', async () => {
    openBranch('member', {
      [`GET /org-units/${branchA.id}/meetings/live`]: () => ({ body: [{ ...meeting, participants: null }] }),
    });
    renderApp(`/units/${branchA.id}`);
    const row = await screen.findByTestId('live-meeting');
    expect(row).toHaveTextContent('第一党支部线上会议');
    expect(row).not.toHaveTextContent('人在会');
    expect(row).not.toHaveTextContent('null');
  });

  it('names a meeting with the title the server made up in the UI language', async () => {
    await setLanguage('en');
    openBranch('member', {
      [`GET /org-units/${branchA.id}/meetings/live`]: () => ({
        body: [{ ...meeting, title: '2026年12月 支部党员大会' }],
      }),
    });
    renderApp(`/units/${branchA.id}`);
    const row = await screen.findByTestId('live-meeting');
    expect(row).toHaveTextContent('Branch assembly, December 2026');
    expect(row).not.toHaveTextContent('支部党员大会');
  });

  it('lets a manager open a meeting (with a waiting room when asked) and takes them to it', async () => {
    const { requests } = openBranch('manager', {
      [`POST /org-units/${branchA.id}/meetings/live`]: () => ({ status: 201, body: meeting }),
    });
    renderApp(`/units/${branchA.id}`);

    await userEvent.click(await screen.findByTestId('open-meeting-lobby'));
    await userEvent.click(screen.getByTestId('open-meeting'));

    expect(await screen.findByTestId('prejoin')).toBeInTheDocument();
    const post = requests.find((r) => r.method === 'POST' && r.path.endsWith('/meetings/live'));
    expect(post?.body).toEqual({ waitingRoom: true });
  });

  it('shows a failed load with its reason and a retry, not an empty list', async () => {
    let fail = true;
    openBranch('member', {
      [`GET /org-units/${branchA.id}/meetings/live`]: () =>
        fail
          ? { status: 503, body: { code: 'unavailable', message: '服务暂时不可用' } }
          : { body: [meeting] },
    });
    renderApp(`/units/${branchA.id}`);

    const failed = await screen.findByTestId('live-meetings-failed');
    expect(failed).toHaveTextContent('加载失败');
    expect(failed).toHaveTextContent('服务暂时不可用');
    expect(screen.queryByText('当前没有进行中的会议')).toBeNull();

    fail = false;
    await userEvent.click(within(failed).getByTestId('live-meetings-failed-retry'));
    expect(await screen.findByTestId('live-meeting')).toHaveTextContent('第一党支部线上会议');
    expect(screen.queryByTestId('live-meetings-failed')).toBeNull();
  });
});
