import type { AuditEvent } from '@branchmeet/shared';
import type { i18n as I18n } from 'i18next';

/** `minutes.vote_cast` → `minutes: vote cast`: how a code nobody has named yet still reads. */
export function readableCode(code: string): string {
  const [head, ...rest] = code.split('.');
  const tail = rest.join(' ').replace(/_/g, ' ');
  return tail ? `${head.replace(/_/g, ' ')}: ${tail}` : head.replace(/_/g, ' ');
}

/**
 * Looks a code up under `prefix` (nested by its dots: `auditAction.leave.decide`); the readable code when the
 * text is missing — new actions are added by the server before the UI names them.
 */
function lookup(i18n: I18n, prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  if (!/^[a-z0-9_.]+$/i.test(code) || !i18n.exists(key)) return readableCode(code);
  const text: unknown = i18n.t(key as never);
  return typeof text === 'string' ? text : readableCode(code);
}

export const auditActionText = (i18n: I18n, action: string) => lookup(i18n, 'auditAction', action);
export const auditEntityText = (i18n: I18n, entityType: string) => lookup(i18n, 'auditEntity', entityType);

function snapshotField(e: AuditEvent, field: string): string | null {
  for (const snap of [e.after, e.before]) {
    if (typeof snap === 'object' && snap !== null && field in snap) {
      const value = (snap as Record<string, unknown>)[field];
      if (typeof value === 'string' && value) return value;
    }
  }
  return null;
}

/** A readable name for the changed thing, from its after/before snapshot when it has one. */
export function snapshotName(e: AuditEvent): string | null {
  return snapshotField(e, 'name') ?? snapshotField(e, 'title') ?? snapshotField(e, 'subject');
}

/**
 * Where the thing an event is about can be seen: the meeting (its page, or its minutes) for meetings and what
 * belongs to one (leave requests, votes, invitations, guests, recordings: their snapshot names the meeting),
 * the unit page for units and memberships; null when there is no page for it.
 */
export function auditTargetHref(e: AuditEvent): string | null {
  const id = e.entityId;
  switch (e.entityType) {
    case 'meeting':
      return id ? `/meetings/${id}/info` : null;
    case 'minutes':
      return id ? `/meetings/${id}/minutes` : null;
    case 'org_unit':
      return id && e.action !== 'unit.delete' ? `/units/${id}` : null;
    case 'membership':
      return e.unitId ? `/units/${e.unitId}` : null;
    default: {
      const meetingId = snapshotField(e, 'meetingId');
      return meetingId ? `/meetings/${meetingId}/info` : null;
    }
  }
}
