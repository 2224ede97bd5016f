import { canonicalJson, eventHash, GENESIS_HASH } from './audit-hash';

describe('audit hashing', () => {
  const event = {
    at: new Date('2026-01-02T03:04:05.678Z'),
    actorId: null,
    action: 'unit.create',
    entityType: 'org_unit',
    entityId: 'u1',
    unitId: null,
    before: null,
    after: { name: '第一党支部', type: 'branch' },
  };

  it('gives the same text whatever the key order (jsonb reorders keys)', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: '支部' } })).toBe(
      canonicalJson({ a: { c: '支部', d: [2, { e: 0, f: 1 }] }, b: 1 }),
    );
  });

  it('changes when any field or the previous hash changes', () => {
    const h = eventHash(GENESIS_HASH, event);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(GENESIS_HASH, { ...event })).toBe(h);
    expect(eventHash(GENESIS_HASH, { ...event, after: { name: '第二党支部', type: 'branch' } })).not.toBe(h);
    expect(eventHash('1'.repeat(64), event)).not.toBe(h);
    expect(eventHash(GENESIS_HASH, { ...event, at: new Date('2026-01-02T03:04:05.679Z') })).not.toBe(h);
  });
});
