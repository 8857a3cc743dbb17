/**
 * The stored form of a record's verification memo (records/recordMemo.ts, issue 12 cold opens):
 * the tag covers the record's patient, its binary body exactly as stored (storage/recordBinary.ts),
 * its batch signature and its anchor. Every byte of the body is flipped in turn and each gives
 * another tag; the two forms never vouch for each other; a tag written in the field form before
 * the stored form existed is still honoured for the unchanged record (and replaced by a stored-form
 * tag), and vouches for nothing once the stored bytes changed.
 */
import { randomBytes } from 'node:crypto';
import { getAddress } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { buildBatch } from '../../../electron/core/crypto/merkle';
import { VerifiedCache } from '../../../electron/core/crypto/verifiedCache';
import { forgetOpened, openFromMemo, verificationFacts, type Memos } from '../../../electron/core/records/provenance';
import { encodeRecordBody } from '../../../electron/core/storage/recordBinary';
import type { AnchorRef, StoredRecord } from '../../../electron/core/storage/storedRecord';
import { makeWard, nurseRecord, nurseVitals, scopeOf } from '../../support/realRecords';
import { flipHex as flip, memoReading as reading, randomHex as hex } from '../../support/memoReading';

describe('the stored form of a record memo', () => {
  const cache = new VerifiedCache(randomBytes(32));
  const base = reading();
  const tree = { treeNo: 12, leafIndex: 345 };
  const encoded = encodeRecordBody(base, tree);
  const stored = { id: base.id, patient: base.patient, body: encoded.body };
  const anchor: AnchorRef = { root: base.batchSignature!.root, batchId: 41, block: 1207, tx: hex(32), proof: [hex(32)] };
  const facts = verificationFacts(base, anchor, stored);
  const tag = cache.tagOf(facts);

  it('is taken for a record read with the body it was decoded from', () => {
    expect(encoded.compact).toBe(true);
    expect('form' in facts && facts.form).toBe('stored');
    expect(cache.isStillVerified(facts, tag)).toBe(true);
  });

  it('any byte of the stored body flipped gives another tag', () => {
    const tags = new Set<string>([tag]);
    for (let i = 0; i < stored.body.length; i++) {
      const body = Buffer.from(stored.body);
      body[i]! ^= 0x01;
      tags.add(cache.tagOf(verificationFacts(base, anchor, { ...stored, body })));
    }
    expect(tags.size).toBe(stored.body.length + 1);
    expect(cache.tagOf(verificationFacts(base, anchor, { ...stored, body: stored.body.subarray(0, -1) }))).not.toBe(tag);
  });

  const outside: Array<[string, (r: StoredRecord, a: AnchorRef) => void]> = [
    ['batch root', (r) => (r.batchSignature!.root = flip(r.batchSignature!.root))],
    ['batch count', (r) => (r.batchSignature!.count += 1)],
    ['batch time', (r) => (r.batchSignature!.createdAt += 1)],
    ['batch signature', (r) => (r.batchSignature!.signature = flip(r.batchSignature!.signature))],
    ['batch signature removed', (r) => delete r.batchSignature],
    ['anchor root', (_r, a) => (a.root = flip(a.root))],
    ['anchor batch', (_r, a) => (a.batchId += 1)],
    ['anchor block', (_r, a) => (a.block += 1)],
  ];
  it.each(outside)('an edited %s (kept outside the body) gives another tag', (_name, edit) => {
    const r = structuredClone(base);
    const a = structuredClone(anchor);
    edit(r, a);
    expect(cache.tagOf(verificationFacts(r, a, stored))).not.toBe(tag);
  });

  it('covers the patient the body is filed under', () => {
    const other = getAddress(hex(20));
    expect(cache.tagOf(verificationFacts({ ...base, patient: other }, anchor, { ...stored, patient: other }))).not.toBe(tag);
  });

  it('a record not (or no longer) anchored gives another tag; the proofs and the anchor transaction are not covered', () => {
    expect(cache.tagOf(verificationFacts(base, undefined, stored))).not.toBe(tag);
    const r = structuredClone(base);
    r.batchSignature!.proof = [];
    expect(cache.tagOf(verificationFacts(r, { ...anchor, tx: hex(32), proof: [] }, stored))).toBe(tag);
  });

  it('never vouches for the field form, nor the field form for it', () => {
    const fields = verificationFacts(base, anchor);
    expect('form' in fields).toBe(false);
    expect(cache.isStillVerified(fields, tag)).toBe(false);
    expect(cache.isStillVerified(facts, cache.tagOf(fields))).toBe(false);
  });

  it('bytes of another record (another id) are not taken: the field form is', () => {
    const f = verificationFacts(base, anchor, { ...stored, id: hex(32) });
    expect('form' in f).toBe(false);
  });
});

describe('a persistent tag in the field form (written before the stored form)', () => {
  beforeAll(() => useFastKeccak());

  function setUp() {
    forgetOpened();
    const ward = makeWard(1);
    const patient = ward.patients[0]!;
    const record = nurseRecord(ward, patient, nurseVitals(3), { createdAt: Date.UTC(2026, 10, 1) });
    const batch = buildBatch([{ recordId: record.id, patientRef: record.patientRef, commitment: record.commitment, author: record.author, createdAt: record.createdAt }]);
    const anchor: AnchorRef = { root: batch.root, batchId: 1, block: 7, tx: hex(32), proof: batch.proofs.get(record.id.toLowerCase())! };
    const persistentCache = new VerifiedCache(randomBytes(32));
    const oldTag = persistentCache.tagOf(verificationFacts(record, anchor));
    const remembered: Array<[string, string]> = [];
    const memos = (tag: string): Memos => ({ cache: new VerifiedCache(), rootOnChain: async () => true, persistent: { cache: persistentCache, tag, remember: (id, t) => remembered.push([id, t]) } });
    const storedOf = (r: StoredRecord) => {
      const { body, compact } = encodeRecordBody(r, null);
      expect(compact).toBe(true);
      return { id: r.id, patient: r.patient, body, signedBy: null };
    };
    return { record, anchor, key: scopeOf(ward, patient).key, persistentCache, oldTag, remembered, memos, storedOf };
  }

  it('is honoured for the unchanged record and replaced by a tag in the stored form', () => {
    const { record, anchor, key, persistentCache, oldTag, remembered, memos, storedOf } = setUp();
    const stored = storedOf(record);
    const first = openFromMemo(record, anchor, key, memos(oldTag), stored);
    expect('opened' in first && first.opened.provenance.status).toBe('verified');
    expect(remembered).toEqual([[record.id, persistentCache.tagOf(verificationFacts(record, anchor, stored))]]);
    forgetOpened();
    // The replacement vouches on its own, and nothing is written again.
    const again = openFromMemo(record, anchor, key, memos(remembered[0]![1]), stored);
    expect('opened' in again && again.opened.provenance.status).toBe('verified');
    expect(remembered).toHaveLength(1);
  });

  it('vouches for nothing once the stored bytes changed: the record is checked in full', () => {
    const { record, anchor, key, oldTag, remembered, memos, storedOf } = setUp();
    const edited = { ...record, salt: flip(record.salt, 10) };
    const first = openFromMemo(edited, anchor, key, memos(oldTag), storedOf(edited));
    expect('check' in first).toBe(true);
    expect(remembered).toEqual([]);
  });
});
