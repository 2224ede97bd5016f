import type { AuditEvent } from '@branchmeet/shared';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { adminMe, branchA, ids, secretaryMe, signIn } from '../../test/fixtures';
import { mockApi } from '../../test/mock-api';
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
    expect(await within(table).findByText('membership.create')).toBeInTheDocument();
    expect(within(table).getByText('第一党支部')).toBeInTheDocument();

    await user.click(screen.getByTestId('audit-verify'));
    const result = await screen.findByTestId('audit-verify-result');
    expect(result).toHaveTextContent('哈希链断裂：事件 #42（事件内容与其哈希不符）。共校验 57 条事件。');
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
