import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Wallet, concat, getBytes, hexlify, keccak256, randomBytes } from 'ethers';
import { describe, expect, it } from 'vitest';
import { checkCommitment, checkHashCommitment, commit, commitToHash, patientRef } from '../../../electron/core/crypto/commitment';

const spo2 = new TextEncoder().encode('{"spo2":97}');

describe('salted commitments', () => {
  it('equal contents give different commitments and salts', () => {
    const a = commit(spo2);
    const b = commit(spo2);
    expect(a.salt).not.toBe(b.salt);
    expect(a.commitment).not.toBe(b.commitment);
    expect(a.salt).toMatch(/^0x[0-9a-f]{64}$/);
    expect(a.commitment).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('is keccak256(salt || keccak256(content)) and checks back', () => {
    const c = commit(spo2);
    expect(c.commitment).toBe(keccak256(concat([c.salt, keccak256(spo2)])));
    expect(checkCommitment(spo2, c.salt, c.commitment)).toBe(true);
    expect(checkHashCommitment(keccak256(spo2), c.salt, c.commitment)).toBe(true);
    expect(commitToHash(keccak256(spo2), c.salt)).toEqual(c);
  });

  it('does not reveal the plain content hash', () => {
    const c = commit(spo2);
    expect(c.commitment).not.toBe(keccak256(spo2));
    expect(c.commitment).not.toBe(keccak256(keccak256(spo2)));
  });

  it('fails for other content, another salt, or a malformed input, without throwing', () => {
    const c = commit(spo2);
    expect(checkCommitment(new TextEncoder().encode('{"spo2":96}'), c.salt, c.commitment)).toBe(false);
    expect(checkCommitment(spo2, hexlify(randomBytes(32)), c.commitment)).toBe(false);
    expect(checkCommitment(spo2, c.salt, hexlify(randomBytes(32)))).toBe(false);
    expect(checkCommitment(spo2, '0x12', c.commitment)).toBe(false);
    expect(checkCommitment(spo2, c.salt, 'nonsense')).toBe(false);
    expect(checkHashCommitment('0x', c.salt, c.commitment)).toBe(false);
  });
});

describe('patientRef', () => {
  const secret = randomBytes(32);
  const patient = Wallet.createRandom().address;

  it('is HMAC-SHA256 of the address under the ward secret (independent implementation)', () => {
    const expected = hexlify(hmac(sha256, secret, getBytes(concat([new TextEncoder().encode('WardLedger/patientRef/v1\0'), patient]))));
    expect(patientRef(secret, patient)).toBe(expected);
  });

  it('is stable for one secret and address spelling, and differs across secrets and patients', () => {
    const ref = patientRef(secret, patient);
    expect(ref).toMatch(/^0x[0-9a-f]{64}$/);
    expect(patientRef(secret, patient.toLowerCase())).toBe(ref);
    expect(patientRef(hexlify(secret), patient)).toBe(ref);
    expect(patientRef(randomBytes(32), patient)).not.toBe(ref);
    expect(patientRef(secret, Wallet.createRandom().address)).not.toBe(ref);
    expect(ref).not.toContain(patient.slice(2).toLowerCase());
  });

  it('rejects a short secret or a malformed address', () => {
    expect(() => patientRef(randomBytes(8), patient)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => patientRef(secret, '0x1234')).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
});
