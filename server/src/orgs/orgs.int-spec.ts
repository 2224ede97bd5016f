import type { OrgUnit, RosterMember } from '@branchmeet/shared';
import { DemoUnits, demoUnits, userIdByPhone } from '../test-support/fixtures';
import { startTestApp, TestApp } from '../test-support/int-app';

describe('organisation tree and rosters (real PostgreSQL)', () => {
  let t: TestApp;
  let u: DemoUnits;
  const as = {} as Record<
    'admin' | 'committee' | 'secretary1' | 'member1' | 'secretary2',
    { Authorization: string }
  >;

  const units = async (who: keyof typeof as): Promise<OrgUnit[]> =>
    (await t.http().get('/api/org-units').set(as[who]).expect(200)).body;
  const roster = async (unitId: string, q?: string): Promise<RosterMember[]> =>
    (
      await t
        .http()
        .get(`/api/org-units/${unitId}/members`)
        .set(as.secretary1)
        .query(q === undefined ? {} : { q })
        .expect(200)
    ).body;
  const createUnit = (who: keyof typeof as, body: { name: string; type: string; parentId: string | null }) =>
    t.http().post('/api/org-units').set(as[who]).send(body);
  const lastEvent = async (entityId: string) =>
    (
      await t.ds.query(
        'SELECT action, actor_id, unit_id, before, after FROM audit_event WHERE entity_id = $1 ORDER BY id DESC LIMIT 1',
        [entityId],
      )
    )[0];

  beforeAll(async () => {
    t = await startTestApp();
    u = await demoUnits(t.ds);
    for (const who of Object.keys({
      admin: 1,
      committee: 1,
      secretary1: 1,
      member1: 1,
      secretary2: 1,
    }) as (keyof typeof as)[]) {
      as[who] = (await t.login(who)).auth;
    }
  });
  afterAll(() => t?.close());

  describe('GET /api/org-units: each person sees their part of the tree', () => {
    const view = (list: OrgUnit[]) => list.map((x) => [x.name, x.access]).sort();

    it('a branch member sees their branch and party group: not the committee, not the other branch', async () => {
      const list = await units('member1');
      expect(view(list)).toEqual([
        ['第一党小组', 'member'],
        ['第一党支部', 'member'],
      ]);
      expect(list.find((x) => x.id === u.branchA)).toMatchObject({
        type: 'branch',
        parentId: u.committee,
        memberCount: 9,
      });
    });

    it('the committee secretary sees all four units and supervises the branches below', async () => {
      expect(view(await units('committee'))).toEqual([
        ['示范单位党委', 'manager'],
        ['第一党小组', 'supervisor'],
        ['第一党支部', 'supervisor'],
        ['第二党支部', 'supervisor'],
      ]);
    });

    it('a branch secretary who also sits on the committee manages their branch and does not see the other one', async () => {
      expect(view(await units('secretary1'))).toEqual([
        ['示范单位党委', 'member'],
        ['第一党小组', 'manager'],
        ['第一党支部', 'manager'],
      ]);
    });

    it('the administrator sees everything', async () => {
      const list = await units('admin');
      expect(list).toHaveLength(4);
      expect(new Set(list.map((x) => x.access))).toEqual(new Set(['admin']));
    });
  });

  describe('tree rules', () => {
    it('an administrator builds a new tree: committee → general branch → branch → party group', async () => {
      const committee = await createUnit('admin', {
        name: '新区党委',
        type: 'committee',
        parentId: null,
      }).expect(201);
      expect(committee.body).toMatchObject({
        name: '新区党委',
        type: 'committee',
        parentId: null,
        access: 'admin',
        memberCount: 0,
      });
      const general = await createUnit('admin', {
        name: '机关党总支',
        type: 'general_branch',
        parentId: committee.body.id,
      }).expect(201);
      const branch = await createUnit('admin', {
        name: '机关第一党支部',
        type: 'branch',
        parentId: general.body.id,
      }).expect(201);
      const group = await createUnit('admin', {
        name: '机关党小组',
        type: 'group',
        parentId: branch.body.id,
      }).expect(201);
      expect(group.body.parentId).toBe(branch.body.id);
      expect(await lastEvent(branch.body.id)).toMatchObject({
        action: 'unit.create',
        actor_id: (await t.ds.query(`SELECT id FROM app_user WHERE username = 'admin'`))[0].id,
        after: { name: '机关第一党支部', type: 'branch', parentId: general.body.id },
      });
    });

    it('refuses a unit under the wrong kind of parent, and a root that is not a committee', async () => {
      const res = await createUnit('admin', { name: '错位支部', type: 'branch', parentId: u.groupA }).expect(
        400,
      );
      expect(res.body).toEqual({
        code: 'invalid_parent',
        message: '党支部不能设在党小组之下',
      });
      await createUnit('admin', { name: '错位小组', type: 'group', parentId: u.committee }).expect(400);
      await createUnit('admin', { name: '无根支部', type: 'branch', parentId: null }).expect(400);
      expect((await units('admin')).map((x) => x.name)).not.toEqual(expect.arrayContaining(['错位支部']));
    });

    it('a branch secretary creates a party group under their branch, but not a branch', async () => {
      const group = await createUnit('secretary1', {
        name: '第二党小组',
        type: 'group',
        parentId: u.branchA,
      }).expect(201);
      expect(group.body).toMatchObject({ type: 'group', parentId: u.branchA, access: 'manager' });
      const branch = await createUnit('secretary1', {
        name: '私设支部',
        type: 'branch',
        parentId: u.branchA,
      }).expect(403);
      expect(branch.body.code).toBe('forbidden');
      await createUnit('secretary1', { name: '私设支部', type: 'branch', parentId: u.committee }).expect(403);
      // Nor a party group in a branch that is not theirs (whose existence is not even revealed).
      await createUnit('secretary1', { name: '别人的小组', type: 'group', parentId: u.branchB }).expect(404);
      // The new group shows up for the branch's members.
      expect((await units('member1')).map((x) => x.name)).toContain('第二党小组');
    });

    it('refuses to delete a unit that still has units or members under it (409), then deletes it when empty', async () => {
      const branch = (
        await createUnit('admin', { name: '待撤销支部', type: 'branch', parentId: u.committee }).expect(201)
      ).body;
      const group = (
        await createUnit('admin', { name: '待撤销小组', type: 'group', parentId: branch.id }).expect(201)
      ).body;
      const withChild = await t.http().delete(`/api/org-units/${branch.id}`).set(as.admin).expect(409);
      expect(withChild.body).toEqual({ code: 'conflict', message: '待撤销支部下还有 1 个组织' });
      await t.http().delete(`/api/org-units/${group.id}`).set(as.admin).expect(204);

      const member = await t
        .http()
        .post(`/api/org-units/${branch.id}/members`)
        .set(as.admin)
        .send({ name: '留守党员', phone: '13922220001' })
        .expect(201);
      const withMember = await t.http().delete(`/api/org-units/${branch.id}`).set(as.admin).expect(409);
      expect(withMember.body.message).toBe('待撤销支部还有 1 名成员');
      await t
        .http()
        .delete(`/api/org-units/${branch.id}/members/${member.body.membershipId}`)
        .set(as.admin)
        .expect(204);
      await t.http().delete(`/api/org-units/${branch.id}`).set(as.admin).expect(204);
      await t.http().get(`/api/org-units/${branch.id}`).set(as.admin).expect(404);
      expect(await lastEvent(branch.id)).toMatchObject({
        action: 'unit.delete',
        before: { name: '待撤销支部', members: 0 },
      });

      // The demo committee and branch A are not empty.
      await t.http().delete(`/api/org-units/${u.committee}`).set(as.admin).expect(409);
      await t.http().delete(`/api/org-units/${u.branchA}`).set(as.admin).expect(409);
    });

    it('deleting a party group keeps its members in the branch, without a group', async () => {
      const group = (
        await createUnit('secretary1', { name: '临时党小组', type: 'group', parentId: u.branchA }).expect(201)
      ).body;
      const added = await t
        .http()
        .post(`/api/org-units/${u.branchA}/members`)
        .set(as.secretary1)
        .send({ name: '组员甲', phone: '13922220002', groupId: group.id })
        .expect(201);
      expect(added.body.groupName).toBe('临时党小组');
      await t.http().delete(`/api/org-units/${group.id}`).set(as.secretary1).expect(204);
      const [after] = await roster(u.branchA, '组员甲');
      expect(after).toMatchObject({ membershipId: added.body.membershipId, groupId: null, groupName: null });
    });
  });

  describe('members', () => {
    it('adds, edits and removes a member; each step is an audit event with who, before and after', async () => {
      const secretaryId = await userIdByPhone(t.ds, '13800000011');
      const add = await t
        .http()
        .post(`/api/org-units/${u.branchA}/members`)
        .set(as.secretary1)
        .send({
          name: '新同志',
          phone: '13922223333',
          role: 'member',
          memberType: 'probationary',
          groupId: u.groupA,
        })
        .expect(201);
      const added: RosterMember = add.body;
      expect(added).toMatchObject({
        name: '新同志',
        phone: '13922223333',
        role: 'member',
        memberType: 'probationary',
        groupName: '第一党小组',
      });
      expect((await roster(u.branchA)).map((m) => m.membershipId)).toContain(added.membershipId);
      expect(await lastEvent(added.membershipId)).toEqual({
        action: 'member.add',
        actor_id: secretaryId,
        unit_id: u.branchA,
        before: null,
        after: added,
      });

      const edit = await t
        .http()
        .patch(`/api/org-units/${u.branchA}/members/${added.membershipId}`)
        .set(as.secretary1)
        .send({ name: '新同志（转正）', memberType: 'member', role: 'committee_member' })
        .expect(200);
      expect(edit.body).toMatchObject({
        name: '新同志（转正）',
        memberType: 'member',
        role: 'committee_member',
        groupName: '第一党小组',
      });
      expect(await lastEvent(added.membershipId)).toEqual({
        action: 'member.update',
        actor_id: secretaryId,
        unit_id: u.branchA,
        before: added,
        after: edit.body,
      });

      await t
        .http()
        .delete(`/api/org-units/${u.branchA}/members/${added.membershipId}`)
        .set(as.secretary1)
        .expect(204);
      expect((await roster(u.branchA)).map((m) => m.membershipId)).not.toContain(added.membershipId);
      // Gone from the branch means gone from its party group too.
      const groups = await t.ds.query('SELECT 1 FROM membership WHERE user_id = $1', [added.userId]);
      expect(groups).toEqual([]);
      expect(await lastEvent(added.membershipId)).toEqual({
        action: 'member.remove',
        actor_id: secretaryId,
        unit_id: u.branchA,
        before: edit.body,
        after: null,
      });
    });

    it("refuses a phone that is someone else's, and the same person twice (409)", async () => {
      const taken = await t
        .http()
        .post(`/api/org-units/${u.branchA}/members`)
        .set(as.secretary1)
        .send({ name: '冒名者', phone: '13800000023' })
        .expect(409);
      // The holder is never named: the phone may be anybody's.
      expect(taken.body.message).toBe('手机号 13800000023 已被注册');
      const twice = await t
        .http()
        .post(`/api/org-units/${u.branchA}/members`)
        .set(as.secretary1)
        .send({ name: '张伟', phone: '13800000012' })
        .expect(409);
      expect(twice.body.message).toBe('张伟已是第一党支部的成员');
      const [zhang] = await roster(u.branchA, '张伟');
      await t
        .http()
        .patch(`/api/org-units/${u.branchA}/members/${zhang.membershipId}`)
        .set(as.secretary1)
        .send({ phone: '13800000019' })
        .expect(409);
      expect((await roster(u.branchA, '张伟'))[0].phone).toBe('13800000012');
    });

    it('searches the roster by part of a name, a phone or a party group, within the branch only', async () => {
      const names = async (q: string) => (await roster(u.branchA, q)).map((m) => m.name).sort();
      expect(await names('红梅')).toEqual(['李红梅']);
      expect(await names('0000019')).toEqual(['吴敏']);
      expect(await names('1380000001')).toEqual(
        ['刘洋', '吴敏', '周杰', '张伟', '李红梅', '杨帆', '赵磊', '陈静', '黄丽'].sort(),
      );
      expect(await names('第一党小组')).toEqual(['刘洋', '杨帆', '陈静', '黄丽'].sort());
      expect(await names('朱琳')).toEqual([]); // a member of branch B
      expect(await names('%')).toEqual([]); // a wildcard is a character, not "everything"
      expect((await roster(u.branchA)).length).toBeGreaterThanOrEqual(9);
    });

    it('moves a member from one party group to another, and out of any group', async () => {
      const target = (
        await createUnit('secretary1', { name: '第三党小组', type: 'group', parentId: u.branchA }).expect(201)
      ).body;
      const [liu] = await roster(u.branchA, '刘洋');
      expect(liu.groupName).toBe('第一党小组');
      const moved = await t
        .http()
        .patch(`/api/org-units/${u.branchA}/members/${liu.membershipId}`)
        .set(as.secretary1)
        .send({ groupId: target.id })
        .expect(200);
      expect(moved.body).toMatchObject({ groupId: target.id, groupName: '第三党小组' });
      const groupsOf = async () =>
        (
          await t.ds.query(
            `SELECT g.name FROM membership m JOIN org_unit g ON g.id = m.unit_id WHERE m.user_id = $1 AND g.type = 'group'`,
            [liu.userId],
          )
        ).map((r: { name: string }) => r.name);
      expect(await groupsOf()).toEqual(['第三党小组']);
      expect(await lastEvent(liu.membershipId)).toMatchObject({
        action: 'member.update',
        before: { groupName: '第一党小组' },
        after: { groupName: '第三党小组' },
      });
      // member1 sees the group they are in now.
      expect((await units('member1')).map((x) => x.name)).toEqual(
        expect.arrayContaining(['第三党小组', '第一党支部']),
      );

      // A group of another branch is refused; the member stays where they are.
      const other = (
        await createUnit('secretary2', { name: '二支部党小组', type: 'group', parentId: u.branchB }).expect(
          201,
        )
      ).body;
      const wrong = await t
        .http()
        .patch(`/api/org-units/${u.branchA}/members/${liu.membershipId}`)
        .set(as.secretary1)
        .send({ groupId: other.id })
        .expect(400);
      expect(wrong.body.code).toBe('invalid_group');
      expect(await groupsOf()).toEqual(['第三党小组']);

      await t
        .http()
        .patch(`/api/org-units/${u.branchA}/members/${liu.membershipId}`)
        .set(as.secretary1)
        .send({ groupId: null })
        .expect(200);
      expect(await groupsOf()).toEqual([]);
      expect((await roster(u.branchA, '刘洋'))[0]).toMatchObject({ groupId: null, groupName: null });
    });
  });
});
