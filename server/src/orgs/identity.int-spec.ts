import { demoUnits, DemoUnits, userIdByPhone } from '../test-support/fixtures';
import { startTestApp, TestApp } from '../test-support/int-app';

/**
 * A person's name, login phone and member type are one account's, shared by every unit the person belongs to.
 * A manager of another branch must not be able to take that account over.
 */
describe('identity of a person in several units (real PostgreSQL)', () => {
  let t: TestApp;
  let u: DemoUnits;
  beforeAll(async () => {
    t = await startTestApp();
    u = await demoUnits(t.ds);
  });
  afterAll(() => t.close());

  const person = async (phone: string) =>
    (
      await t.ds.query('SELECT id, name, phone, member_type AS "memberType" FROM app_user WHERE phone = $1', [
        phone,
      ])
    )[0] as { id: string; name: string; phone: string; memberType: string } | undefined;

  it("a secretary of branch 2 cannot rename, re-phone or demote branch 1's secretary", async () => {
    const secretary2 = await t.login('secretary2');
    const liId = await userIdByPhone(t.ds, '13800000011');
    // Adding her existing account to branch 2 attaches it as it is: her member type does not change.
    const added = await t
      .http()
      .post(`/api/org-units/${u.branchB}/members`)
      .set(secretary2.auth)
      .send({ name: '李红梅', phone: '13800000011', memberType: 'probationary' })
      .expect(201);
    expect(added.body.memberType).toBe('member');
    expect(await person('13800000011')).toMatchObject({ name: '李红梅', memberType: 'member' });

    const path = `/api/org-units/${u.branchB}/members/${added.body.membershipId}`;
    for (const body of [{ name: '改了名' }, { phone: '13912345678' }, { memberType: 'probationary' }]) {
      const res = await t.http().patch(path).set(secretary2.auth).send(body).expect(403);
      expect(res.body.code).toBe('forbidden');
    }
    // Her post in branch 2 is branch 2's business.
    await t.http().patch(path).set(secretary2.auth).send({ role: 'organizer' }).expect(200);
    expect(await person('13800000011')).toMatchObject({ id: liId, name: '李红梅', memberType: 'member' });
    await t.login('13800000011'); // still signs in with her phone

    // Branch 1 (and the committee) see in their own audit trail that she was attached elsewhere.
    const elsewhere: { unit_id: string }[] = await t.ds.query(
      `SELECT unit_id FROM audit_event WHERE action = 'member.joined_elsewhere' AND entity_id = $1`,
      [liId],
    );
    expect(elsewhere.map((e) => e.unit_id).sort()).toEqual([u.branchA, u.committee].sort());

    await t.http().delete(path).set(secretary2.auth).expect(204);
  });

  it('an administrator may change such a person, audited under every unit the person belongs to', async () => {
    const admin = await t.login('admin');
    const id = await userIdByPhone(t.ds, '13800000013'); // 刘洋: branch 1 and its party group
    const roster = await t
      .http()
      .get(`/api/org-units/${u.branchA}/members`)
      .query({ q: '刘洋' })
      .set(admin.auth)
      .expect(200);
    await t
      .http()
      .patch(`/api/org-units/${u.branchA}/members/${roster.body[0].membershipId}`)
      .set(admin.auth)
      .send({ name: '刘洋洋' })
      .expect(200);
    expect(await person('13800000013')).toMatchObject({ name: '刘洋洋' });
    const events: { action: string; unit_id: string }[] = await t.ds.query(
      `SELECT action, unit_id FROM audit_event
        WHERE (entity_id = $1 OR entity_id = $2) AND action IN ('member.update', 'user.identity_update')`,
      [id, roster.body[0].membershipId],
    );
    expect(events.map((e) => e.unit_id).sort()).toEqual([u.branchA, u.groupA].sort());
  });

  it('a secretary changes the name of a person who is only in her own units', async () => {
    const secretary1 = await t.login('secretary1');
    const roster = await t
      .http()
      .get(`/api/org-units/${u.branchA}/members`)
      .query({ q: '周杰' })
      .set(secretary1.auth)
      .expect(200);
    await t
      .http()
      .patch(`/api/org-units/${u.branchA}/members/${roster.body[0].membershipId}`)
      .set(secretary1.auth)
      .send({ name: '周杰伦', memberType: 'probationary' })
      .expect(200);
    expect(await person('13800000018')).toMatchObject({ name: '周杰伦', memberType: 'probationary' });
  });

  it("a roster import into branch 2 never changes the member type of branch 1's people", async () => {
    const secretary2 = await t.login('secretary2');
    const csv = Buffer.from('姓名,手机号,职务,党员类型\n张伟,13800000012,党员,预备党员\n', 'utf8');
    const res = await t
      .http()
      .post(`/api/org-units/${u.branchB}/roster/import`)
      .set(secretary2.auth)
      .attach('file', csv, 'r.csv')
      .expect(200);
    expect(res.body.applied).toBe(true);
    expect(await person('13800000012')).toMatchObject({ name: '张伟', memberType: 'member' });
  });

  it("an ordinary member sees names and posts, not other members' phones (masked in the API)", async () => {
    const member = await t.login('member1');
    const seen = await t.http().get(`/api/org-units/${u.branchA}/members`).set(member.auth).expect(200);
    const phones = (seen.body as { userId: string; phone: string; name: string; role: string }[]).map(
      (m) => ({
        own: m.userId === member.session.me.user.id,
        phone: m.phone,
      }),
    );
    expect(phones.filter((p) => p.own)).toEqual([{ own: true, phone: '13800000013' }]);
    for (const p of phones.filter((x) => !x.own)) expect(p.phone).toMatch(/^1\d{2}\*{4}\d{4}$/);
    expect(JSON.stringify(seen.body)).not.toContain('13800000012');
    expect(seen.body[0]).toMatchObject({ name: expect.any(String), role: 'secretary' });
    // Nor can a member look a phone up by searching for it.
    const search = await t
      .http()
      .get(`/api/org-units/${u.branchA}/members`)
      .query({ q: '13800000012' })
      .set(member.auth)
      .expect(200);
    expect(search.body).toEqual([]);

    // The branch's secretary and the committee above see them.
    for (const login of ['secretary1', 'committee']) {
      const { auth } = await t.login(login);
      const full = await t.http().get(`/api/org-units/${u.branchA}/members`).set(auth).expect(200);
      expect(JSON.stringify(full.body)).toContain('13800000012');
    }
  });

  it('an export of the roster (with phones) is audited: who, which unit, how many rows', async () => {
    const committee = await t.login('committee');
    await t.http().get(`/api/org-units/${u.branchA}/roster/export`).set(committee.auth).expect(200);
    const [line] = await t.ds.query(
      `SELECT actor_id, unit_id, after FROM audit_event WHERE action = 'roster.export' ORDER BY id DESC LIMIT 1`,
    );
    expect(line).toMatchObject({
      actor_id: committee.session.me.user.id,
      unit_id: u.branchA,
      after: { rows: expect.any(Number), phones: true },
    });
    expect(JSON.stringify(line)).not.toContain('1380000');
  });
});
