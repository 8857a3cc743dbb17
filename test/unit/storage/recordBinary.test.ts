import fc from 'fast-check';
import { Wallet } from 'ethers';
import { setFlagsFromString } from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import { commitToHash } from '../../../electron/core/crypto/commitment';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import type { StoredRecord } from '../../../electron/core/storage/storedRecord';
import { cipherBytesOf, decodeRecordBody, encodeRecordBody, peekRecordBody, scopeOfBody } from '../../../electron/core/storage/recordBinary';
import { makeWard, nurseRecord, nurseVitals, stationBatch } from '../../support/realRecords';

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => '0x' + Buffer.from(b).toString('hex'));
const address = fc.constant(0).map(() => new Wallet(Wallet.createRandom().privateKey).address);

/** Records as the write paths make them: any values, canonical forms. */
const canonical = fc
  .record({
    id: hex(32),
    patient: address,
    patientRef: hex(32),
    kind: fc.constantFrom('vitals', 'note', 'diagnosis', 'amendment'),
    author: address,
    authorRole: fc.constantFrom('patient', 'doctor', 'nurse', 'insurer', 'it-admin'),
    // Signed with the role (typed data version 2), or before the role was signed (no field).
    roleSigned: fc.boolean(),
    createdAt: fc.integer({ min: 0, max: 2 ** 50 }),
    amends: fc.oneof(fc.constant('0x' + '00'.repeat(32)), hex(32)),
    contentHash: hex(32),
    salt: hex(32),
    signature: hex(65),
    scopeId: hex(16),
    iv: hex(12),
    ct: fc.uint8Array({ minLength: 16, maxLength: 3000 }).map((b) => '0x' + Buffer.from(b).toString('hex')),
  })
  .map(({ scopeId, iv, ct, roleSigned, ...r }): StoredRecord => ({ ...r, ...(roleSigned ? { signedVersion: 2 as const } : {}), commitment: commitToHash(r.contentHash, r.salt).commitment, cipher: { v: 1, scopeId, iv, ct } }));

function roundTrip(r: StoredRecord): StoredRecord {
  const { body } = encodeRecordBody(r, null);
  // The patient comes from the record's key: the store passes the checksummed address back in.
  return decodeRecordBody(body, r.patient).record;
}

describe('record bodies as bytes', () => {
  beforeAll(() => useFastKeccak());

  it('gives back every canonical record exactly, in the compact form', () => {
    fc.assert(
      fc.property(canonical, (r) => {
        expect(encodeRecordBody(r, null).compact).toBe(true);
        expect(roundTrip(r)).toEqual(r);
      }),
      { numRuns: 150 },
    );
  });

  it('spells the commitment and the ciphertext as hex only when read; the record reads, spreads, serialises and takes new values as if filled at once', () => {
    fc.assert(
      fc.property(canonical, (r) => {
        const read = () => roundTrip(r);
        // Serialised untouched: the record written, and the same JSON, keys in the same order, as once both were read.
        expect(JSON.parse(JSON.stringify(read()))).toEqual(r);
        const touched = read();
        expect([touched.commitment, touched.cipher.ct]).toEqual([r.commitment, r.cipher.ct]);
        expect(JSON.stringify(read())).toBe(JSON.stringify(touched));
        expect(Object.keys(read())).toEqual(Object.keys(touched));
        // Spread, then each field read directly.
        const spread = { ...read(), cipher: { ...read().cipher } };
        expect(spread.commitment).toBe(r.commitment);
        expect(spread.cipher.ct).toBe(r.cipher.ct);
        const direct = read();
        expect([direct.commitment, direct.cipher.ct, direct.commitment]).toEqual([r.commitment, r.cipher.ct, r.commitment]);
        // Set before it was ever read: the value set is what is read (and serialised).
        const set = read();
        set.commitment = '0x' + 'cd'.repeat(32);
        set.cipher.ct = '0x00';
        expect([set.commitment, set.cipher.ct]).toEqual(['0x' + 'cd'.repeat(32), '0x00']);
        expect(JSON.parse(JSON.stringify(set))).toMatchObject({ commitment: '0x' + 'cd'.repeat(32), cipher: { ct: '0x00' } });
      }),
      { numRuns: 60 },
    );
  });

  it('decodes records as V8 fast-mode objects of one hidden class, before and after their spelled fields are read', () => {
    // A getter made per record, redefined as a value once read, put every record in dictionary
    // mode (1.9 KB a record instead of 0.2, property reads ten times slower). V8's own checks:
    setFlagsFromString('--allow-natives-syntax');
    const fast = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
    // One shape of record (not role-signed); the canonical records' commitment is the computed one, spelled on read.
    const sample = fc.sample(canonical, 40).filter((r) => !r.signedVersion);
    expect(sample.length).toBeGreaterThan(5);
    const [first, ...others] = sample.map(roundTrip);
    for (const r of [first!, ...others]) {
      expect(fast(r) && fast(r.cipher)).toBe(true);
      expect(sameMap(r, first!) && sameMap(r.cipher, first!.cipher)).toBe(true);
    }
    for (const r of others) void [r.commitment, r.cipher.ct];
    for (const r of others) {
      expect(fast(r) && fast(r.cipher)).toBe(true);
      expect(sameMap(r, first!)).toBe(true);
    }
  });

  it('reads a body\'s id, signature tree, key scope, nonce and ciphertext without decoding it, as the decoder finds them', () => {
    fc.assert(
      fc.property(
        canonical,
        fc.option(fc.record({ treeNo: fc.integer({ min: 1, max: 2 ** 40 }), leafIndex: fc.integer({ min: 0, max: 2 ** 20 }) })),
        fc.boolean(),
        (r, tree, wrongCommitment) => {
          // A batch-signed record has no signature of its own; a stored commitment takes its 32 bytes.
          const record: StoredRecord = { ...r, ...(tree ? { signature: '', batchSignature: { root: r.salt, count: 1, createdAt: 1, signature: r.contentHash, proof: [] } } : {}), ...(wrongCommitment ? { commitment: '0x' + 'ab'.repeat(32) } : {}) };
          const { body, compact } = encodeRecordBody(record, tree);
          expect(compact).toBe(true);
          const d = decodeRecordBody(body, r.patient);
          expect(peekRecordBody(body)).toEqual({ id: d.record.id, signatureTree: d.format === 'binary' ? d.signatureTree : 'json' });
          expect(peekRecordBody(body)!.signatureTree).toEqual(tree);
          // The nonce and ciphertext as views of the body: the bytes the decoded hex spells.
          const c = cipherBytesOf(body)!;
          expect(['0x' + Buffer.from(c.iv).toString('hex'), '0x' + Buffer.from(c.ct).toString('hex')]).toEqual([d.record.cipher.iv, d.record.cipher.ct]);
          expect(scopeOfBody(body)).toBe(d.record.cipher.scopeId);
        },
      ),
      { numRuns: 150 },
    );
    // A JSON body is decoded instead.
    const odd = encodeRecordBody({ ...fc.sample(canonical, 1)[0]!, kind: 'x-ray' as StoredRecord['kind'] }, null);
    expect(odd.compact).toBe(false);
    expect(peekRecordBody(odd.body)).toBeNull();
    expect(cipherBytesOf(odd.body)).toBeNull();
    expect(scopeOfBody(odd.body)).toBeNull();
  });

  it('keeps anything else exactly as JSON: altered commitments, odd hex, unknown kinds, extra fields', () => {
    fc.assert(
      fc.property(
        canonical,
        fc.constantFrom<Array<(r: StoredRecord) => StoredRecord>>(
          [(r) => ({ ...r, id: r.id.toUpperCase().replace('0X', '0x') }), (r) => ({ ...r, kind: 'x-ray' as StoredRecord['kind'] }), (r) => ({ ...r, signedVersion: 3 as unknown as 2 }), (r) => ({ ...r, extra: 1 }) as StoredRecord, (r) => ({ ...r, patient: r.patient.toLowerCase() }), (r) => ({ ...r, signature: '0x1234' }), (r) => ({ ...r, cipher: { ...r.cipher, iv: '0x00' } })],
        ),
        (r, alter) => {
          for (const change of alter) {
            const odd = change(r);
            expect(encodeRecordBody(odd, null).compact).toBe(false);
            expect(roundTrip(odd)).toEqual(odd);
          }
          // A commitment that does not match its salt is kept in the compact form, as it was.
          const wrong = { ...r, commitment: '0x' + 'ab'.repeat(32) };
          expect(encodeRecordBody(wrong, null).compact).toBe(true);
          expect(roundTrip(wrong)).toEqual(wrong);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('stores a station reading in under 800 bytes and a nurse set in under 900, against 2.9 KB of JSON today', () => {
    const ward = makeWard(1);
    const [station] = stationBatch(ward, [{ patient: ward.patients[0]!, at: Date.now(), i: 1 }]).records;
    const nurse = nurseRecord(ward, ward.patients[0]!, nurseVitals(3));
    const stationEncoded = encodeRecordBody(station!, { treeNo: 123456, leafIndex: 999 });
    const nurseEncoded = encodeRecordBody(nurse, null);
    // Both are signed with the role (version 2), as every record written now, and stay compact.
    expect([station!.signedVersion, nurse.signedVersion]).toEqual([2, 2]);
    expect([stationEncoded.compact, nurseEncoded.compact]).toEqual([true, true]);
    expect(decodeRecordBody(nurseEncoded.body, nurse.patient).record).toEqual(nurse);
    const stationBody = stationEncoded.body;
    const nurseBody = nurseEncoded.body;
    expect(stationBody.length).toBeLessThan(800);
    expect(nurseBody.length).toBeLessThan(900);
    expect(stationBody.length).toBeLessThan(JSON.stringify(station).length / 2);
  });
});
