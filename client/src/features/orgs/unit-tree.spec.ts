import { describe, expect, it } from 'vitest';
import { ids, unit } from '../../test/fixtures';
import { buildUnitTree, unitPath } from './unit-tree';

describe('buildUnitTree', () => {
  const committee = unit({ id: ids.committee, name: '机关党委', type: 'committee' });
  const branchB = unit({ id: ids.branchB, name: '第二党支部', type: 'branch', parentId: ids.committee });
  const branchA = unit({ id: ids.branchA, name: '第一党支部', type: 'branch', parentId: ids.committee });
  const group = unit({ id: ids.groupA1, name: '第一党小组', type: 'group', parentId: ids.branchA });

  it('nests the flat list under the parents', () => {
    const tree = buildUnitTree([group, branchB, committee, branchA]);
    expect(tree).toHaveLength(1);
    expect(tree[0].unit.name).toBe('机关党委');
    expect(tree[0].children.map((n) => n.unit.name).sort()).toEqual(['第一党支部', '第二党支部'].sort());
    const a = tree[0].children.find((n) => n.unit.id === ids.branchA);
    expect(a?.children.map((n) => n.unit.name)).toEqual(['第一党小组']);
  });

  it('makes a unit whose parent is not visible a root (a branch secretary sees their branch on top)', () => {
    const tree = buildUnitTree([branchA, group]);
    expect(tree.map((n) => n.unit.id)).toEqual([ids.branchA]);
    expect(unitPath([branchA, group], ids.groupA1).map((u) => u.name)).toEqual(['第一党支部', '第一党小组']);
  });
});
