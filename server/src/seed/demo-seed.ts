import { randomUUID } from 'node:crypto';
import type { MemberType, OrgUnitType, UnitRole } from '@branchmeet/shared';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AuditInput, AuditService } from '../audit/audit.service';
import { AuditRepository } from '../audit/audit.repository';
import { hashPassword } from '../auth/passwords';
import { UserEntity } from '../auth/user.entity';
import { AppConfig } from '../config/config';
import { MembershipEntity } from '../orgs/membership.entity';
import { OrgUnitEntity } from '../orgs/org-unit.entity';

export const DEMO_PASSWORD = 'Demo@2026';
export const DEMO_COMMITTEE = '示范单位党委';

/** `auto` seeds an empty embedded database; `true` seeds any database that has no demo yet. */
export async function shouldSeedDemo(ds: DataSource, config: AppConfig, embedded: boolean): Promise<boolean> {
  if (config.SEED_DEMO === 'false') return false;
  if (config.SEED_DEMO === 'auto' && !embedded) return false;
  if (config.SEED_DEMO === 'auto') return (await ds.getRepository(UserEntity).count()) === 0;
  return !(await ds.getRepository(OrgUnitEntity).existsBy({ name: DEMO_COMMITTEE, parentId: IsNull() }));
}

interface DemoPerson {
  name: string;
  phone: string;
  username?: string;
  memberType?: MemberType;
  units: [unit: string, role: UnitRole][];
}

const units: { key: string; name: string; type: OrgUnitType; parent?: string }[] = [
  { key: 'committee', name: DEMO_COMMITTEE, type: 'committee' },
  { key: 'b1', name: '第一党支部', type: 'branch', parent: 'committee' },
  { key: 'b2', name: '第二党支部', type: 'branch', parent: 'committee' },
  { key: 'g1', name: '第一党小组', type: 'group', parent: 'b1' },
];

const people: DemoPerson[] = [
  { name: '王建国', phone: '13800000001', username: 'committee', units: [['committee', 'secretary']] },
  {
    name: '李红梅',
    phone: '13800000011',
    username: 'secretary1',
    units: [
      ['b1', 'secretary'],
      ['committee', 'committee_member'],
    ],
  },
  { name: '张伟', phone: '13800000012', units: [['b1', 'organizer']] },
  {
    name: '刘洋',
    phone: '13800000013',
    username: 'member1',
    units: [
      ['b1', 'member'],
      ['g1', 'member'],
    ],
  },
  {
    name: '陈静',
    phone: '13800000014',
    units: [
      ['b1', 'committee_member'],
      ['g1', 'member'],
    ],
  },
  {
    name: '杨帆',
    phone: '13800000015',
    units: [
      ['b1', 'member'],
      ['g1', 'member'],
    ],
  },
  { name: '赵磊', phone: '13800000016', units: [['b1', 'member']] },
  {
    name: '黄丽',
    phone: '13800000017',
    memberType: 'probationary',
    units: [
      ['b1', 'member'],
      ['g1', 'member'],
    ],
  },
  { name: '周杰', phone: '13800000018', units: [['b1', 'member']] },
  { name: '吴敏', phone: '13800000019', units: [['b1', 'member']] },
  {
    name: '孙强',
    phone: '13800000021',
    username: 'secretary2',
    units: [
      ['b2', 'secretary'],
      ['committee', 'committee_member'],
    ],
  },
  { name: '马超', phone: '13800000022', units: [['b2', 'deputy_secretary']] },
  { name: '朱琳', phone: '13800000023', username: 'member2', units: [['b2', 'member']] },
  { name: '胡斌', phone: '13800000024', units: [['b2', 'organizer']] },
  { name: '郭芳', phone: '13800000025', units: [['b2', 'member']] },
  { name: '林涛', phone: '13800000026', units: [['b2', 'member']] },
  { name: '何娟', phone: '13800000027', memberType: 'probationary', units: [['b2', 'member']] },
  { name: '高峰', phone: '13800000028', units: [['b2', 'member']] },
  { name: '罗燕', phone: '13800000029', units: [['b2', 'member']] },
  { name: '郑凯', phone: '13800000030', units: [['b2', 'member']] },
];

/** Creates the demo organisation (a committee, two branches, a party group, 20 members) and an admin. */
export async function seedDemo(ds: DataSource, print: (line: string) => void = console.log): Promise<void> {
  const audit = new AuditService(new AuditRepository(ds));
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await ds.transaction(async (em) => {
    const events: AuditInput[] = [];
    const ids = new Map<string, OrgUnitEntity>();
    for (const u of units) {
      const id = randomUUID();
      const parent = u.parent ? ids.get(u.parent)! : null;
      const unit = em.create(OrgUnitEntity, {
        id,
        name: u.name,
        type: u.type,
        parentId: parent?.id ?? null,
        path: parent ? `${parent.path}/${id}` : id,
      });
      await em.insert(OrgUnitEntity, unit);
      ids.set(u.key, unit);
      events.push({
        actorId: null,
        action: 'unit.create',
        entityType: 'org_unit',
        entityId: id,
        unitId: id,
        after: { name: u.name, type: u.type, parentId: unit.parentId, source: 'seed' },
      });
    }
    const admin = await ensureAdmin(em, 'admin', '系统管理员', passwordHash);
    if (admin)
      events.push({
        actorId: null,
        action: 'user.create',
        entityType: 'user',
        entityId: admin.id,
        after: { username: 'admin', isAdmin: true, source: 'seed' },
      });
    for (const p of people) {
      const user = em.create(UserEntity, {
        name: p.name,
        phone: p.phone,
        username: p.username ?? null,
        memberType: p.memberType ?? 'member',
        passwordHash,
      });
      await em.save(user);
      for (const [key, role] of p.units) {
        const m = em.create(MembershipEntity, { userId: user.id, unitId: ids.get(key)!.id, role });
        await em.save(m);
        events.push({
          actorId: null,
          action: 'member.add',
          entityType: 'membership',
          entityId: m.id,
          unitId: m.unitId,
          after: { name: p.name, phone: p.phone, role, source: 'seed' },
        });
      }
    }
    await audit.append(em, events);
  });
  print(
    'Demo data created. Sign in at http://localhost:3000 with any of these (password ' + DEMO_PASSWORD + '):',
  );
  print('  admin        系统管理员 (system administrator)');
  print('  committee    王建国, secretary of 示范单位党委 (reads both branches)');
  print('  secretary1   李红梅, secretary of 第一党支部 (manages its roster)');
  print('  member1      刘洋, member of 第一党支部 / 第一党小组');
  print('  secretary2   孙强, secretary of 第二党支部');
  print('  member2      朱琳, member of 第二党支部');
  print('  (phone numbers work too, e.g. 13800000011)');
}

/** Creates an administrator account unless that username exists; returns it when created. */
export async function ensureAdmin(
  em: EntityManager,
  username: string,
  name: string,
  passwordHash: string,
  phone: string | null = null,
) {
  if (await em.existsBy(UserEntity, { username })) return null;
  const admin = em.create(UserEntity, { name, username, phone, passwordHash, isAdmin: true });
  return em.save(admin);
}
