import { Injectable } from '@nestjs/common';
import {
  allows,
  ErrorCodes,
  globalRules,
  managerRoles,
  type GlobalAction,
  type MessageKey,
  type Relation,
  type UnitAction,
  type UnitRole,
} from '@branchmeet/shared';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { UserDirectory } from '../auth/user-directory.service';
import { DomainError, Forbidden, NotFound, Unauthenticated } from '../common/domain-error';
import type { OrgUnitEntity } from './org-unit.entity';
import { OrgsRepository } from './orgs.repository';

const rank: Record<Relation, number> = { member: 1, supervisor: 2, manager: 3, admin: 4 };

interface MembershipView {
  unitId: string;
  role: UnitRole;
  path: string;
}

interface Actor {
  isAdmin: boolean;
  memberships: MembershipView[];
}

export function relationTo(
  actor: Actor,
  unit: Pick<OrgUnitEntity, 'id' | 'type' | 'parentId' | 'path'>,
): Relation | null {
  if (actor.isAdmin) return 'admin';
  let best: Relation | null = null;
  const consider = (r: Relation) => {
    if (!best || rank[r] > rank[best]) best = r;
  };
  for (const m of actor.memberships) {
    const manages = managerRoles.includes(m.role);
    const ownBranchGroup = unit.type === 'group' && unit.parentId === m.unitId;
    if (m.unitId === unit.id || ownBranchGroup) consider(manages ? 'manager' : 'member');
    else if (manages && unit.path.startsWith(`${m.path}/`)) consider('supervisor');
  }
  return best;
}

export interface UnitAccess {
  unit: OrgUnitEntity;
  relation: Relation;
}

@Injectable()
export class AccessService {
  constructor(
    private readonly orgs: OrgsRepository,
    private readonly users: UserDirectory,
  ) {}

  private async actor(user: AuthUser): Promise<Actor> {
    // The database, not the token, is the source of truth for roles: a removed role takes effect at once.
    const isAdmin = await this.users.adminFlag(user.id);
    if (isAdmin === null) throw Unauthenticated('auth.accountGone');
    return { isAdmin, memberships: await this.orgs.memberships(user.id) };
  }

  /**
   * Loads a unit and checks the action. A unit the user has no relation to is reported as not found (its
   * existence is not revealed); a unit the user may see but not change gives 403.
   */
  async unit(user: AuthUser, unitId: string, action: UnitAction): Promise<UnitAccess> {
    const [actor, unit] = await Promise.all([this.actor(user), this.orgs.unit(unitId)]);
    const relation = unit ? relationTo(actor, unit) : null;
    if (!unit || !relation) throw NotFound('notFound.unit');
    if (!allows(relation, action)) {
      throw Forbidden('access.roleForbids', { unit: unit.name, action });
    }
    return { unit, relation };
  }

  /**
   * `unit` for something that lives in the unit (a meeting, its minutes, its recordings): when the user has no
   * relation to the unit, that thing is what is not found (`notFound`), so neither its existence nor its unit's is
   * revealed. A unit the user may see but not change still gives 403.
   */
  async unitOf(
    user: AuthUser,
    unitId: string,
    action: UnitAction,
    notFound: MessageKey,
  ): Promise<UnitAccess> {
    try {
      return await this.unit(user, unitId, action);
    } catch (e) {
      if (e instanceof DomainError && e.code === ErrorCodes.notFound) throw NotFound(notFound);
      throw e;
    }
  }

  /**
   * Whether the user manages (as administrator, or as a manager of each) every one of these units: what it takes
   * to change a person's identity (name, phone, member type), which every unit the person belongs to shares.
   */
  async managesAll(user: AuthUser, unitIds: string[]): Promise<boolean> {
    const managed = await this.managedAmong(user, unitIds);
    return unitIds.length > 0 && unitIds.every((id) => managed.has(id));
  }

  /** Those of the units the user manages (all of them for an administrator). */
  async managedAmong(user: AuthUser, unitIds: string[]): Promise<Set<string>> {
    const actor = await this.actor(user);
    if (unitIds.length === 0) return new Set();
    const units = await this.orgs.units(unitIds);
    return new Set(
      units.filter((u) => ['admin', 'manager'].includes(relationTo(actor, u) ?? '')).map((u) => u.id),
    );
  }

  async assertGlobal(user: AuthUser, action: GlobalAction): Promise<void> {
    const actor = await this.actor(user);
    const allowed = (globalRules[action] as readonly string[]).includes('admin') && actor.isAdmin;
    if (!allowed) throw Forbidden('access.adminOnly', { action });
  }

  /** Every unit the user may see, each with the user's relation to it; siblings in the order they were created. */
  async visibleUnits(user: AuthUser): Promise<UnitAccess[]> {
    const actor = await this.actor(user);
    let candidates: OrgUnitEntity[];
    if (actor.isAdmin) {
      candidates = await this.orgs.allUnits();
    } else if (actor.memberships.length === 0) {
      return [];
    } else {
      const ids = actor.memberships.map((m) => m.unitId);
      const prefixes = actor.memberships
        .filter((m) => managerRoles.includes(m.role))
        .map((m) => `${m.path}/%`);
      candidates = await this.orgs.unitsNear(ids, prefixes);
    }
    return candidates.flatMap((unit) => {
      const relation = relationTo(actor, unit);
      return relation ? [{ unit, relation }] : [];
    });
  }
}

/** What other features read of the orgs feature's data: the rosters of units. */
@Injectable()
export class OrgDirectory {
  constructor(private readonly orgs: OrgsRepository) {}

  /** A unit's roster (user and post), in roster order. */
  rosterEntries(unitId: string, em?: EntityManager) {
    return this.orgs.rosterEntries(em ?? this.orgs.manager, unitId);
  }

  /** A unit, read in the caller's transaction. */
  unit(unitId: string, em?: EntityManager) {
    return this.orgs.unitIn(em ?? this.orgs.manager, unitId);
  }

  /** The members of the units with their names, in the order they joined. */
  async rosters(unitIds: string[], em?: EntityManager) {
    return unitIds.length ? this.orgs.rosters(unitIds, em) : [];
  }
}
