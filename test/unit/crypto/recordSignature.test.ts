import { Signature, SigningKey, TypedDataEncoder, Wallet, getAddress, hexlify, keccak256, randomBytes, recoverAddress, verifyTypedData } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../../../electron/core/crypto/canonical';
import type { RecordFields } from '../../../electron/core/crypto/recordSignature';
import {
  BATCH_TYPES,
  BATCH_TYPES_V2,
  NO_AMENDS,
  RECORD_DOMAIN,
  RECORD_DOMAIN_V2,
  RECORD_TYPES,
  RECORD_TYPES_V2,
  batchDigest,
  contentHashOf,
  recordDigest,
  recoverBatchSigner,
  recoverRecordSigner,
  signBatchRoot,
  signRecord,
  verifyBatchSignature,
  verifyRecordSignature,
} from '../../../electron/core/crypto/recordSignature';

const nurse = new Wallet(hexlify(randomBytes(32)));
const intruder = new Wallet(hexlify(randomBytes(32)));
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function fieldsFor(author: string, over: Partial<RecordFields> = {}): RecordFields {
  return {
    recordId: hexlify(randomBytes(32)),
    patientRef: hexlify(randomBytes(32)),
    contentHash: contentHashOf(canonicalize({ kind: 'vitals', spo2: 97 })),
    amends: NO_AMENDS,
    kind: 'vitals',
    author,
    createdAt: 1_760_000_000_000,
    ...over,
  };
}

describe('record signatures (EIP-712)', () => {
  it('uses a chain-independent domain', () => {
    expect(Object.keys(RECORD_DOMAIN).sort()).toEqual(['name', 'version']);
    expect(RECORD_DOMAIN).toEqual({ name: 'WardLedger Record', version: '1' });
  });

  it('signs and verifies; the digest is standard EIP-712 as ethers computes it', async () => {
    const fields = fieldsFor(nurse.address);
    const sig = signRecord(nurse, fields);
    expect(sig).toMatch(/^0x[0-9a-f]{130}$/);
    expect(recoverRecordSigner(fields, sig)).toBe(nurse.address);
    expect(verifyRecordSignature(fields, sig, nurse.address)).toBe(true);
    expect(verifyRecordSignature(fields, sig, nurse.address.toLowerCase())).toBe(true);
    // Cross-check with ethers' own typed-data path in both directions.
    expect(recordDigest(fields)).toBe(TypedDataEncoder.hash(RECORD_DOMAIN, RECORD_TYPES, fields));
    expect(verifyTypedData(RECORD_DOMAIN, RECORD_TYPES, fields, sig)).toBe(nurse.address);
    const viaWallet = await nurse.signTypedData(RECORD_DOMAIN, RECORD_TYPES, fields);
    expect(verifyRecordSignature(fields, viaWallet, nurse.address)).toBe(true);
  });

  it('accepts a SigningKey or a private key string as signer', () => {
    const fields = fieldsFor(nurse.address);
    expect(verifyRecordSignature(fields, signRecord(new SigningKey(nurse.privateKey), fields), nurse.address)).toBe(true);
    expect(verifyRecordSignature(fields, signRecord(nurse.privateKey, fields), nurse.address)).toBe(true);
  });

  it('refuses to sign fields naming another author', () => {
    expect(() => signRecord(intruder, fieldsFor(nurse.address))).toThrow(expect.objectContaining({ code: 'CRYPTO' }));
  });

  it('a signature by the wrong key fails', () => {
    const fields = fieldsFor(nurse.address);
    const forged = intruder.signingKey.sign(recordDigest(fields)).serialized; // intruder signs the nurse's fields
    expect(verifyRecordSignature(fields, forged, nurse.address)).toBe(false);
    expect(recoverRecordSigner(fields, forged)).toBe(intruder.address);
    // And a genuine signature does not verify for a different expected author.
    expect(verifyRecordSignature(fields, signRecord(nurse, fields), intruder.address)).toBe(false);
  });

  it('a signature replayed onto another record (any field changed) fails', () => {
    const fields = fieldsFor(nurse.address);
    const sig = signRecord(nurse, fields);
    const changes: Partial<RecordFields>[] = [
      { recordId: hexlify(randomBytes(32)) },
      { patientRef: hexlify(randomBytes(32)) },
      { contentHash: keccak256(canonicalize({ kind: 'vitals', spo2: 88 })) },
      { amends: hexlify(randomBytes(32)) },
      { kind: 'note' },
      { createdAt: 1_760_000_000_001 },
      { author: intruder.address },
    ];
    for (const change of changes) {
      const replayed = { ...fields, ...change };
      expect(verifyRecordSignature(replayed, sig, nurse.address)).toBe(false);
      expect(recoverRecordSigner(replayed, sig)).not.toBe(nurse.address);
    }
  });

  it('record and batch digests equal ethers\' EIP-712 hashing for any field values', () => {
    const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hexlify(b));
    const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(hexlify(b)));
    const uint64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(bytes32, bytes32, bytes32, bytes32, fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), address, uint64, (recordId, patientRef, contentHash, amends, kind, author, createdAt) => {
        const fields: RecordFields = { recordId, patientRef, contentHash, amends, kind, author, createdAt };
        expect(recordDigest(fields)).toBe(TypedDataEncoder.hash(RECORD_DOMAIN, RECORD_TYPES, fields));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(bytes32, fc.integer({ min: 1, max: 0xffffffff }), address, uint64, (root, count, author, createdAt) => {
        const batch = { root, count, author, createdAt };
        expect(batchDigest(batch)).toBe(TypedDataEncoder.hash(RECORD_DOMAIN, BATCH_TYPES, batch));
      }),
      { numRuns: 300 },
    );
  });

  it('version 2 (the role signed) digests equal ethers\' EIP-712 hashing for any field values', () => {
    const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hexlify(b));
    const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(hexlify(b)));
    const uint64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    const text = fc.string({ minLength: 1, maxLength: 40, unit: 'binary' });
    fc.assert(
      fc.property(bytes32, bytes32, bytes32, bytes32, text, address, text, uint64, (recordId, patientRef, contentHash, amends, kind, author, authorRole, createdAt) => {
        const fields: RecordFields = { recordId, patientRef, contentHash, amends, kind, author, authorRole, createdAt };
        expect(recordDigest(fields)).toBe(TypedDataEncoder.hash(RECORD_DOMAIN_V2, RECORD_TYPES_V2, fields));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(bytes32, fc.integer({ min: 1, max: 0xffffffff }), address, text, uint64, (root, count, author, authorRole, createdAt) => {
        const batch = { root, count, author, authorRole, createdAt };
        expect(batchDigest(batch)).toBe(TypedDataEncoder.hash(RECORD_DOMAIN_V2, BATCH_TYPES_V2, batch));
      }),
      { numRuns: 300 },
    );
  });

  it('a role-signed record fails with another role, with the role removed, and a role-less one fails with a role added', () => {
    const v2 = fieldsFor(nurse.address, { authorRole: 'nurse' });
    const sig2 = signRecord(nurse, v2);
    expect(verifyRecordSignature(v2, sig2, nurse.address)).toBe(true);
    expect(verifyTypedData(RECORD_DOMAIN_V2, RECORD_TYPES_V2, v2, sig2)).toBe(nurse.address);
    expect(verifyRecordSignature({ ...v2, authorRole: 'doctor' }, sig2, nurse.address)).toBe(false);
    const { authorRole: _dropped, ...downgraded } = v2;
    expect(verifyRecordSignature(downgraded, sig2, nurse.address)).toBe(false);

    const v1 = fieldsFor(nurse.address);
    const sig1 = signRecord(nurse, v1);
    expect(verifyRecordSignature(v1, sig1, nurse.address)).toBe(true); // records written before the role was signed
    expect(verifyRecordSignature({ ...v1, authorRole: 'nurse' }, sig1, nurse.address)).toBe(false);

    const root = hexlify(randomBytes(32));
    const batch = signBatchRoot(nurse, root, 3, 7, 'station');
    expect(batch.batch.authorRole).toBe('station');
    expect(verifyBatchSignature(batch.batch, batch.signature, nurse.address)).toBe(true);
    expect(verifyBatchSignature({ ...batch.batch, authorRole: 'doctor' }, batch.signature, nurse.address)).toBe(false);
    expect(verifyBatchSignature({ root, count: 3, author: nurse.address, createdAt: 7 }, batch.signature, nurse.address)).toBe(false);
  });

  it('refuses an empty or non-text role', () => {
    expect(() => signRecord(nurse, fieldsFor(nurse.address, { authorRole: '' }))).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(verifyRecordSignature(fieldsFor(nurse.address, { authorRole: 7 as unknown as string }), '0x' + '11'.repeat(65), nurse.address)).toBe(false);
  });

  it('recovers the same signer as ethers for any key and fields, and null for random low-s junk', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (keyBytes, id) => {
        let wallet: Wallet;
        try {
          wallet = new Wallet(hexlify(keyBytes));
        } catch {
          return; // not a valid private key (zero or >= n)
        }
        const fields = fieldsFor(wallet.address, { recordId: hexlify(id) });
        const sig = signRecord(wallet, fields);
        expect(sig).toBe(wallet.signingKey.sign(recordDigest(fields)).serialized); // same bytes as ethers signs
        expect(recoverRecordSigner(fields, sig)).toBe(recoverAddress(recordDigest(fields), sig));
        expect(recoverRecordSigner(fields, sig)).toBe(wallet.address);
      }),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: N - 1n }), fc.bigInt({ min: 1n, max: N >> 1n }), fc.constantFrom('1b', '1c'), (r, s, v) => {
        const sig = '0x' + r.toString(16).padStart(64, '0') + s.toString(16).padStart(64, '0') + v;
        const fields = fieldsFor(nurse.address);
        let expected: string | null;
        try {
          expected = recoverAddress(recordDigest(fields), sig);
        } catch {
          expected = null; // r is not the x of a curve point
        }
        expect(recoverRecordSigner(fields, sig)).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('malformed or malleated signatures return false and never throw', () => {
    const fields = fieldsFor(nurse.address);
    const sig = signRecord(nurse, fields);
    const parsed = Signature.from(sig);
    const highS = '0x' + parsed.r.slice(2) + (N - BigInt(parsed.s)).toString(16).padStart(64, '0') + (parsed.v === 27 ? '1c' : '1b');
    expect(recoverRecordSigner(fields, highS)).toBeNull(); // same signer, second encoding: rejected (EIP-2)
    const bad: unknown[] = [
      '',
      '0x',
      'not hex',
      sig.slice(0, -2),
      sig + '00',
      sig.slice(0, -2) + '00',
      sig.slice(0, -2) + '1d',
      '0x' + '00'.repeat(32) + sig.slice(66),
      '0x' + 'ff'.repeat(65),
      highS,
      null,
      undefined,
      42,
      { r: parsed.r },
    ];
    for (const s of bad) {
      expect(verifyRecordSignature(fields, s as string, nurse.address)).toBe(false);
      expect(recoverRecordSigner(fields, s as string)).toBeNull();
    }
    expect(verifyRecordSignature(fields, sig, 'not an address')).toBe(false);
    expect(verifyRecordSignature({ ...fields, recordId: '0x12' }, sig, nurse.address)).toBe(false);
    expect(verifyRecordSignature(null as unknown as RecordFields, sig, nurse.address)).toBe(false);
  });

  it('rejects malformed fields when signing', () => {
    for (const over of [{ recordId: '0x1234' }, { kind: '' }, { createdAt: -1 }, { createdAt: 1.5 }, { author: '0xnope' }] as Partial<RecordFields>[]) {
      expect(() => signRecord(nurse, fieldsFor(nurse.address, over))).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    }
  });
});

describe('batch root signatures', () => {
  const root = hexlify(randomBytes(32));

  it('signs a root and verifies it; altering root, count or time fails', () => {
    const { batch, signature } = signBatchRoot(nurse, root, 500, 1_760_000_000_000);
    expect(batch).toEqual({ root, count: 500, author: nurse.address, createdAt: 1_760_000_000_000 });
    expect(recoverBatchSigner(batch, signature)).toBe(nurse.address);
    expect(verifyBatchSignature(batch, signature, nurse.address)).toBe(true);
    expect(batchDigest(batch)).toBe(TypedDataEncoder.hash(RECORD_DOMAIN, BATCH_TYPES, batch));
    expect(signature).toBe(nurse.signingKey.sign(batchDigest(batch)).serialized);
    expect(verifyBatchSignature({ ...batch, root: hexlify(randomBytes(32)) }, signature, nurse.address)).toBe(false);
    expect(verifyBatchSignature({ ...batch, count: 501 }, signature, nurse.address)).toBe(false);
    expect(verifyBatchSignature({ ...batch, createdAt: 1 }, signature, nurse.address)).toBe(false);
    expect(verifyBatchSignature(batch, signature, intruder.address)).toBe(false);
    expect(verifyBatchSignature(batch, '0xdead', nurse.address)).toBe(false);
  });

  it('a batch signature is not a record signature and vice versa (distinct types)', () => {
    const { batch, signature } = signBatchRoot(nurse, root, 1, 5);
    const asRecord = fieldsFor(nurse.address, { recordId: root, createdAt: 5 });
    expect(verifyRecordSignature(asRecord, signature, nurse.address)).toBe(false);
    const recordSig = signRecord(nurse, asRecord);
    expect(verifyBatchSignature(batch, recordSig, nurse.address)).toBe(false);
  });

  it('rejects a malformed root or count', () => {
    expect(() => signBatchRoot(nurse, '0x12', 1)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => signBatchRoot(nurse, root, 0)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => signBatchRoot(nurse, root, 2 ** 32)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
});
