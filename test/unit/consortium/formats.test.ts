/**
 * The consortium byte formats at their edges: sizing that fits the node's limit exactly, and
 * readers that turn any malformed or truncated input into a WardError instead of a crash or a
 * shorter "valid" value (property-based, fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupIntoShares, prepareBatch } from '../../../electron/core/consortium/batch';
import { decodeGrant, decodeRecordBlob, encodeRecordBlob, splitSealedRecords, type RecordBlob } from '../../../electron/core/consortium/payload';
import type { ConsortiumContext } from '../../../electron/core/consortium/sealing';
import { budgetFor, fitBatch, fits, publishTxBytes } from '../../../electron/core/consortium/sizing';
import { ByteReader, ByteWriter } from '../../../electron/core/consortium/wire';
import { WardError } from '../../../electron/core/model/errors';
import { credentialsOf, newPatient, newWard, nurseRecord, stationRecords } from '../../support/consortiumFixtures';

const context: ConsortiumContext = { chainId: 7, ledger: '0x' + '07'.repeat(20) };

function onlyWardErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WardError);
    expect((e as WardError).code).toBe('INTEGRITY');
  }
}

describe('consortium formats', () => {
  it('fits as many records as the transaction limit allows, and not one more', () => {
    const A = newWard('A');
    const patients = [newPatient(A, 'P1'), newPatient(A, 'P2'), newPatient(A, 'P3')];
    const records = [...stationRecords(A, Array.from({ length: 150 }, (_, i) => ({ patient: patients[i % 3]!, i }))), ...Array.from({ length: 20 }, (_, i) => nurseRecord(A, patients[i % 3]!, i))];
    const prepare = (list: typeof records) => prepareBatch({ context, publisher: { account: A.sync.address, privateKey: A.sync.privateKey, shareSecret: A.shareSecret }, shares: groupIntoShares(list), credentialOf: credentialsOf(A, context), station: A.station });
    const budget = budgetFor(30_000_000, { maxTxBytes: 40_000 });
    const { batch, used } = fitBatch(records, budget, prepare);
    expect(used).toBeGreaterThan(10);
    expect(used).toBeLessThan(records.length);
    expect(publishTxBytes(batch)).toBeLessThanOrEqual(40_000);
    expect(fits(prepare(records.slice(0, used + 1)), budget)).toBe(false);
    expect(() => fitBatch(records, budgetFor(30_000_000, { maxTxBytes: 500 }), prepare)).toThrow(/single record is larger/);
  });

  it('round-trips a record blob, with its role signed or not, and refuses every truncation of it', () => {
    const blob: RecordBlob = {
      id: '0x' + '01'.repeat(32), createdAt: 1_700_000_000_000, kind: 'vitals', authorIndex: 1, scopeIndex: 0,
      contentHash: '0x' + '02'.repeat(32), salt: '0x' + '03'.repeat(32), amends: '0x' + '04'.repeat(32),
      signature: { mode: 'batch', index: 2, proof: ['0x' + '05'.repeat(32), '0x' + '06'.repeat(32)] }, roleSigned: true, iv: '0x' + '07'.repeat(12), ct: '0x' + '08'.repeat(40),
    };
    const bytes = encodeRecordBlob(blob);
    expect(decodeRecordBlob(bytes)).toEqual(blob);
    for (let n = 0; n < bytes.length - 40; n++) expect(() => decodeRecordBlob(bytes.subarray(0, n))).toThrow(WardError);
    // The flag is bit 3 of the flags byte (docs/consortium.md, "Byte layouts"); nothing else changes.
    const unsigned = encodeRecordBlob({ ...blob, roleSigned: false });
    expect(decodeRecordBlob(unsigned)).toEqual({ ...blob, roleSigned: false });
    expect([bytes[1], unsigned[1]]).toEqual([1 | 2 | 8, 1 | 2]);
    expect(bytes.subarray(2)).toEqual(unsigned.subarray(2));
    // An unknown flag is refused, not ignored.
    const unknown = bytes.slice();
    unknown[1] |= 16;
    expect(() => decodeRecordBlob(unknown)).toThrow(/malformed \(flags\)/);
  });

  it('never crashes on arbitrary bytes in a sealed record, a grant, a payload or a varint', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(50), (bytes, count) => {
        onlyWardErrors(() => decodeRecordBlob(bytes));
        onlyWardErrors(() => decodeGrant(bytes));
        onlyWardErrors(() => splitSealedRecords(bytes, count));
        onlyWardErrors(() => new ByteReader(bytes, 'x').varint('v'));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes varints as LEB128 and reads them back', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (v) => {
        const b = new ByteWriter().varint(v).finish();
        expect(new ByteReader(b, 'x').varint('v')).toBe(v);
      }),
    );
    expect([...new ByteWriter().varint(300).finish()]).toEqual([0xac, 0x02]); // the LEB128 example of the DWARF spec (7.6)
  });
});
