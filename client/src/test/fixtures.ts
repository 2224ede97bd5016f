import type { Me, OrgUnit, RosterMember } from '@branchmeet/shared';

export const ids = {
  committee: '11111111-1111-4111-8111-111111111111',
  branchA: '22222222-2222-4222-8222-222222222222',
  branchB: '33333333-3333-4333-8333-333333333333',
  groupA1: '44444444-4444-4444-8444-444444444444',
  secretary: '55555555-5555-4555-8555-555555555555',
  member1: '66666666-6666-4666-8666-666666666666',
  membership1: '77777777-7777-4777-8777-777777777777',
  membership2: '88888888-8888-4888-8888-888888888888',
};

export function unit(over: Partial<OrgUnit> & Pick<OrgUnit, 'id' | 'name' | 'type'>): OrgUnit {
  return { parentId: null, memberCount: 0, access: 'member', ...over };
}

export const branchA = unit({
  id: ids.branchA,
  name: '第一党支部',
  type: 'branch',
  parentId: ids.committee,
  memberCount: 2,
  access: 'manager',
});

export const groupA1 = unit({
  id: ids.groupA1,
  name: '第一党小组',
  type: 'group',
  parentId: ids.branchA,
  memberCount: 1,
  access: 'manager',
});

export const secretaryMe: Me = {
  user: {
    id: ids.secretary,
    name: '王书记',
    phone: '13800000001',
    username: 'wang',
    memberType: 'member',
    isAdmin: false,
    mustChangePassword: false,
  },
  memberships: [{ unitId: ids.branchA, unitName: '第一党支部', unitType: 'branch', role: 'secretary' }],
};

export const adminMe: Me = {
  user: { ...secretaryMe.user, name: '管理员', isAdmin: true, username: 'admin' },
  memberships: [],
};

export const rosterA: RosterMember[] = [
  {
    membershipId: ids.membership1,
    userId: ids.secretary,
    name: '王书记',
    phone: '13800000001',
    username: 'wang',
    role: 'secretary',
    memberType: 'member',
    groupId: null,
    groupName: null,
  },
  {
    membershipId: ids.membership2,
    userId: ids.member1,
    name: '李党员',
    phone: '13800000002',
    username: null,
    role: 'member',
    memberType: 'probationary',
    groupId: ids.groupA1,
    groupName: '第一党小组',
  },
];

export const tokens = { accessToken: 'access-1', refreshToken: 'refresh-token-1', expiresIn: 900 };

export function signIn(): void {
  localStorage.setItem('branchmeet.tokens', JSON.stringify(tokens));
}
