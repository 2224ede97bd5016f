import {
  AddMemberRequest,
  ChangePasswordRequest,
  formatMessage,
  LoginRequest,
  messages,
  pickLocale,
  UpdateMemberRequest,
  zodIssueMessage,
  type MessageKey,
} from '@branchmeet/shared';
import { ZodError } from 'zod';
import { DomainError } from './domain-error';
import { HttpExceptionFilter } from './http-exception.filter';
import { ZodPipe } from './zod';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalog (shared/src/messages.ts)', () => {
  it('has both languages of every message, with the same placeholders, and Chinese in the Chinese one', () => {
    for (const [key, entry] of Object.entries(messages)) {
      expect({ key, zh: placeholders(entry['zh-CN']) }).toEqual({ key, zh: placeholders(entry.en) });
      expect(entry.en).not.toBe('');
      // No message left untranslated: every Chinese text has Chinese in it.
      expect({ key, chinese: /[\u4e00-\u9fff]/.test(entry['zh-CN']) }).toEqual({ key, chinese: true });
    }
  });

  it('formats parameters, nested messages in the same language, and leaves unknown placeholders', () => {
    const invalid = {
      child: { key: 'unitType.branch' as MessageKey },
      parent: { key: 'unitType.group' as MessageKey },
    };
    expect(formatMessage('orgs.invalidParent', invalid, 'zh-CN')).toBe('党支部不能设在党小组之下');
    expect(formatMessage('orgs.invalidParent', invalid, 'en')).toBe(
      'a branch cannot be placed under a group',
    );
    expect(formatMessage('orgs.hasMembers', { unit: '第一党支部', count: 3 }, 'en')).toBe(
      '第一党支部 still has 3 members',
    );
    expect(formatMessage('orgs.hasMembers', { unit: '第一党支部' }, 'zh-CN')).toBe(
      '第一党支部还有 {count} 名成员',
    );
  });

  it('picks zh-CN unless the Accept-Language header prefers English', () => {
    expect(pickLocale(undefined)).toBe('zh-CN');
    expect(pickLocale('')).toBe('zh-CN');
    expect(pickLocale('fr-FR,fr;q=0.9')).toBe('zh-CN');
    expect(pickLocale('zh-CN')).toBe('zh-CN');
    expect(pickLocale('zh-TW,en;q=0.9')).toBe('zh-CN');
    expect(pickLocale('en')).toBe('en');
    expect(pickLocale('en-US,en;q=0.9,zh-CN;q=0.8')).toBe('en');
    expect(pickLocale('zh-CN;q=0.5,en-GB;q=0.8')).toBe('en');
    expect(pickLocale('fr,en;q=0.5,zh;q=0.4')).toBe('en');
    expect(pickLocale('en;q=0,zh;q=0.1')).toBe('zh-CN');
    expect(pickLocale(['de', 'en-US'])).toBe('en');
  });

  it('renders zod issues of the shared schemas in either language: custom keys with their limits, built-ins by zod', () => {
    const pwd = ChangePasswordRequest.safeParse({ currentPassword: 'x', newPassword: 'x'.repeat(200) });
    const [tooLong] = pwd.error!.issues;
    expect(zodIssueMessage(tooLong, 'zh-CN')).toBe('密码最多 128 个字符');
    expect(zodIssueMessage(tooLong, 'en')).toBe('password must have at most 128 characters');

    const nothing = UpdateMemberRequest.safeParse({});
    expect(zodIssueMessage(nothing.error!.issues[0], 'zh-CN')).toBe('没有要修改的内容');

    const role = AddMemberRequest.safeParse(
      { name: '王五', phone: '13800000099', role: 'chief' },
      { reportInput: true },
    );
    const [badRole] = role.error!.issues;
    expect(zodIssueMessage(badRole, 'zh-CN')).toMatch(/^无效选项：期望以下之一 "secretary"\|/);
    expect(zodIssueMessage(badRole, 'en')).toMatch(/^Invalid option: expected one of "secretary"\|/);
  });

  it('the HTTP filter renders a rejected body and a domain error in the request’s locale, codes unchanged', () => {
    const filter = new HttpExceptionFilter();
    let thrown: unknown;
    try {
      new ZodPipe(LoginRequest).transform({ login: ' ', password: 'x' }, { type: 'body' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ZodError);
    expect(filter.toApiError(thrown, 'zh-CN')).toEqual({
      status: 400,
      body: {
        code: 'validation_failed',
        message: 'login: 请输入手机号或用户名',
        issues: [{ path: 'login', message: '请输入手机号或用户名' }],
      },
    });
    expect(filter.toApiError(thrown, 'en').body.issues).toEqual([
      { path: 'login', message: 'enter a phone number or username' },
    ]);

    const error = new DomainError('conflict', 409, 'orgs.phoneTaken', { phone: '13800000023' });
    expect(error.message).toBe('phone 13800000023 is already registered'); // logs stay English
    expect(filter.toApiError(error, 'zh-CN')).toEqual({
      status: 409,
      body: { code: 'conflict', message: '手机号 13800000023 已被注册' },
    });
    expect(filter.toApiError(error, 'en').body.message).toBe('phone 13800000023 is already registered');
  });
});
