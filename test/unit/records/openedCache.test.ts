/**
 * The opened-record cache (records/provenance.ts): a record opened and verified once is served
 * from memory at the next open only while the stored record is, field for field, the one verified
 * (a digest of its fields, for records read without their stored bytes; warmOpen.test.ts covers
 * the stored bytes' digest). Each field a signature, commitment, anchor leaf or ciphertext covers is edited
 * here in turn: the next open must not be a hit, and must find the record tampered.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { buildBatch } from '../../../electron/core/crypto/merkle';
import { VerifiedCache } from '../../../electron/core/crypto/verifiedCache';
import { forgetOpened, openAndVerify, type Memos } from '../../../electron/core/records/provenance';
import type { AnchorRef, StoredRecord } from '../../../electron/core/storage/storedRecord';
import { makeWard, nurseRecord, nurseVitals, scopeOf } from '../../support/realRecords';

const T0 = Date.UTC(2026, 10, 1);

describe('the opened-record cache', () => {
  beforeAll(() => useFastKeccak());
  afterEach(() => forgetOpened());

  function opened() {
    const ward = makeWard(1);
    const patient = ward.patients[0]!;
    const records = [0, 1, 2].map((i) => nurseRecord(ward, patient, nurseVitals(i), { createdAt: T0 + i * 60_000 }));
    const batch = buildBatch(records.map((r) => ({ recordId: r.id, patientRef: r.patientRef, commitment: r.commitment, author: r.author, createdAt: r.createdAt })));
    const anchorOf = (r: StoredRecord): AnchorRef => ({ root: batch.root, batchId: 1, block: 7, tx: '0x' + '0a'.repeat(32), proof: batch.proofs.get(r.id.toLowerCase())! });
    const key = scopeOf(ward, patient).key;
    const memos: Memos = { cache: new VerifiedCache(), rootOnChain: async (root) => root === batch.root };
    const open = (r: StoredRecord) => openAndVerify(r, anchorOf(r), key, memos);
    return { record: records[1]!, records, open };
  }

  it('gives the records verified under one anchor one frozen provenance', async () => {
    const { records, open } = opened();
    const [a, b] = [await open(records[0]!), await open(records[2]!)];
    expect(a.provenance).toEqual({ signatureValid: true, contentMatchesAnchor: true, anchored: true, wardBlock: 7, wardTx: '0x' + '0a'.repeat(32), batchRoot: expect.any(String), problems: [], status: 'verified' });
    expect(b.provenance).toBe(a.provenance);
    expect(Object.isFrozen(a.provenance) && Object.isFrozen(a.provenance.problems)).toBe(true);
  });

  it('serves a record opened before from memory, the same object', async () => {
    const { record, open } = opened();
    const first = await open({ ...record });
    expect(first.provenance.status).toBe('verified');
    expect(await open({ ...record, cipher: { ...record.cipher } })).toBe(await open({ ...record }));
  });

  it('holds no ciphertext, hashes or signature of a record it serves from memory (read again from the store when needed)', async () => {
    const { record, open } = opened();
    const first = await open({ ...record });
    expect(first.provenance.status).toBe('verified');
    const again = await open({ ...record });
    expect(again).not.toBe(first);
    expect(again.record.cipher).not.toHaveProperty('ct');
    // The fields its readers use, and nothing the signature, hashes or ciphertext were checked on.
    const { id, patient, kind, author, authorRole, createdAt, amends } = record;
    expect(again.record).toEqual({ id, patient, kind, author, authorRole, createdAt, amends, cipher: { v: record.cipher.v, scopeId: record.cipher.scopeId, iv: record.cipher.iv } });
    expect(again.sealed).toEqual(first.sealed);
    expect(again.provenance).toEqual(first.provenance);
  });

  const flip = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
  const edits: Array<[string, (r: StoredRecord) => StoredRecord]> = [
    ['ciphertext', (r) => ({ ...r, cipher: { ...r.cipher, ct: flip(r.cipher.ct) } })],
    ['nonce', (r) => ({ ...r, cipher: { ...r.cipher, iv: flip(r.cipher.iv) } })],
    ['signature', (r) => ({ ...r, signature: flip(r.signature) })],
    ['content hash', (r) => ({ ...r, contentHash: flip(r.contentHash) })],
    ['salt', (r) => ({ ...r, salt: flip(r.salt) })],
    ['commitment', (r) => ({ ...r, commitment: flip(r.commitment) })],
    ['patient reference', (r) => ({ ...r, patientRef: flip(r.patientRef) })],
    ['amends', (r) => ({ ...r, amends: flip(r.amends) })],
    ['kind', (r) => ({ ...r, kind: 'note' })],
    ['author role', (r) => ({ ...r, authorRole: 'doctor' })],
    ['creation time', (r) => ({ ...r, createdAt: r.createdAt + 1 })],
    ['signed version', (r) => ({ ...r, signedVersion: undefined })],
  ];
  for (const [field, edit] of edits) {
    it(`does not serve it from memory once its ${field} was edited in the store`, async () => {
      const { record, open } = opened();
      const first = await open(record);
      expect(first.provenance.status).toBe('verified');
      const again = await open(edit(record));
      expect(again).not.toBe(first);
      expect(again.provenance.status).toBe('tampered');
    });
  }
});
