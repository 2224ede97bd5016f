import type { AuditEvent } from '@branchmeet/shared';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { adminMe, branchA, ids, secretaryMe, signIn } from '../../test/fixtures';
import { mockApi } from '../../test/mock-api';
import { setLanguage } from '../../i18n';
import { renderApp, resetLanguage } from '../../test/render';

const event: AuditEvent = {
  id: '42',
  at: '2025-03-01T08:30:00.000Z',
  actorId: ids.secretary,
  actorName: '管理员',
  action: 'membership.create',
  entityType: 'membership',
  entityId: ids.membership1,
  unitId: branchA.id,
  before: null,
  after: { name: '王书记' },
  hash: 'ab12cd34ef56ab12cd34ef56',
};

describe('audit log page', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('lists events and reports where the hash chain breaks', async () => {
    signIn();
    mockApi({
      'GET /auth/me': () => ({ body: adminMe }),
      'GET /org-units': () => ({ body: [{ ...branchA, access: 'admin' }] }),
      'GET /audit/events': () => ({ body: [event] }),
      'GET /audit/verify': () => ({
        body: { ok: false, checked: 57, firstBroken: { id: '42', reason: 'hash_mismatch' } },
      }),
    });
    const user = userEvent.setup();
    renderApp('/admin/audit');

    const table = await screen.findByTestId('audit-table');
    expect(await within(table).findByText('membership: create')).toBeInTheDocument();
    expect(within(table).getByText('第一党支部')).toBeInTheDocument();

    await user.click(screen.getByTestId('audit-verify'));
    const result = await screen.findByTestId('audit-verify-result');
    expect(result).toHaveTextContent('哈希链断裂：事件 #42（事件内容与其哈希不符）。共校验 57 条事件。');
  });

  const meetingId = 'e65bfc22-0000-4000-8000-000000000001';
  const more: AuditEvent[] = [
    {
      ...event,
      id: '43',
      action: 'leave.decide',
      entityType: 'leave_request',
      entityId: 'aaaaaaaa-0000-4000-8000-000000000002',
      before: { status: 'pending' },
      after: { meetingId, status: 'approved' },
    },
    {
      ...event,
      id: '44',
      action: 'meeting.start',
      entityType: 'meeting',
      entityId: meetingId,
      before: { status: 'scheduled' },
      after: { status: 'live' },
    },
    {
      ...event,
      id: '45',
      action: 'unit.update',
      entityType: 'org_unit',
      entityId: branchA.id,
      after: { name: '第一党支部' },
    },
    { ...event, id: '46', action: 'some.new_thing', entityType: 'widget', entityId: null, after: null },
  ];
  const openWith = () => {
    signIn();
    mockApi({
      'GET /auth/me': () => ({ body: adminMe }),
      'GET /org-units': () => ({ body: [{ ...branchA, access: 'admin' }] }),
      'GET /audit/events': () => ({ body: more }),
    });
    renderApp('/admin/audit');
  };
  const rowOf = async (id: string) => {
    const table = await screen.findByTestId('audit-table');
    await within(table).findByText(id);
    return within(table).getByText(id).closest('tr')!;
  };

  it('says in plain words what happened and links to the meeting or unit it happened to', async () => {
    openWith();
    const leave = within(await rowOf('43'));
    expect(leave.getByText('审批请假申请')).toBeInTheDocument();
    expect(leave.getByRole('link', { name: '请假申请' })).toHaveAttribute(
      'href',
      `/meetings/${meetingId}/info`,
    );
    const start = within(await rowOf('44'));
    expect(start.getByText('开始会议')).toBeInTheDocument();
    expect(start.getByRole('link', { name: '会议' })).toHaveAttribute('href', `/meetings/${meetingId}/info`);
    const unit = within(await rowOf('45'));
    expect(unit.getByRole('link', { name: '组织 · 第一党支部' })).toHaveAttribute(
      'href',
      `/units/${branchA.id}`,
    );
    // An action the page does not know yet still reads, and nothing crashes.
    expect(within(await rowOf('46')).getByText('some: new thing')).toBeInTheDocument();
    const table = screen.getByTestId('audit-table');
    expect(table).not.toHaveTextContent('leave.decide');
    expect(table).not.toHaveTextContent('e65bfc22');
  });

  it('says it in English too', async () => {
    await setLanguage('en');
    openWith();
    const leave = within(await rowOf('43'));
    expect(leave.getByText('Decided a leave request')).toBeInTheDocument();
    expect(leave.getByRole('link', { name: 'Leave request' })).toBeInTheDocument();
    expect(within(await rowOf('44')).getByText('Started a meeting')).toBeInTheDocument();
    expect(within(await rowOf('45')).getByRole('link', { name: 'Unit · 第一党支部' })).toBeInTheDocument();
  });

  it('is closed to users who are not administrators', async () => {
    signIn();
    const { requests } = mockApi({
      'GET /auth/me': () => ({ body: secretaryMe }),
      'GET /org-units': () => ({ body: [branchA] }),
    });
    renderApp('/admin/audit');
    expect(await screen.findByText('您无权访问此页面')).toBeInTheDocument();
    expect(requests.some((r) => r.path.startsWith('/audit'))).toBe(false);
  });
});
