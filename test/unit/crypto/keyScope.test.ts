import { Wallet, hexlify, randomBytes } from 'ethers';
import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import { publicKeyOf } from '../../../electron/core/crypto/envelope';
import type { KeyScope, ScopedCiphertext } from '../../../electron/core/crypto/keyScope';
import { MAX_RECORDS_PER_SCOPE, addScopeRecipients, createKeyScope, openKeyScope } from '../../../electron/core/crypto/keyScope';

const patient = new Wallet(hexlify(randomBytes(32)));
const nurse = new Wallet(hexlify(randomBytes(32)));
const doctor = new Wallet(hexlify(randomBytes(32)));
const outsider = new Wallet(hexlify(randomBytes(32)));
const pub = (w: Wallet) => publicKeyOf(w.privateKey);
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof WardError ? e.code : 'NOT_A_WARD_ERROR';
  }
  return undefined;
}

describe('key scopes', () => {
  it('many records under one wrapped key; every reader of the scope opens them', () => {
    const { scope, key } = createKeyScope([pub(patient), pub(nurse)], 'bed-4/2025-01-01T10');
    const sealed = Array.from({ length: 50 }, (_, i) => key.seal(bytes(`{"spo2":${90 + (i % 10)}}`), `rec-${i}`));
    expect(new Set(sealed.map((s) => s.iv)).size).toBe(50); // fresh nonce per record
    const asNurse = openKeyScope(scope, nurse.privateKey);
    sealed.forEach((s, i) => expect(text(asNurse.open(s, `rec-${i}`))).toBe(`{"spo2":${90 + (i % 10)}}`));
    expect(key.remaining).toBe(MAX_RECORDS_PER_SCOPE - 50);
  });

  it('a non-reader cannot open the scope', () => {
    const { scope } = createKeyScope([pub(patient)], 's1');
    expect(codeOf(() => openKeyScope(scope, outsider.privateKey))).toBe('CRYPTO');
  });

  it('a record cannot be moved to another record id or another scope, and altered bytes fail', () => {
    const a = createKeyScope([pub(patient)], 'scope-a');
    const b = createKeyScope([pub(patient)], 'scope-b');
    const s = a.key.seal(bytes('{"pulse":72}'), 'rec-1');
    expect(codeOf(() => a.key.open(s, 'rec-2'))).toBe('CRYPTO');
    expect(codeOf(() => b.key.open(s, 'rec-1'))).toBe('CRYPTO');
    expect(codeOf(() => b.key.open({ ...s, scopeId: 'scope-b' }, 'rec-1'))).toBe('CRYPTO');
    const ct = Buffer.from(s.ct.slice(2), 'hex');
    ct[0] ^= 1;
    expect(codeOf(() => a.key.open({ ...s, ct: '0x' + ct.toString('hex') }, 'rec-1'))).toBe('CRYPTO');
    expect(codeOf(() => a.key.open(null as unknown as ScopedCiphertext, 'rec-1'))).toBe('CRYPTO');
  });

  it('opens a record from its nonce and ciphertext as bytes with the same checks (record, scope, altered bytes)', () => {
    const a = createKeyScope([pub(patient)], 'scope-a');
    const b = createKeyScope([pub(patient)], 'scope-b');
    const s = a.key.seal(bytes('{"pulse":72}'), 'rec-1');
    const iv = Buffer.from(s.iv.slice(2), 'hex');
    const ct = Buffer.from(s.ct.slice(2), 'hex');
    expect(text(a.key.openBytes('scope-a', iv, ct, 'rec-1'))).toBe('{"pulse":72}');
    expect(codeOf(() => a.key.openBytes('scope-a', iv, ct, 'rec-2'))).toBe('CRYPTO');
    expect(codeOf(() => b.key.openBytes('scope-a', iv, ct, 'rec-1'))).toBe('CRYPTO');
    expect(codeOf(() => b.key.openBytes('scope-b', iv, ct, 'rec-1'))).toBe('CRYPTO');
    expect(codeOf(() => a.key.openBytes('scope-a', iv.subarray(1), ct, 'rec-1'))).toBe('CRYPTO');
    ct[ct.length - 1]! ^= 1;
    expect(codeOf(() => a.key.openBytes('scope-a', iv, ct, 'rec-1'))).toBe('CRYPTO');
    expect(codeOf(() => a.key.openBytes('scope-a', iv, ct, ''))).toBe('BAD_INPUT');
  });

  it('a scope envelope relabelled with another scope id does not open', () => {
    const { scope } = createKeyScope([pub(patient)], 'scope-a');
    const relabelled: KeyScope = { ...scope, scopeId: 'scope-b' };
    expect(codeOf(() => openKeyScope(relabelled, patient.privateKey))).toBe('CRYPTO');
  });

  it('a grant on the scope lets the grantee read existing records', () => {
    const { scope, key } = createKeyScope([pub(patient)], 's2');
    const s = key.seal(bytes('{"temp":37.2}'), 'rec-9');
    expect(codeOf(() => openKeyScope(scope, doctor.privateKey))).toBe('CRYPTO');
    const granted = addScopeRecipients(scope, patient.privateKey, [pub(doctor)]);
    expect(text(openKeyScope(granted, doctor.privateKey).open(s, 'rec-9'))).toBe('{"temp":37.2}');
    expect(text(openKeyScope(granted, patient.privateKey).open(s, 'rec-9'))).toBe('{"temp":37.2}');
  });

  it('a destroyed key can no longer be used', () => {
    const { key } = createKeyScope([pub(patient)], 's3');
    const s = key.seal(bytes('x'), 'r');
    key.destroy();
    expect(codeOf(() => key.open(s, 'r'))).toBe('CRYPTO');
    expect(codeOf(() => key.seal(bytes('y'), 'r2'))).toBe('CRYPTO');
  });

  it('rejects an empty scope id or record context', () => {
    expect(codeOf(() => createKeyScope([pub(patient)], ''))).toBe('BAD_INPUT');
    const { key } = createKeyScope([pub(patient)], 's4');
    expect(codeOf(() => key.seal(bytes('x'), ''))).toBe('BAD_INPUT');
  });
});
