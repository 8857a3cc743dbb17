/**
 * The bytes a record's verification memo covers (records/recordMemo.ts), walked field by field:
 * every field the signature, the Merkle leaf, the stored ciphertext and the anchor cover changes
 * the tag; the proofs (which a memo never covers) and the spelling of hex (case) do not; a hex
 * field with a stray character is not read as the hex before it.
 */
import { randomBytes } from 'node:crypto';
import { getAddress } from 'ethers';
import { describe, expect, it } from 'vitest';
import { VerifiedCache } from '../../../electron/core/crypto/verifiedCache';
import { verificationFacts } from '../../../electron/core/records/provenance';
import type { AnchorRef, StoredRecord } from '../../../electron/core/storage/storedRecord';
import { flipHex as flip, memoReading as reading, randomHex as hex } from '../../support/memoReading';

describe('what a record memo covers', () => {
  const cache = new VerifiedCache(randomBytes(32));
  const base = reading();
  const anchor: AnchorRef = { root: base.batchSignature!.root, batchId: 41, block: 1207, tx: hex(32), proof: [hex(32)] };
  const tag = cache.tagOf(verificationFacts(base, anchor));
  const tagWith = (edit: (r: StoredRecord, a: AnchorRef) => void) => {
    const r = structuredClone(base);
    const a = structuredClone(anchor);
    edit(r, a);
    return cache.tagOf(verificationFacts(r, a));
  };

  const covered: Array<[string, (r: StoredRecord, a: AnchorRef) => void]> = [
    ['id', (r) => (r.id = flip(r.id))],
    ['patient', (r) => (r.patient = getAddress(flip(r.patient.toLowerCase())))],
    ['patientRef', (r) => (r.patientRef = flip(r.patientRef))],
    ['kind', (r) => (r.kind = 'note')],
    ['author', (r) => (r.author = getAddress(flip(r.author.toLowerCase())))],
    ['authorRole', (r) => (r.authorRole = 'nurse')],
    ['signedVersion', (r) => delete r.signedVersion],
    ['createdAt', (r) => (r.createdAt += 1)],
    ['amends', (r) => (r.amends = hex(32))],
    ['contentHash', (r) => (r.contentHash = flip(r.contentHash))],
    ['salt', (r) => (r.salt = flip(r.salt))],
    ['commitment', (r) => (r.commitment = flip(r.commitment))],
    ['signature', (r) => (r.signature = hex(65))],
    ['batch root', (r) => (r.batchSignature!.root = flip(r.batchSignature!.root))],
    ['batch count', (r) => (r.batchSignature!.count = 981)],
    ['batch time', (r) => (r.batchSignature!.createdAt += 1)],
    ['batch signature', (r) => (r.batchSignature!.signature = flip(r.batchSignature!.signature))],
    ['batch signature removed', (r) => delete r.batchSignature],
    ['cipher version', (r) => ((r.cipher as { v: number }).v = 2)],
    ['cipher scope', (r) => (r.cipher.scopeId = flip(r.cipher.scopeId))],
    ['cipher nonce', (r) => (r.cipher.iv = flip(r.cipher.iv))],
    ['ciphertext, one byte', (r) => (r.cipher.ct = flip(r.cipher.ct, 400))],
    ['ciphertext, one byte cut', (r) => (r.cipher.ct = r.cipher.ct.slice(0, -2))],
    ['anchor root', (_r, a) => (a.root = flip(a.root))],
    ['anchor batch', (_r, a) => (a.batchId += 1)],
    ['anchor block', (_r, a) => (a.block += 1)],
  ];
  it.each(covered)('an edited %s gives another tag', (_name, edit) => {
    expect(tagWith(edit)).not.toBe(tag);
  });

  it('a record not (or no longer) anchored gives another tag', () => {
    expect(cache.tagOf(verificationFacts(base, undefined))).not.toBe(tag);
  });

  it('the proofs and the anchor transaction are not covered; the case of hex is not either', () => {
    expect(tagWith((r, a) => ((r.batchSignature!.proof = [hex(32)]), (a.proof = []), (a.tx = hex(32))))).toBe(tag);
    expect(tagWith((r) => ((r.author = r.author.toLowerCase()), (r.cipher.ct = r.cipher.ct.toUpperCase().replace('0X', '0x'))))).toBe(tag);
  });

  it('a hex field with a stray character, or an odd length, is not the hex before it', () => {
    expect(tagWith((r) => (r.cipher.ct = r.cipher.ct + 'zz'))).not.toBe(tag);
    expect(tagWith((r) => (r.salt = r.salt + '0'))).not.toBe(tag);
    expect(tagWith((r) => (r.id = r.id.slice(2)))).not.toBe(tag);
  });

  it('field boundaries cannot shift: bytes moved from one field to the next give another tag', () => {
    const moved = tagWith((r) => {
      r.cipher.iv = r.cipher.iv + r.cipher.ct.slice(2, 4);
      r.cipher.ct = '0x' + r.cipher.ct.slice(4);
    });
    expect(moved).not.toBe(tag);
  });

  it('is checked by a cache with the same secret only, and any edit fails the check', () => {
    const facts = verificationFacts(base, anchor);
    expect(cache.isStillVerified(facts, tag)).toBe(true);
    expect(new VerifiedCache(randomBytes(32)).isStillVerified(facts, tag)).toBe(false);
    const edited = structuredClone(base);
    edited.cipher.ct = flip(edited.cipher.ct, 100);
    expect(cache.isStillVerified(verificationFacts(edited, anchor), tag)).toBe(false);
  });
});
