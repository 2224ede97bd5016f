import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  AddMemberRequest,
  allowedChildTypes,
  CreateOrgUnitRequest,
  MembershipSummary,
  OrgUnit,
  RosterMember,
  UpdateMemberRequest,
  UpdateOrgUnitRequest,
  childTypeAction,
  deleteUnitAction,
  type Relation,
} from '@branchmeet/shared';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { SessionsService } from '../auth/sessions.service';
import { UserEntity } from '../auth/user.entity';
import { Conflict, DomainError, Forbidden, NotFound } from '../common/domain-error';
import { AccessService } from './access.service';
import { MembershipEntity } from './membership.entity';
import { OrgUnitEntity } from './org-unit.entity';
import { maskPhone } from './roster-phone';
import { RosterRepository } from './roster.repository';

const auditUnit = (u: OrgUnitEntity) => ({ name: u.name, type: u.type, parentId: u.parentId });

@Injectable()
export class OrgsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rosterRepo: RosterRepository,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
  ) {}

  /** The units a person belongs to and their role in each, root first. */
  membershipsOf(userId: string): Promise<MembershipSummary[]> {
    return this.dataSource
      .getRepository(MembershipEntity)
      .createQueryBuilder('m')
      .innerJoin(OrgUnitEntity, 'u', 'u.id = m.unit_id')
      .select(['m.unit_id AS "unitId"', 'u.name AS "unitName"', 'u.type AS "unitType"', 'm.role AS role'])
      .where('m.user_id = :userId', { userId })
      .orderBy('u.path')
      .getRawMany<MembershipSummary>();
  }

  async list(user: AuthUser): Promise<OrgUnit[]> {
    const visible = await this.access.visibleUnits(user);
    const counts = await this.rosterRepo.memberCounts(visible.map((v) => v.unit.id));
    return visible.map(({ unit, relation }) => this.toDto(unit, relation, counts.get(unit.id) ?? 0));
  }

  async get(user: AuthUser, unitId: string): Promise<OrgUnit> {
    const { unit, relation } = await this.access.unit(user, unitId, 'unit.read');
    const counts = await this.rosterRepo.memberCounts([unit.id]);
    return this.toDto(unit, relation, counts.get(unit.id) ?? 0);
  }

  async create(user: AuthUser, body: CreateOrgUnitRequest): Promise<OrgUnit> {
    let parent: OrgUnitEntity | null = null;
    if (body.parentId === null) {
      await this.access.assertGlobal(user, 'tree.create_root');
      if (body.type !== 'committee') {
        throw new DomainError('invalid_parent', 400, 'orgs.rootMustBeCommittee');
      }
    } else {
      parent = (await this.access.unit(user, body.parentId, childTypeAction(body.type))).unit;
      if (!allowedChildTypes[parent.type].includes(body.type)) {
        throw new DomainError('invalid_parent', 400, 'orgs.invalidParent', {
          child: { key: `unitType.${body.type}` },
          parent: { key: `unitType.${parent.type}` },
        });
      }
    }
    const id = randomUUID();
    const unit = await this.dataSource.transaction(async (em) => {
      const entity = em.create(OrgUnitEntity, {
        id,
        name: body.name,
        type: body.type,
        parentId: parent?.id ?? null,
        path: parent ? `${parent.path}/${id}` : id,
      });
      await em.insert(OrgUnitEntity, entity);
      await this.audit.append(em, {
        actorId: user.id,
        action: 'unit.create',
        entityType: 'org_unit',
        entityId: id,
        unitId: id,
        after: auditUnit(entity),
      });
      return entity;
    });
    return this.get(user, unit.id);
  }

  async update(user: AuthUser, unitId: string, body: UpdateOrgUnitRequest): Promise<OrgUnit> {
    const { unit } = await this.access.unit(user, unitId, 'unit.update');
    await this.dataSource.transaction(async (em) => {
      await em.update(OrgUnitEntity, { id: unit.id }, { name: body.name });
      await this.audit.append(em, {
        actorId: user.id,
        action: 'unit.update',
        entityType: 'org_unit',
        entityId: unit.id,
        unitId: unit.id,
        before: auditUnit(unit),
        after: auditUnit({ ...unit, name: body.name }),
      });
    });
    return this.get(user, unit.id);
  }

  async remove(user: AuthUser, unitId: string): Promise<void> {
    const { unit: probe } = await this.access.unit(user, unitId, 'unit.read');
    const { unit } = await this.access.unit(user, unitId, deleteUnitAction(probe.type));
    await this.dataSource.transaction(async (em) => {
      const children = await em.countBy(OrgUnitEntity, { parentId: unit.id });
      if (children > 0) throw Conflict('orgs.hasUnits', { unit: unit.name, count: children });
      // A party group's members stay in the branch; any other unit must be emptied first.
      const members = await em.countBy(MembershipEntity, { unitId: unit.id });
      if (members > 0 && unit.type !== 'group')
        throw Conflict('orgs.hasMembers', { unit: unit.name, count: members });
      await em.delete(MembershipEntity, { unitId: unit.id });
      await em.delete(OrgUnitEntity, { id: unit.id });
      await this.audit.append(em, {
        actorId: user.id,
        action: 'unit.delete',
        entityType: 'org_unit',
        entityId: unit.id,
        unitId: unit.parentId,
        before: { ...auditUnit(unit), members },
      });
    });
  }

  /**
   * Minimum disclosure (PIPL): managers, upper levels and administrators see phones; an ordinary member sees
   * names and posts, every phone but their own masked, and cannot search by phone.
   */
  async roster(user: AuthUser, unitId: string, q?: string): Promise<RosterMember[]> {
    const { unit, relation } = await this.access.unit(user, unitId, 'roster.read');
    if (relation !== 'member') return this.rosterRepo.members(this.dataSource.manager, unit.id, { q });
    const members = await this.rosterRepo.members(this.dataSource.manager, unit.id, {
      q,
      searchPhones: false,
    });
    return members.map((m) =>
      m.userId === user.id ? m : { ...m, phone: maskPhone(m.phone), username: null },
    );
  }

  async addMember(user: AuthUser, unitId: string, body: AddMemberRequest): Promise<RosterMember> {
    const { unit } = await this.access.unit(user, unitId, 'roster.manage');
    return this.dataSource.transaction(async (em) => {
      await this.checkGroup(em, unit, body.groupId);
      let person = await em.findOneBy(UserEntity, { phone: body.phone });
      // Never name the holder of a phone: it may be anybody's, in any branch (no phone → name look-up).
      if (person && person.name !== body.name) throw Conflict('orgs.phoneTaken', { phone: body.phone });
      if (person && (await em.existsBy(MembershipEntity, { userId: person.id, unitId: unit.id }))) {
        throw Conflict('orgs.alreadyMember', { name: person.name, unit: unit.name });
      }
      // An existing account joins as it is: its name, phone and member type are its other units' too.
      const elsewhere = person ? await this.unitsOf(em, person.id) : [];
      if (!person) {
        person = em.create(UserEntity, { name: body.name, phone: body.phone, memberType: body.memberType });
        await em.save(person);
      }
      const membership = em.create(MembershipEntity, { userId: person.id, unitId: unit.id, role: body.role });
      await em.save(membership);
      if (body.groupId)
        await em.insert(MembershipEntity, { userId: person.id, unitId: body.groupId, role: 'member' });
      const [after] = await this.rosterRepo.members(em, unit.id, { membershipId: membership.id });
      await this.audit.append(em, [
        {
          actorId: user.id,
          action: 'member.add',
          entityType: 'membership',
          entityId: membership.id,
          unitId: unit.id,
          after,
        },
        // Each unit the person already belonged to sees that somebody else attached them.
        ...elsewhere.map((unitId) => ({
          actorId: user.id,
          action: 'member.joined_elsewhere',
          entityType: 'user',
          entityId: person.id,
          unitId,
          after: { unitId: unit.id, unitName: unit.name, role: body.role },
        })),
      ]);
      return after;
    });
  }

  async updateMember(
    user: AuthUser,
    unitId: string,
    membershipId: string,
    body: UpdateMemberRequest,
  ): Promise<RosterMember> {
    const { unit } = await this.access.unit(user, unitId, 'roster.manage');
    const updated = await this.dataSource.transaction(async (em) => {
      const [before] = await this.rosterRepo.members(em, unit.id, { membershipId });
      if (!before) throw NotFound('notFound.member');
      const personChanges: Partial<UserEntity> = {};
      if (body.name !== undefined && body.name !== before.name) personChanges.name = body.name;
      if (body.phone !== undefined && body.phone !== before.phone) personChanges.phone = body.phone;
      if (body.memberType !== undefined && body.memberType !== before.memberType)
        personChanges.memberType = body.memberType;
      const units = await this.unitsOf(em, before.userId);
      if (Object.keys(personChanges).length) {
        // A person's name, login phone and member type are the same in every unit they belong to: only who
        // manages all of those units (or an administrator) may change them.
        if (!(await this.access.managesAll(user, units))) throw Forbidden('orgs.identityElsewhere');
        if (personChanges.phone && (await em.existsBy(UserEntity, { phone: personChanges.phone })))
          throw Conflict('orgs.phoneTaken', { phone: personChanges.phone });
        await em.update(UserEntity, { id: before.userId }, personChanges);
      }
      if (body.role !== undefined)
        await em.update(MembershipEntity, { id: membershipId }, { role: body.role });
      if (body.groupId !== undefined && body.groupId !== before.groupId) {
        await this.checkGroup(em, unit, body.groupId);
        await this.leaveGroups(em, unit.id, before.userId);
        if (body.groupId)
          await em.insert(MembershipEntity, { userId: before.userId, unitId: body.groupId, role: 'member' });
      }
      const [after] = await this.rosterRepo.members(em, unit.id, { membershipId });
      const identity = (m: RosterMember) => ({ name: m.name, phone: m.phone, memberType: m.memberType });
      await this.audit.append(em, [
        {
          actorId: user.id,
          action: 'member.update',
          entityType: 'membership',
          entityId: membershipId,
          unitId: unit.id,
          before,
          after,
        },
        // A change of identity is recorded under every other unit the person belongs to as well.
        ...(Object.keys(personChanges).length ? units.filter((id) => id !== unit.id) : []).map((unitId) => ({
          actorId: user.id,
          action: 'user.identity_update',
          entityType: 'user',
          entityId: before.userId,
          unitId,
          before: identity(before),
          after: identity(after),
        })),
      ]);
      return { before, after };
    });
    // A new post (or none): the person's live sockets are closed, so they rejoin with what they may do now.
    if (updated.before.role !== updated.after.role)
      this.sessions.announce({ userId: updated.after.userId, reason: 'membership' });
    return updated.after;
  }

  async removeMember(user: AuthUser, unitId: string, membershipId: string): Promise<void> {
    const { unit } = await this.access.unit(user, unitId, 'roster.manage');
    const removed = await this.dataSource.transaction(async (em) => {
      const [before] = await this.rosterRepo.members(em, unit.id, { membershipId });
      if (!before) throw NotFound('notFound.member');
      await this.leaveGroups(em, unit.id, before.userId);
      await em.delete(MembershipEntity, { id: membershipId });
      await this.audit.append(em, {
        actorId: user.id,
        action: 'member.remove',
        entityType: 'membership',
        entityId: membershipId,
        unitId: unit.id,
        before,
      });
      return before.userId;
    });
    // Out of the branch: out of its meetings at once (the seat is freed, the socket closed).
    this.sessions.announce({ userId: removed, reason: 'membership' });
  }

  /** Every unit (party groups included) a person belongs to. */
  private async unitsOf(em: EntityManager, userId: string): Promise<string[]> {
    const rows = await em.find(MembershipEntity, { where: { userId }, select: { unitId: true } });
    return rows.map((r) => r.unitId);
  }

  private async checkGroup(em: EntityManager, unit: OrgUnitEntity, groupId: string | null): Promise<void> {
    if (!groupId) return;
    const group = await em.findOneBy(OrgUnitEntity, { id: groupId, parentId: unit.id, type: 'group' });
    if (!group) throw new DomainError('invalid_group', 400, 'orgs.groupNotInUnit', { unit: unit.name });
  }

  private async leaveGroups(em: EntityManager, unitId: string, userId: string): Promise<void> {
    const groups = await em.findBy(OrgUnitEntity, { parentId: unitId, type: 'group' });
    if (groups.length) await em.delete(MembershipEntity, { userId, unitId: In(groups.map((g) => g.id)) });
  }

  private toDto(unit: OrgUnitEntity, relation: Relation, memberCount: number): OrgUnit {
    return {
      id: unit.id,
      name: unit.name,
      type: unit.type,
      parentId: unit.parentId,
      memberCount,
      access: relation,
    };
  }
}
