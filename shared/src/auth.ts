import { z } from 'zod';
import { Uuid } from './common';
import { messageKey as m } from './messages';
import { MemberType, OrgUnitType, UnitRole } from './orgs';

export const Password = z
  .string()
  .min(8, m('validation.passwordTooShort'))
  .max(128, m('validation.passwordTooLong'));

export const LoginRequest = z.object({
  /** Phone number or username. */
  login: z.string().trim().min(1, m('validation.loginRequired')).max(64),
  password: z.string().min(1, m('validation.passwordRequired')).max(128),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const RefreshRequest = z.object({ refreshToken: z.string().min(10).max(512) });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

export const LogoutRequest = RefreshRequest;
export type LogoutRequest = z.infer<typeof LogoutRequest>;

export const ChangePasswordRequest = z
  .object({ currentPassword: z.string().min(1).max(128), newPassword: Password })
  .refine((v) => v.currentPassword !== v.newPassword, {
    message: m('validation.newPasswordSame'),
    path: ['newPassword'],
  });
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;

/** Administrator resets a user's password: either to a given one, or to a generated one returned once. */
export const ResetPasswordRequest = z.object({ newPassword: Password.optional() });
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequest>;
export const ResetPasswordResponse = z.object({ temporaryPassword: z.string().optional() });
export type ResetPasswordResponse = z.infer<typeof ResetPasswordResponse>;

export const MembershipSummary = z.object({
  unitId: Uuid,
  unitName: z.string(),
  unitType: OrgUnitType,
  role: UnitRole,
});
export type MembershipSummary = z.infer<typeof MembershipSummary>;

export const User = z.object({
  id: Uuid,
  name: z.string(),
  phone: z.string().nullable(),
  username: z.string().nullable(),
  memberType: MemberType,
  isAdmin: z.boolean(),
  mustChangePassword: z.boolean(),
});
export type User = z.infer<typeof User>;

export const Me = z.object({
  user: User,
  memberships: z.array(MembershipSummary),
});
export type Me = z.infer<typeof Me>;

export const TokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int(),
});
export type TokenPair = z.infer<typeof TokenPair>;

export const LoginResponse = TokenPair.extend({ me: Me });
export type LoginResponse = z.infer<typeof LoginResponse>;
