/**
 * ChannelsService against a faked ChannelsRepository (in memory), access and audit: a branch's switches are its
 * managers' (audited with before and after, a party group refused), a person's own preferences are theirs, and a
 * robot may only be on an allowed host.
 */
import type { BranchChannels, NotificationPrefs } from '@branchmeet/shared';
import type { EntityManager } from 'typeorm';
import type { AuditInput, AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { DomainError, Forbidden } from '../common/domain-error';
import type { AppConfig } from '../config/config';
import type { AccessService } from '../orgs/access.service';
import type { ChannelsRepository, PrefsRow } from './channels.repository';
import { ChannelsService } from './channels.service';

const em = {} as EntityManager;
const sec = { id: 'sec', isAdmin: false } as AuthUser;
const ann = { id: 'ann', isAdmin: false } as AuthUser;

function setup() {
  const branches = new Map<string, BranchChannels>();
  const prefs = new Map<string, PrefsRow>();
  const audits: AuditInput[] = [];
  const repo = {
    transaction: (run: (em: EntityManager) => Promise<unknown>) => run(em),
    branch: async (unitId: string) => branches.get(unitId),
    setBranch: async (_em: EntityManager, unitId: string, body: BranchChannels) => {
      branches.set(unitId, { ...body });
    },
    prefs: async (userId: string) => prefs.get(userId),
    setPrefs: async (userId: string, body: NotificationPrefs) => {
      prefs.set(userId, {
        email: body.email,
        webhook_kind: body.webhook?.kind ?? null,
        webhook_url: body.webhook?.url ?? null,
        events: body.events,
      });
    },
  } as unknown as ChannelsRepository;
  const units: Record<string, 'branch' | 'group'> = { b1: 'branch', g1: 'group' };
  const access = {
    unit: async (user: AuthUser, unitId: string, action: string) => {
      if (action === 'unit.update' && user.id !== 'sec') throw Forbidden('access.forbidden');
      return {
        unit: { id: unitId, type: units[unitId] },
        relation: user.id === 'sec' ? 'manager' : 'member',
      };
    },
  } as unknown as AccessService;
  const audit = {
    append: async (_em: EntityManager, input: AuditInput) => {
      audits.push(input);
    },
  } as unknown as AuditService;
  const config = { NOTIFY_WEBHOOK_HOSTS: ['qyapi.weixin.qq.com'] } as unknown as AppConfig;
  return { channels: new ChannelsService(repo, access, audit, config), audits };
}

describe('ChannelsService', () => {
  it("a branch's managers switch its channels, audited with what was before", async () => {
    const { channels, audits } = setup();
    expect(await channels.branch(ann, 'b1')).toEqual({ email: false, webhook: false });
    expect(await channels.setBranch(sec, 'b1', { email: true, webhook: false })).toEqual({
      email: true,
      webhook: false,
    });
    await channels.setBranch(sec, 'b1', { email: true, webhook: true });
    expect(audits.map((a) => [a.action, a.before, a.after])).toEqual([
      ['unit.channels', { email: false, webhook: false }, { email: true, webhook: false }],
      ['unit.channels', { email: true, webhook: false }, { email: true, webhook: true }],
    ]);
    await expect(channels.setBranch(ann, 'b1', { email: false, webhook: false })).rejects.toThrow(
      DomainError,
    );
    await expect(channels.setBranch(sec, 'g1', { email: true, webhook: false })).rejects.toMatchObject({
      messageKey: 'channels.branchOnly',
    });
    expect(audits).toHaveLength(2);
  });

  it("keeps each person's own preferences, and a robot only on an allowed host", async () => {
    const { channels } = setup();
    expect(await channels.prefs(ann)).toEqual({ email: null, webhook: null, events: {} });
    const mine: NotificationPrefs = {
      email: 'ann@example.org',
      webhook: { kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' },
      events: {},
    };
    expect(await channels.setPrefs(ann, mine)).toEqual(mine);
    expect(await channels.prefs(sec)).toEqual({ email: null, webhook: null, events: {} });
    await expect(
      channels.setPrefs(ann, { ...mine, webhook: { kind: 'wecom', url: 'http://10.0.0.1/hook' } }),
    ).rejects.toMatchObject({ messageKey: 'channels.webhookHost' });
    expect((await channels.prefs(ann)).webhook).toEqual(mine.webhook);
  });
});
