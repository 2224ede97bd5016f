import { z } from 'zod';
import { Relation, type UnitAction } from './access';
import { Phone, Uuid } from './common';
import { messageKey as m } from './messages';

/** 党委 → 党总支 → 党支部 → 党小组 */
export const OrgUnitType = z.enum(['committee', 'general_branch', 'branch', 'group']);
export type OrgUnitType = z.infer<typeof OrgUnitType>;

/** Which unit types may sit directly under which. A root unit is a committee. */
export const allowedChildTypes: Record<OrgUnitType, readonly OrgUnitType[]> = {
  committee: ['general_branch', 'branch'],
  general_branch: ['branch'],
  branch: ['group'],
  group: [],
};

/** Creating a unit of this type under its parent: a party group is its branch's business, the rest the tree's. */
export const childTypeAction = (type: OrgUnitType): UnitAction =>
  type === 'group' ? 'group.create' : 'tree.manage';

/** Deleting a unit of this type: likewise. */
export const deleteUnitAction = (type: OrgUnitType): UnitAction =>
  type === 'group' ? 'group.delete' : 'tree.manage';

/** A member's post in a unit: 书记 / 副书记 / 组织委员 / 委员 / 党员. */
export const UnitRole = z.enum(['secretary', 'deputy_secretary', 'organizer', 'committee_member', 'member']);
export type UnitRole = z.infer<typeof UnitRole>;

/** Roles that manage their unit (meetings, minutes, roster, exports). */
export const managerRoles: readonly UnitRole[] = ['secretary', 'deputy_secretary', 'organizer'];
/** Roles that make up a 支委会 (branch committee). */
export const committeeRoles: readonly UnitRole[] = [
  'secretary',
  'deputy_secretary',
  'organizer',
  'committee_member',
];

/** 正式党员 / 预备党员 (probationary members have no vote). A property of the person. */
export const MemberType = z.enum(['member', 'probationary']);
export type MemberType = z.infer<typeof MemberType>;

/** Words accepted in roster files, besides the English codes themselves. */
export const unitRoleAliases: Record<string, UnitRole> = {
  书记: 'secretary',
  支部书记: 'secretary',
  副书记: 'deputy_secretary',
  组织委员: 'organizer',
  委员: 'committee_member',
  支委: 'committee_member',
  支部委员: 'committee_member',
  党员: 'member',
  成员: 'member',
};
export const memberTypeAliases: Record<string, MemberType> = {
  正式党员: 'member',
  正式: 'member',
  预备党员: 'probationary',
  预备: 'probationary',
};
export const unitRoleLabelsZh: Record<UnitRole, string> = {
  secretary: '书记',
  deputy_secretary: '副书记',
  organizer: '组织委员',
  committee_member: '委员',
  member: '党员',
};
export const memberTypeLabelsZh: Record<MemberType, string> = {
  member: '正式党员',
  probationary: '预备党员',
};

const UnitName = z
  .string()
  .trim()
  .min(1, m('validation.unitNameRequired'))
  .max(100, m('validation.unitNameTooLong'));

export const OrgUnit = z.object({
  id: Uuid,
  name: z.string(),
  type: OrgUnitType,
  parentId: Uuid.nullable(),
  memberCount: z.number().int(),
  /** What the current user may do here; the server decides, the client only hides buttons. */
  access: Relation,
});
export type OrgUnit = z.infer<typeof OrgUnit>;

export const CreateOrgUnitRequest = z.object({
  name: UnitName,
  type: OrgUnitType,
  parentId: Uuid.nullable(),
});
export type CreateOrgUnitRequest = z.infer<typeof CreateOrgUnitRequest>;

export const UpdateOrgUnitRequest = z.object({ name: UnitName });
export type UpdateOrgUnitRequest = z.infer<typeof UpdateOrgUnitRequest>;

export const RosterMember = z.object({
  membershipId: Uuid,
  userId: Uuid,
  name: z.string(),
  phone: z.string().nullable(),
  username: z.string().nullable(),
  role: UnitRole,
  memberType: MemberType,
  /** The party group (党小组) under this branch the member belongs to, if any. */
  groupId: Uuid.nullable(),
  groupName: z.string().nullable(),
});
export type RosterMember = z.infer<typeof RosterMember>;

export const RosterQuery = z.object({ q: z.string().trim().max(50).optional() });
export type RosterQuery = z.infer<typeof RosterQuery>;

const PersonName = z
  .string()
  .trim()
  .min(1, m('validation.personNameRequired'))
  .max(50, m('validation.personNameTooLong'));

export const AddMemberRequest = z.object({
  name: PersonName,
  phone: Phone,
  role: UnitRole.default('member'),
  memberType: MemberType.default('member'),
  groupId: Uuid.nullable().default(null),
});
export type AddMemberRequest = z.infer<typeof AddMemberRequest>;

export const UpdateMemberRequest = z
  .object({
    name: PersonName,
    phone: Phone,
    role: UnitRole,
    memberType: MemberType,
    groupId: Uuid.nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: m('validation.nothingToChange') });
export type UpdateMemberRequest = z.infer<typeof UpdateMemberRequest>;

/** One row of a roster file after its cells were read; validated by the server row by row. */
export const RosterImportRow = z.object({
  name: PersonName,
  phone: Phone,
  role: UnitRole,
  memberType: MemberType,
  group: z.string().trim().max(100).nullable(),
});
export type RosterImportRow = z.infer<typeof RosterImportRow>;

export const RosterImportError = z.object({
  /** 1-based row number as a spreadsheet shows it (the header is row 1). */
  row: z.number().int(),
  reasons: z.array(z.string()),
});
export type RosterImportError = z.infer<typeof RosterImportError>;

export const RosterImportReport = z.object({
  applied: z.boolean(),
  totalRows: z.number().int(),
  errors: z.array(RosterImportError),
  created: z.number().int(),
  updated: z.number().int(),
  groupsCreated: z.array(z.string()),
});
export type RosterImportReport = z.infer<typeof RosterImportReport>;

/** Column headers of roster files: the Chinese header first, the English one accepted too. */
export const rosterColumns = [
  { key: 'name', zh: '姓名', en: 'name' },
  { key: 'phone', zh: '手机号', en: 'phone' },
  { key: 'role', zh: '职务', en: 'role' },
  { key: 'memberType', zh: '党员类型', en: 'member type' },
  { key: 'group', zh: '党小组', en: 'party group' },
] as const;
