import { describe, expect, it } from 'vitest';
import type { Provenance, RecordView } from '../../../electron/core/model/records';
import { PACKED, packResult, packViews, unpackResult, unpackViews } from '../../../electron/core/model/replyPacking';

// One provenance object per anchor, shared by its records, as core/records/provenance.ts makes them.
const anchorA: Provenance = Object.freeze({ signatureValid: true, contentMatchesAnchor: true, anchored: true, wardBlock: 12, wardTx: '0x' + 'a'.repeat(64), batchRoot: '0x' + 'b'.repeat(64), problems: [], status: 'verified' as const });
const anchorB: Provenance = Object.freeze({ ...anchorA, wardBlock: 13, wardTx: '0x' + 'c'.repeat(64), batchRoot: '0x' + 'd'.repeat(64) });
const tampered: Provenance = { signatureValid: false, contentMatchesAnchor: false, anchored: true, wardBlock: 13, wardTx: null, batchRoot: null, problems: ['The signature does not match the record.'], status: 'tampered' };
const station = { address: '0x' + '1'.repeat(40), name: 'CMS50E', role: 'station' as const };
const nurse = { address: '0x' + '2'.repeat(40), name: 'Florence Nurse', role: 'nurse' as const };

function view(i: number, over: Partial<RecordView> = {}): RecordView {
  const at = new Date(Date.UTC(2026, 10, 29, 0, i)).toISOString();
  return {
    id: '0x' + i.toString(16).padStart(64, '0'),
    kind: 'vitals',
    createdAt: at,
    measuredAt: at,
    // A station's readings each get an author object of their own (recordView): shared by value.
    author: { ...station },
    amends: null,
    amendedBy: [],
    superseded: false,
    content: { vitals: { pulse: 60 + i, spo2: 97 }, measuredAt: at },
    provenance: i % 2 ? anchorA : anchorB,
    ...over,
  };
}

const views: RecordView[] = [
  ...Array.from({ length: 40 }, (_, i) => view(i)),
  view(40, { author: nurse, measuredAt: '2026-11-28T23:00:00.000Z', amendedBy: ['0x' + 'e'.repeat(64)], superseded: true }),
  view(41, { kind: 'amendment', author: nurse, amends: '0x' + '9'.repeat(64), content: { note: 'Left basal crackles – see chart.' } }),
  view(42, { provenance: tampered, content: null }),
  // A copy with a consortium badge (consortiumSync.withBadges spreads the provenance): shared by value only.
  view(43, { provenance: { ...anchorA, consortium: { status: 'on-ledger', ledgerBlock: 7 } as never } }),
  view(44, { provenance: { ...anchorA, consortium: { status: 'on-ledger', ledgerBlock: 7 } as never } }),
];

describe('reply packing (the loopback HTTP bridge)', () => {
  it('gives back, through JSON, exactly the views the core returned', () => {
    const wire = JSON.parse(JSON.stringify(packViews(views)));
    expect(unpackViews(wire)).toEqual(views);
    // The views above have every field packing names, each at an unusual value somewhere.
    for (const v of views) expect(Object.keys(v).sort()).toEqual(Object.keys(PACKED).sort());
  });

  it('sends each author and provenance once, and leaves out fields at their usual value', () => {
    const packed = packViews(views);
    expect(packed.authors).toEqual([station, nurse]);
    expect(packed.provenances).toHaveLength(4); // two anchors, the tampered record's, the badged copy (twice, once)
    expect(packed.views[0]).not.toHaveProperty('measuredAt');
    expect(packed.views[0]).not.toHaveProperty('amends');
    expect(packed.views[0]).not.toHaveProperty('amendedBy');
    expect(packed.views[0]).not.toHaveProperty('superseded');
    expect(packed.views[40]).toMatchObject({ measuredAt: '2026-11-28T23:00:00.000Z', superseded: true, amendedBy: ['0x' + 'e'.repeat(64)] });
    expect(JSON.stringify(packed).length).toBeLessThan(0.75 * JSON.stringify(views).length);
  });

  it('packs records/history only, and leaves every other result as it is', () => {
    const history = { patient: { address: station.address, name: 'P', age: 1, role: 'patient' }, news2Scale: 1, records: views, window: { from: 'a', to: 'b', earlier: null } };
    const wire = JSON.parse(JSON.stringify(packResult('records/history', history)));
    expect(wire.records.packing).toBe('views/v1');
    expect(unpackResult('records/history', wire)).toEqual(history);
    expect(packResult('records/addNote', views[0])).toBe(views[0]);
    expect(unpackResult('toString', { a: 1 })).toEqual({ a: 1 });
  });

  it('refuses a packing it does not know, or a view naming an author or provenance the reply lacks', () => {
    const packed = JSON.parse(JSON.stringify(packViews(views)));
    expect(() => unpackViews({ ...packed, packing: 'views/v2' })).toThrow(/form this window does not know/);
    expect(() => unpackViews([] as never)).toThrow(/form this window does not know/);
    expect(() => unpackViews({ ...packed, views: [{ ...packed.views[0], author: 9 }] })).toThrow(/author or provenance/);
    expect(() => unpackViews({ ...packed, views: [{ ...packed.views[0], provenance: -1 }] })).toThrow(/author or provenance/);
  });
});
