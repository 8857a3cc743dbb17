/**
 * The consortium byte formats at their edges: sizing that fits the node's limit exactly, and
 * readers that turn any malformed or truncated input into a WardError instead of a crash or a
 * shorter "valid" value (property-based, fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ledgerInterface, publishData } from '../../../electron/core/consortium/ledgerAbi';
import { groupIntoShares, prepareBatch } from '../../../electron/core/consortium/batch';
import { decodeGrant, decodeRecordBlob, encodeRecordBlob, splitSealedRecords, type RecordBlob } from '../../../electron/core/consortium/payload';
import type { ConsortiumContext } from '../../../electron/core/consortium/sealing';
import { budgetFor, fits, planBatch, publishTxBytes, sealedRecordBytes } from '../../../electron/core/consortium/sizing';
import { ByteReader, ByteWriter } from '../../../electron/core/consortium/wire';
import { WardError } from '../../../electron/core/model/errors';
import { credentialsOf, newPatient, newWard, nurseRecord, pub, stationRecords } from '../../support/consortiumFixtures';

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
  it('plans a batch from record sizes and prepares it once, close under the transaction limit', () => {
    const A = newWard('A');
    const patients = [newPatient(A, 'P1'), newPatient(A, 'P2'), newPatient(A, 'P3')];
    const records = [...stationRecords(A, Array.from({ length: 150 }, (_, i) => ({ patient: patients[i % 3]!, i }))), ...Array.from({ length: 20 }, (_, i) => nurseRecord(A, patients[i % 3]!, i))];
    const B = newWard('B');
    const recipientsOf = () => [{ ward: B.sync.address, wardSyncPublicKey: pub(B.sync), readerPublicKey: pub(B.team) }];
    let preparations = 0;
    let station: typeof A.station | undefined;
    const prepare = (shares: Parameters<typeof prepareBatch>[0]['shares']) => {
      preparations++;
      return prepareBatch({ context, publisher: { account: A.sync.address, privateKey: A.sync.privateKey, shareSecret: A.shareSecret }, shares, credentialOf: credentialsOf(A, context), station });
    };
    // Readings re-signed by the station key on this workstation; with standing recipients; and
    // without the station key (each reading keeps its proof under the original batch signature).
    for (const options of [{ station: A.station.address }, { station: A.station.address, recipientsOf }, {}]) {
      preparations = 0;
      station = options.station ? A.station : undefined;
      const budget = budgetFor(30_000_000, { maxTxBytes: 40_000 });
      const { batch, used } = planBatch(records, budget, prepare, options);
      expect(preparations).toBe(1);
      expect(used).toBeGreaterThan(10);
      expect(used).toBeLessThan(records.length);
      expect(batch.count).toBe(used);
      expect(publishTxBytes(batch)).toBeLessThanOrEqual(40_000);
      // The estimate is an upper bound that leaves little unused: the next record would not fit.
      expect(publishTxBytes(batch) + sealedRecordBytes(records[used]!)).toBeGreaterThan(40_000 * 0.97);
    }
    // Each sealed record is exactly as large as estimated when its signature is its own or re-signed.
    station = A.station;
    const one = prepare([{ records: [records[0]!] }]);
    expect(one.records.length).toBe(sealedRecordBytes(records[0]!, A.station.address) - 1); // its length takes 2 bytes of the 3 reserved
    expect(() => planBatch(records, budgetFor(30_000_000, { maxTxBytes: 500 }), prepare)).toThrow(/single record is larger/);
  });

  it('shrinks a batch whose estimate was short, preparing it again only then', () => {
    const A = newWard('A');
    const patient = newPatient(A, 'P1');
    const records = Array.from({ length: 60 }, (_, i) => nurseRecord(A, patient, i));
    const sizes: number[] = [];
    const prepare = (shares: Parameters<typeof prepareBatch>[0]['shares']) => {
      const b = prepareBatch({ context, publisher: { account: A.sync.address, privateKey: A.sync.privateKey, shareSecret: A.shareSecret }, shares, credentialOf: credentialsOf(A, context) });
      sizes.push(b.count);
      return b;
    };
    // A budget in records that the byte estimate cannot see coming: 45 fit the bytes, 40 the count.
    const budget = budgetFor(30_000_000, { maxTxBytes: 200_000 });
    const plan = planBatch(records, { ...budget, maxRecords: 40 }, prepare);
    expect(plan).toMatchObject({ used: 40, preparations: 1 });
    const small = budgetFor(30_000_000, { maxTxBytes: publishTxBytes(prepare([{ records: records.slice(0, 20) }])) });
    sizes.length = 0;
    const shrunk = planBatch(records, small, (shares) => {
      const b = prepare(shares);
      // Pretend the first preparation came out larger than estimated (a header the estimate missed).
      return sizes.length === 1 ? { ...b, records: new Uint8Array(b.records.length + 4000) } : b;
    });
    expect(shrunk.preparations).toBe(2);
    expect(fits(shrunk.batch, small)).toBe(true);
    expect(sizes[1]).toBeLessThan(sizes[0]!);
  });

  it('encodes publishBatch calldata byte for byte as the ABI (ethers) does', () => {
    const A = newWard('A');
    const B = newWard('B');
    const patients = [newPatient(A, 'P1'), newPatient(A, 'P2')];
    const to = { ward: B.sync.address, wardSyncPublicKey: pub(B.sync), readerPublicKey: pub(B.team) };
    for (const [n, recipients] of [[1, false], [7, true], [33, true], [40, false]] as const) {
      const records = Array.from({ length: n }, (_, i) => nurseRecord(A, patients[i % 2]!, i));
      const batch = prepareBatch({ context, publisher: { account: A.sync.address, privateKey: A.sync.privateKey, shareSecret: A.shareSecret }, shares: groupIntoShares(records, () => (recipients ? [to] : [])), credentialOf: credentialsOf(A, context) });
      expect(batch.grants.length).toBe(recipients ? Math.min(n, 2) : 0);
      expect(publishData(batch)).toBe(ledgerInterface.encodeFunctionData('publishBatch', [batch.batchId, batch.root, batch.count, batch.records, batch.grants]));
    }
    // Odd payload lengths pad to the word, and several grants each get their offset.
    const odd = { batchId: '0x' + 'ab'.repeat(32), root: '0x' + 'cd'.repeat(32), count: 3, records: new Uint8Array(45).fill(7), grants: [new Uint8Array(1).fill(1), new Uint8Array(64).fill(2), new Uint8Array(65).fill(3)], shares: [] };
    expect(publishData(odd)).toBe(ledgerInterface.encodeFunctionData('publishBatch', [odd.batchId, odd.root, odd.count, odd.records, odd.grants]));
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
