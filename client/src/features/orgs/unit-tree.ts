import { allows, type OrgUnit, type UnitAction } from '@branchmeet/shared';

export interface UnitNode {
  unit: OrgUnit;
  children: UnitNode[];
}

const typeOrder: Record<OrgUnit['type'], number> = { committee: 0, general_branch: 1, branch: 2, group: 3 };

/** Higher levels first; siblings of one type keep the server's order (Array.prototype.sort is stable). */
function compareUnits(a: OrgUnit, b: OrgUnit): number {
  return typeOrder[a.type] - typeOrder[b.type];
}

/**
 * Builds the tree from the flat list the server sends. A unit whose parent the user may not see becomes a root,
 * so a branch secretary sees their branch at the top.
 */
export function buildUnitTree(units: readonly OrgUnit[]): UnitNode[] {
  const nodes = new Map<string, UnitNode>();
  for (const unit of units) nodes.set(unit.id, { unit, children: [] });
  const roots: UnitNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.unit.parentId ? nodes.get(node.unit.parentId) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const sort = (list: UnitNode[]) => {
    list.sort((a, b) => compareUnits(a.unit, b.unit));
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

/** The unit's visible ancestors, root first, the unit itself last. */
export function unitPath(units: readonly OrgUnit[], unitId: string): OrgUnit[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const path: OrgUnit[] = [];
  const seen = new Set<string>();
  let current = byId.get(unitId);
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    path.unshift(current);
    current = current.parentId ? byId.get(current.parentId) : undefined;
  }
  return path;
}

export function childUnits(units: readonly OrgUnit[], unitId: string): OrgUnit[] {
  return units.filter((u) => u.parentId === unitId).sort(compareUnits);
}

/**
 * Whether the server lets the user do this in the unit: the shared rule table (`unitRules`) read with the
 * user's relation to the unit, which the server sends with it. The client only hides what would be refused.
 */
export function unitAllows(unit: Pick<OrgUnit, 'access'>, action: UnitAction): boolean {
  return allows(unit.access, action);
}
