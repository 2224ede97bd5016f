import type { Notification } from '@branchmeet/shared';
import dayjs from 'dayjs';
import { beforeEach, describe, expect, it } from 'vitest';
import i18n, { setLanguage } from '../../i18n';
import { resetLanguage } from '../../test/render';
import { notificationText } from './notification-text';

const note = (kind: Notification['kind'], params: Notification['params']): Notification => ({
  id: 'a0000000-0000-4000-8000-000000000001',
  kind,
  meetingId: '99999999-9999-4999-8999-999999999999',
  params: { title: '第四季度党课', start: '2027-02-01T06:00:00.000Z', unitName: '第一党支部', ...params },
  read: false,
  createdAt: '2027-01-20T02:00:00.000Z',
});

const time = dayjs('2027-02-01T06:00:00.000Z').format('YYYY-MM-DD HH:mm');

describe('the words of the notifications that ask someone to act', () => {
  beforeEach(resetLanguage);

  it('a leave request names who, the type and why; the minutes say what happened to them', async () => {
    const t = i18n.t.bind(i18n);
    expect(
      notificationText(note('leave.requested', { name: '刘洋', reason: '住院', leaveType: 'sick' }), t),
    ).toBe(`刘洋申请“第四季度党课”（${time}）病假：住院，请审批`);
    expect(notificationText(note('leave.withdrawn', { name: '刘洋' }), t)).toContain('刘洋撤回了');
    expect(notificationText(note('meeting.started', {}), t)).toBe('“第四季度党课”已开始，请尽快入会');
    expect(notificationText(note('minutes.submitted', {}), t)).toBe(
      '第一党支部“第四季度党课”的会议记录已提交，待审核',
    );
    expect(notificationText(note('minutes.returned', { reason: '缺少讨论内容' }), t)).toBe(
      '“第四季度党课”的会议记录被退回修改。原因：缺少讨论内容',
    );
    expect(notificationText(note('minutes.approved', {}), t)).toBe('“第四季度党课”的会议记录已审核通过');
    await setLanguage('en');
    expect(
      notificationText(
        note('leave.requested', { name: 'Liu', reason: 'ill', leaveType: 'sick' }),
        i18n.t.bind(i18n),
      ),
    ).toBe(`Liu asks for leave (sick leave) from “第四季度党课” (${time}): ill; please decide`);
  });

  it('names a meeting the server titled in the reader’s language, a typed title as typed', async () => {
    await setLanguage('en');
    const t = i18n.t.bind(i18n);
    expect(notificationText(note('meeting.started', { title: '2026年12月 支部党员大会' }), t)).toBe(
      '“Branch assembly, December 2026” has started; please join',
    );
    expect(notificationText(note('meeting.started', { title: '第一党支部线上会议' }), t)).toBe(
      '“第一党支部 online meeting” has started; please join',
    );
    expect(notificationText(note('meeting.started', {}), t)).toContain('第四季度党课');
  });
});
