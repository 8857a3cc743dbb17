/**
 * Which care changes and reads are flagged (records/careFlags.ts): relationships created by the
 * person they let read — a doctor's self-assignment to a patient with records, or a self-made
 * relationship that ended within two hours around a read — and nothing else (handovers, day cases
 * run by others, break-glass reads, new patients).
 */
import { describe, expect, it } from 'vitest';
import { careFlags, SHORT_RELATIONSHIP_MS, type ReadEvent } from '../../../electron/core/records/careFlags';
import type { CareChange } from '../../../electron/core/model/ward';

const P = '0x' + 'a'.repeat(40);
const nurse = '0x' + '1'.repeat(40);
const nurse2 = '0x' + '2'.repeat(40);
const drA = '0x' + '3'.repeat(40);
const drB = '0x' + '4'.repeat(40);
const isNurse = (a: string) => a === nurse || a === nurse2;
const min = 60_000;

function change(at: number, c: CareChange['change'], by: string, doctor: string | null = null): CareChange {
  return { patient: P, change: c, by, doctor, bed: c === 'admit' ? '1' : null, at, tx: `0x${at}`, block: at };
}
const read = (at: number, actor: string, breakGlass = false): ReadEvent => ({ actor, at, breakGlass });

describe('careFlags', () => {
  it('flags a self-assignment to a patient with records, a read through it, and a quick hand-back', () => {
    const changes = [change(0, 'admit', nurse), change(10 * min, 'assign-doctor', drA, drA), change(40 * min, 'assign-doctor', drA, drB)];
    const reads = [read(20 * min, drA), read(50 * min, drA), read(25 * min, nurse)];
    const f = careFlags(changes, reads, () => true, isNurse);
    expect(f.changes.get(changes[1]!)).toEqual({ kind: 'self-assigned' });
    expect(f.changes.get(changes[2]!)).toEqual({ kind: 'short-lived', creator: drA, minutes: 30 });
    expect(f.changes.has(changes[0]!)).toBe(false); // the nurse's admission is still open
    expect(f.reads.get(reads[0]!)).toEqual({ kind: 'read-in-short-lived', minutes: 30 });
    expect(f.reads.has(reads[1]!)).toBe(false); // after he handed back (a read on another basis)
    expect(f.reads.has(reads[2]!)).toBe(false);
  });

  it('leaves ordinary relationships alone: handovers, nurse assignments, a new patient, long spells', () => {
    const changes = [
      change(0, 'admit', nurse, drA),
      change(30 * min, 'assign-doctor', drA, drB), // hand over after a short on-call spell the nurse set up
      change(60 * min, 'assign-doctor', nurse, drA),
      change(60 * min + SHORT_RELATIONSHIP_MS, 'discharge', nurse2),
    ];
    const reads = [read(10 * min, drA), read(45 * min, drB), read(70 * min, drA), read(80 * min, nurse)];
    const f = careFlags(changes, reads, () => true, isNurse);
    expect([...f.changes.values()]).toEqual([]);
    expect([...f.reads.values()]).toEqual([]);
    // A doctor taking on a patient with no records yet is not flagged either.
    const fresh = [change(0, 'admit', drA, drA)];
    expect(careFlags(fresh, [read(5 * min, drA)], () => false, isNurse).changes.size).toBe(0);
  });

  it('flags a nurse’s admit → read → discharge of a returning patient, and only reads not made by break-glass', () => {
    const changes = [change(0, 'admit', nurse), change(20 * min, 'discharge', nurse)];
    const reads = [read(5 * min, nurse), read(6 * min, nurse, true), read(7 * min, nurse2)];
    const f = careFlags(changes, reads, () => true, isNurse);
    expect(f.changes.get(changes[1]!)).toEqual({ kind: 'short-lived', creator: nurse, minutes: 20 });
    expect([...f.reads.keys()]).toEqual([reads[0]]);
    // Without a read by her meanwhile, nothing is flagged (a mistaken admission undone).
    expect(careFlags(changes, [read(7 * min, nurse2)], () => true, isNurse).changes.size).toBe(0);
    // Nor when it lasted longer than the window.
    const long = [change(0, 'admit', nurse), change(SHORT_RELATIONSHIP_MS + min, 'discharge', nurse)];
    expect(careFlags(long, [read(5 * min, nurse)], () => true, isNurse).changes.size).toBe(0);
  });

  it('flags reads through a self-assignment that lasted', () => {
    const changes = [change(0, 'admit', drA, drA), change(SHORT_RELATIONSHIP_MS * 3, 'discharge', drA)];
    const reads = [read(10 * min, drA)];
    const f = careFlags(changes, reads, () => true, isNurse);
    expect(f.changes.get(changes[0]!)).toEqual({ kind: 'self-assigned' });
    expect(f.changes.has(changes[1]!)).toBe(false);
    expect(f.reads.get(reads[0]!)).toEqual({ kind: 'read-in-self-assigned' });
  });
});
