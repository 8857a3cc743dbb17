import { createHmac } from 'node:crypto';
import { Wallet, hexlify, randomBytes } from 'ethers';
import { describe, expect, it } from 'vitest';
import { publicKeyOf, sealEnvelope } from '../../../electron/core/crypto/envelope';
import type { FieldFacts, VerifiedFacts } from '../../../electron/core/crypto/verifiedCache';
import { VerifiedCache, ciphertextHashOf } from '../../../electron/core/crypto/verifiedCache';

const reader = new Wallet(hexlify(randomBytes(32)));
const recordId = hexlify(randomBytes(32));
const envelope = sealEnvelope(new TextEncoder().encode('{"pulse":72}'), [publicKeyOf(reader.privateKey)], recordId);

function factsFor(env = envelope): FieldFacts {
  return { recordId, signedFields: '0x' + 'cc'.repeat(32), ciphertextHash: ciphertextHashOf(env), signature: '0x' + 'aa'.repeat(65), anchorRoot: '0x' + 'bb'.repeat(32), scope: 'ward' };
}

function flipCiphertextByte(hex: string, index: number): string {
  const b = Buffer.from(hex.slice(2), 'hex');
  b[index] ^= 0x80;
  return '0x' + b.toString('hex');
}

describe('verified cache', () => {
  it('remembers a verified record while nothing changed', () => {
    const cache = new VerifiedCache();
    expect(cache.isStillVerified(factsFor())).toBe(false);
    cache.markVerified(factsFor());
    expect(cache.isStillVerified(factsFor())).toBe(true);
    expect(cache.size).toBe(1);
  });

  it('keeps at most its capacity of tags, forgetting the oldest first', () => {
    const cache = new VerifiedCache(undefined, 3);
    const facts = (i: number) => ({ ...factsFor(), recordId: '0x' + i.toString(16).padStart(64, '0') });
    for (let i = 0; i < 5; i++) cache.markVerified(facts(i));
    expect(cache.size).toBe(3);
    expect([0, 1, 2, 3, 4].map((i) => cache.isStillVerified(facts(i)))).toEqual([false, false, true, true, true]);
    cache.markVerified(facts(2)); // marked again: now the newest
    cache.markVerified(facts(5));
    expect([2, 3, 4, 5].map((i) => cache.isStillVerified(facts(i)))).toEqual([true, false, true, true]);
  });

  it('detects ciphertext altered after the check', () => {
    const cache = new VerifiedCache();
    cache.markVerified(factsFor());
    const tampered = { ...envelope, ct: flipCiphertextByte(envelope.ct, 3) };
    expect(cache.isStillVerified(factsFor(tampered))).toBe(false);
    expect(cache.isStillVerified(factsFor({ ...envelope, iv: flipCiphertextByte(envelope.iv, 0) }))).toBe(false);
  });

  it('detects altered signed fields, signature, anchor root or scope', () => {
    const cache = new VerifiedCache();
    cache.markVerified(factsFor());
    expect(cache.isStillVerified({ ...factsFor(), signedFields: '0x' + 'cd'.repeat(32) })).toBe(false);
    expect(cache.isStillVerified({ ...factsFor(), signature: '0x' + 'ab'.repeat(65) })).toBe(false);
    expect(cache.isStillVerified({ ...factsFor(), anchorRoot: '0x' + 'bc'.repeat(32) })).toBe(false);
    expect(cache.isStillVerified({ ...factsFor(), anchorRoot: null })).toBe(false);
    expect(cache.isStillVerified({ ...factsFor(), scope: 'consortium' })).toBe(false);
  });

  it('field boundaries cannot shift between fields', () => {
    const cache = new VerifiedCache();
    const facts: VerifiedFacts = { recordId: 'ab', signedFields: '01', ciphertextHash: 'cd', signature: 'ef', anchorRoot: null };
    cache.markVerified(facts);
    expect(cache.isStillVerified({ recordId: 'ab', signedFields: '01', ciphertextHash: 'c', signature: 'def', anchorRoot: null })).toBe(false);
  });

  it('a tag is HMAC-SHA256 over the label and the length-prefixed lowercase fields (tags persisted earlier stay valid)', () => {
    const secret = Buffer.alloc(32, 7);
    const f = { ...factsFor(), recordId: recordId.toUpperCase().replace('0X', '0x') };
    const h = createHmac('sha256', secret).update('WardLedger/verified/v2');
    for (const field of [f.recordId, f.signedFields, f.ciphertextHash, f.signature, f.anchorRoot!, f.scope!]) {
      const b = Buffer.from(field.toLowerCase(), 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      h.update(len).update(b);
    }
    expect(new VerifiedCache(secret).tagOf(f)).toBe('0x' + h.digest('hex'));
  });

  it('a tag persisted with the same secret is accepted; another secret or a forged tag is not', () => {
    const secret = randomBytes(32);
    const first = new VerifiedCache(secret);
    const tag = first.markVerified(factsFor());
    expect(tag).toMatch(/^0x[0-9a-f]{64}$/);
    expect(new VerifiedCache(secret).isStillVerified(factsFor(), tag)).toBe(true);
    expect(new VerifiedCache(randomBytes(32)).isStillVerified(factsFor(), tag)).toBe(false);
    expect(new VerifiedCache(secret).isStillVerified(factsFor(), hexlify(randomBytes(32)))).toBe(false);
    expect(new VerifiedCache(secret).isStillVerified(factsFor(), 'garbage')).toBe(false);
    expect(new VerifiedCache(secret).isStillVerified(null as unknown as VerifiedFacts, tag)).toBe(false);
  });

  it('forget drops the memo', () => {
    const cache = new VerifiedCache();
    cache.markVerified(factsFor());
    cache.forget(recordId.toUpperCase().replace('0X', '0x'));
    expect(cache.isStillVerified(factsFor())).toBe(false);
  });

  it('rejects a short secret', () => {
    expect(() => new VerifiedCache(new Uint8Array(8))).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
});
