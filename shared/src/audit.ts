import { z } from 'zod';
import { Uuid } from './common';

export const AuditEvent = z.object({
  id: z.string(),
  at: z.string(),
  actorId: Uuid.nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  unitId: Uuid.nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z.object({
  unitId: Uuid.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  beforeId: z.coerce.number().int().positive().optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditVerifyResult = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  /** The first event whose stored hash or link does not match, when the chain is broken. */
  firstBroken: z
    .object({
      id: z.string(),
      /**
       * hash_mismatch: the event does not match its hash; link_mismatch: nor its link to the event before;
       * downgraded: an unsigned event (or one signed with an older key) after a signed one; unknown_key: signed
       * with a key the server does not have; checkpoint_mismatch: differs from a signed checkpoint; truncated:
       * a signed checkpoint names this event, which the table no longer holds (its newest events were deleted).
       */
      reason: z.enum([
        'hash_mismatch',
        'link_mismatch',
        'downgraded',
        'unknown_key',
        'checkpoint_mismatch',
        'truncated',
      ]),
    })
    .nullable(),
});
export type AuditVerifyResult = z.infer<typeof AuditVerifyResult>;
