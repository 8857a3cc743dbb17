/**
 * Memo tags persisted by earlier versions stay valid: fixed records, a fixed secret and the tags
 * main's code (3864c3c) wrote for them, in both memo forms, with and without a batch signature
 * and an anchor. The tag's bytes are built with fewer allocations since (a batch signature's and
 * an anchor's bytes made once for a page of records, one HMAC update for the fixed head): any
 * change of what a tag covers, or of the order of its bytes, fails here (old wards' memos would
 * no longer vouch, and every record would be verified again in full).
 */
import { getAddress } from 'ethers';
import { describe, expect, it } from 'vitest';
import { VerifiedCache } from '../../../electron/core/crypto/verifiedCache';
import { verificationFacts } from '../../../electron/core/records/provenance';
import { encodeRecordBody } from '../../../electron/core/storage/recordBinary';
import type { AnchorRef, StoredRecord } from '../../../electron/core/storage/storedRecord';

/** n bytes of hex, each byte `seed + i` (deterministic). */
const hex = (n: number, seed: number) => '0x' + Buffer.from(Array.from({ length: n }, (_, i) => (seed + i * 7) & 0xff)).toString('hex');

function reading(seed: number, batch: boolean): StoredRecord {
  return {
    id: hex(32, seed),
    patient: getAddress(hex(20, seed + 1)),
    patientRef: hex(32, seed + 2),
    kind: 'vitals',
    author: getAddress(hex(20, seed + 3)),
    authorRole: batch ? 'station' : 'nurse',
    signedVersion: 2,
    createdAt: 1_764_000_000_000 + seed,
    amends: '0x' + '00'.repeat(32),
    contentHash: hex(32, seed + 4),
    salt: hex(32, seed + 5),
    commitment: hex(32, seed + 6),
    signature: batch ? '' : hex(65, seed + 7),
    ...(batch ? { batchSignature: { root: hex(32, seed + 8), count: 980, createdAt: 1_764_000_000_500, signature: hex(65, seed + 9), proof: [hex(32, seed + 10)] } } : {}),
    cipher: { v: 1, scopeId: hex(16, seed + 11), iv: hex(12, seed + 12), ct: hex(300 + seed, seed + 13) },
  } as StoredRecord;
}

const anchorOf = (seed: number): AnchorRef => ({ root: hex(32, seed + 20), batchId: 41 + seed, block: 1207 + seed, tx: hex(32, seed + 21), proof: [] });

describe('memo tags written by earlier versions', () => {
  const cache = new VerifiedCache(Buffer.alloc(32, 9));
  const cases: Array<[string, StoredRecord, AnchorRef | undefined]> = [
    ['a batch-signed reading, anchored', reading(1, true), anchorOf(1)],
    ['a batch-signed reading of the same batch and anchor', { ...reading(2, true), batchSignature: reading(1, true).batchSignature }, anchorOf(1)],
    ['a batch-signed reading, not anchored', reading(3, true), undefined],
    ['a record signed alone, anchored', reading(4, false), anchorOf(4)],
  ];

  it('are the same tags, in the stored form and in the field form', () => {
    const tags: string[][] = [];
    for (const [, r, a] of cases) {
      const { body, compact } = encodeRecordBody(r, r.batchSignature ? { treeNo: 3, leafIndex: 17 } : null);
      expect(compact).toBe(true);
      const both = [verificationFacts(r, a, { id: r.id, patient: r.patient, body }), verificationFacts(r, a)];
      // The check a read makes agrees with the tag written.
      both.forEach((facts, form) => expect(cache.isStillVerified(facts, EXPECTED[tags.length]![form])).toBe(true));
      tags.push(both.map((facts) => cache.tagOf(facts)));
    }
    expect(tags).toEqual(EXPECTED);
  });
});

const EXPECTED = [
  ['0x26cfd52b517189b14a3ea59bb8bdaa136ce99f2beb6fac48223424667a4b9e24', '0x1f898c352e0b05b01c99697ac0018ad223172fc63dbaa3d77fbc87973dbe806d'],
  ['0x41a004612e458c7d09ebc1d7263811a6cd8dea50459bc5a10f38a1b84bfc557f', '0xaa80fe8f72436739500c33c3f5a2eaf54ccc5941c3cef407bbff324f796f3846'],
  ['0x250b4820a91026744c481c6e123ed844f492710b2b72849ec9804793c6ec5346', '0xd365527c4ceacec8c04a6d9bfbb66c33241dad82144ff6c8a94c46207eb78f0e'],
  ['0xf4577b4020bb4baf7555cd71b0b8ff9ebb2bc5e00efb02589b6328935cce559f', '0x657879d2042e9aabe415ae901c1e8268b67ad72b799875a4f18a2308b1d6bab2'],
];

describe('the batch signature and anchor bytes made once for a page', () => {
  it('are made again when the same objects were edited in between (kept by value, not by object)', () => {
    const cache = new VerifiedCache(Buffer.alloc(32, 9));
    const r = reading(5, true);
    const a = anchorOf(5);
    const { body } = encodeRecordBody(r, { treeNo: 3, leafIndex: 17 });
    const tagNow = () => cache.tagOf(verificationFacts(r, a, { id: r.id, patient: r.patient, body }));
    const tags = [tagNow()];
    a.block += 1;
    tags.push(tagNow());
    r.batchSignature!.count += 1;
    tags.push(tagNow());
    a.block -= 1;
    r.batchSignature!.count -= 1;
    tags.push(tagNow());
    expect(new Set(tags.slice(0, 3)).size).toBe(3);
    expect(tags[3]).toBe(tags[0]);
  });
});
