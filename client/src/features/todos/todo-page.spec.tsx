import type { TodoItem } from '@branchmeet/shared';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { branchA, groupA1, secretaryMe, signIn } from '../../test/fixtures';
import { mockApi } from '../../test/mock-api';
import { renderApp, resetLanguage } from '../../test/render';

const meeting = (n: number) => `99999999-9999-4999-8999-99999999999${n}`;
const item = (over: Partial<TodoItem> & Pick<TodoItem, 'kind'>): TodoItem => ({
  meetingId: meeting(1),
  title: '2027年第1季度支部党员大会',
  unitName: '第一党支部',
  start: '2027-02-01T06:00:00.000Z',
  ...over,
});

describe('the to-do list (待办)', () => {
  beforeEach(resetLanguage);

  it('lists what waits for me, each with the button that does it', async () => {
    signIn();
    mockApi({
      'GET /auth/me': () => ({ body: secretaryMe }),
      'GET /org-units': () => ({ body: [branchA, groupA1] }),
      'GET /todos': () => ({
        body: {
          items: [
            item({
              kind: 'leave.decide',
              leaveRequestId: 'a0000000-0000-4000-8000-000000000001',
              name: '刘洋',
              reason: '住院治疗',
              leaveType: 'sick',
            }),
            item({ kind: 'meeting.soon', meetingId: meeting(2), live: true, title: '支委会' }),
            item({ kind: 'minutes.fix', meetingId: meeting(3), reason: '请补充决议', title: '党小组会' }),
          ],
        },
      }),
      [`GET /meetings/${meeting(3)}/minutes`]: () => ({
        status: 404,
        body: { code: 'not_found', message: 'x' },
      }),
    });
    const user = userEvent.setup();
    renderApp('/org');
    // Reached from the side navigation.
    await user.click(within(await screen.findByTestId('side-nav')).getByText('待办'));
    const list = await screen.findByTestId('todo-list');
    await waitFor(() => expect(within(list).getAllByTestId('todo-item')).toHaveLength(3));
    const [leave, soon, fix] = within(list).getAllByTestId('todo-item');
    expect(leave).toHaveTextContent('请假审批');
    expect(leave).toHaveTextContent('刘洋申请病假：住院治疗');
    expect(within(leave).getByTestId('todo-action')).toHaveTextContent('去审批');
    expect(soon).toHaveTextContent('进行中');
    // antd spaces a two-character label (入 会).
    expect(within(soon).getByTestId('todo-action')).toHaveTextContent(/^入\s?会$/);
    expect(fix).toHaveTextContent('退回原因：请补充决议');
    await user.click(within(fix).getByTestId('todo-action'));
    await waitFor(() => expect(screen.queryByTestId('todo-list')).toBeNull());
  });

  it('says so when there is nothing to do', async () => {
    signIn();
    mockApi({
      'GET /auth/me': () => ({ body: secretaryMe }),
      'GET /org-units': () => ({ body: [branchA, groupA1] }),
      'GET /todos': () => ({ body: { items: [] } }),
    });
    renderApp('/todos');
    expect(await screen.findByText('暂无待办事项')).toBeInTheDocument();
  });
});
