import { Wallet, hexlify, randomBytes } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import type { Envelope } from '../../../electron/core/crypto/envelope';
import { addRecipients, normalizePublicKey, openEnvelope, publicKeyOf, sealEnvelope, unwrapDataKey, openWithDataKey } from '../../../electron/core/crypto/envelope';

const patient = new Wallet(hexlify(randomBytes(32)));
const nurse = new Wallet(hexlify(randomBytes(32)));
const doctor = new Wallet(hexlify(randomBytes(32)));
const outsider = new Wallet(hexlify(randomBytes(32)));
const pub = (w: Wallet) => publicKeyOf(w.privateKey);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const payload = new TextEncoder().encode('{"kind":"vitals","spo2":97,"pulse":72}');
const RECORD = '0x' + 'ab'.repeat(32);

function expectCrypto(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(WardError);
  expect((caught as WardError).code).toBe('CRYPTO');
}

/** Flip one bit of the byte at `index` in a 0x hex string. */
function flipByte(hex: string, index: number): string {
  const bytes = Buffer.from(hex.slice(2), 'hex');
  bytes[index] ^= 0x01;
  return '0x' + bytes.toString('hex');
}

describe('envelope', () => {
  it('opens for every recipient and matches the plaintext', () => {
    const env = sealEnvelope(payload, [pub(patient), pub(nurse)], RECORD);
    expect(text(openEnvelope(env, patient.privateKey, RECORD))).toBe(text(payload));
    expect(text(openEnvelope(env, nurse.privateKey, RECORD))).toBe(text(payload));
    expect(env.v).toBe(1);
    expect(env.recipients.map((r) => r.recipient).sort()).toEqual([pub(patient), pub(nurse)].sort());
  });

  it('publicKeyOf gives the 64-byte registry format ethers derives', () => {
    expect(publicKeyOf(patient.privateKey)).toBe('0x' + patient.signingKey.publicKey.slice(4).toLowerCase());
    expect(publicKeyOf(patient.privateKey.slice(2))).toBe(publicKeyOf(patient.privateKey));
    expect(pub(patient)).toMatch(/^0x[0-9a-f]{128}$/);
  });

  it('accepts 04-prefixed and unprefixed keys and wraps duplicates once', () => {
    const env = sealEnvelope(payload, [patient.signingKey.publicKey, pub(patient).slice(2), pub(patient).toUpperCase().replace('0X', '0x')], RECORD);
    expect(env.recipients).toHaveLength(1);
    expect(env.recipients[0].recipient).toBe(pub(patient));
    expect(normalizePublicKey(patient.signingKey.publicKey)).toBe(pub(patient));
  });

  it('a non-reader cannot open', () => {
    const env = sealEnvelope(payload, [pub(patient), pub(nurse)], RECORD);
    expectCrypto(() => openEnvelope(env, outsider.privateKey, RECORD));
  });

  it('a relabelled wrapped key (recipient field set to another reader) does not open', () => {
    const env = sealEnvelope(payload, [pub(patient)], RECORD);
    const relabelled: Envelope = { ...env, recipients: [{ ...env.recipients[0], recipient: pub(outsider) }] };
    expectCrypto(() => openEnvelope(relabelled, outsider.privateKey, RECORD));
  });

  it('every flipped ciphertext or tag byte fails, and a flipped payload nonce fails', () => {
    const env = sealEnvelope(payload, [pub(patient)], RECORD);
    const length = (env.ct.length - 2) / 2;
    expect(length).toBe(payload.length + 16);
    for (let i = 0; i < length; i++) expectCrypto(() => openEnvelope({ ...env, ct: flipByte(env.ct, i) }, patient.privateKey, RECORD));
    for (let i = 0; i < 12; i++) expectCrypto(() => openEnvelope({ ...env, iv: flipByte(env.iv, i) }, patient.privateKey, RECORD));
  });

  it('a truncated ciphertext fails', () => {
    const env = sealEnvelope(payload, [pub(patient)], RECORD);
    expectCrypto(() => openEnvelope({ ...env, ct: env.ct.slice(0, -2) }, patient.privateKey, RECORD));
    expectCrypto(() => openEnvelope({ ...env, ct: '0x' }, patient.privateKey, RECORD));
  });

  it('every flipped wrapped-key byte fails, as do a flipped wrap nonce and ephemeral key', () => {
    const env = sealEnvelope(payload, [pub(patient)], RECORD);
    const w = env.recipients[0];
    const damaged = (patch: Partial<typeof w>): Envelope => ({ ...env, recipients: [{ ...w, ...patch }] });
    for (let i = 0; i < 48; i++) expectCrypto(() => openEnvelope(damaged({ wrapped: flipByte(w.wrapped, i) }), patient.privateKey, RECORD));
    for (let i = 0; i < 12; i++) expectCrypto(() => openEnvelope(damaged({ iv: flipByte(w.iv, i) }), patient.privateKey, RECORD));
    for (const i of [0, 1, 16, 32]) expectCrypto(() => openEnvelope(damaged({ epk: flipByte(w.epk, i) }), patient.privateKey, RECORD));
    expectCrypto(() => openEnvelope(damaged({ wrapped: w.wrapped + 'zz' }), patient.privateKey, RECORD));
  });

  it('the wrong context fails: an envelope cannot be moved to another record', () => {
    const env = sealEnvelope(payload, [pub(patient)], RECORD);
    expectCrypto(() => openEnvelope(env, patient.privateKey, '0x' + 'cd'.repeat(32)));
    // Swap only the payload of two records' envelopes: each wrapped key now meets a foreign payload.
    const other = sealEnvelope(payload, [pub(patient)], '0x' + 'cd'.repeat(32));
    expectCrypto(() => openEnvelope({ ...env, iv: other.iv, ct: other.ct }, patient.privateKey, RECORD));
  });

  it('sealing the same plaintext twice gives unrelated nonces, ciphertexts and wraps', () => {
    const a = sealEnvelope(payload, [pub(patient)], RECORD);
    const b = sealEnvelope(payload, [pub(patient)], RECORD);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
    expect(a.recipients[0].epk).not.toBe(b.recipients[0].epk);
    expect(a.recipients[0].wrapped).not.toBe(b.recipients[0].wrapped);
  });

  it('an added recipient can open, the original readers still can, the ciphertext is unchanged', () => {
    const env = sealEnvelope(payload, [pub(patient), pub(nurse)], RECORD);
    const before = JSON.stringify(env);
    const granted = addRecipients(env, patient.privateKey, [pub(doctor), pub(nurse)], RECORD);
    expect(JSON.stringify(env)).toBe(before); // input not mutated
    expect(granted.ct).toBe(env.ct);
    expect(granted.iv).toBe(env.iv);
    expect(granted.recipients).toHaveLength(3); // nurse was already a reader
    for (const w of [patient, nurse, doctor]) expect(text(openEnvelope(granted, w.privateKey, RECORD))).toBe(text(payload));
    expectCrypto(() => openEnvelope(env, doctor.privateKey, RECORD));
    expectCrypto(() => openEnvelope(granted, outsider.privateKey, RECORD));
  });

  it('only a reader can add recipients, and only under the right context', () => {
    const env = sealEnvelope(payload, [pub(patient)], RECORD);
    expectCrypto(() => addRecipients(env, outsider.privateKey, [pub(outsider)], RECORD));
    expectCrypto(() => addRecipients(env, patient.privateKey, [pub(doctor)], 'another record'));
  });

  it('a cached data key opens the payload and nothing else', () => {
    const env = sealEnvelope(payload, [pub(patient)], RECORD);
    const key = unwrapDataKey(env, patient.privateKey, RECORD);
    expect(text(openWithDataKey(env, key, RECORD))).toBe(text(payload));
    const other = sealEnvelope(payload, [pub(patient)], RECORD);
    expectCrypto(() => openWithDataKey(other, key, RECORD));
  });

  it('rejects bad inputs with clear codes', () => {
    expect(() => sealEnvelope(payload, [], RECORD)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => sealEnvelope(payload, ['0x' + '11'.repeat(64)], RECORD)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' })); // not on the curve
    expect(() => sealEnvelope(payload, ['0x1234'], RECORD)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => sealEnvelope(payload, [pub(patient)], '')).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => openEnvelope(sealEnvelope(payload, [pub(patient)], RECORD), '0x' + '00'.repeat(32), RECORD)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    const env = sealEnvelope(payload, [pub(patient)], RECORD);
    expectCrypto(() => openEnvelope({ ...env, v: 2 } as unknown as Envelope, patient.privateKey, RECORD));
    expectCrypto(() => openEnvelope({ ...env, recipients: [null] } as unknown as Envelope, patient.privateKey, RECORD));
    expectCrypto(() => openEnvelope(null as unknown as Envelope, patient.privateKey, RECORD));
  });

  it('error messages carry no key material', () => {
    const env = sealEnvelope(payload, [pub(patient)], RECORD);
    for (const attempt of [() => openEnvelope({ ...env, ct: flipByte(env.ct, 0) }, patient.privateKey, RECORD), () => openEnvelope(env, outsider.privateKey, RECORD)]) {
      const m = (() => {
        try {
          attempt();
        } catch (e) {
          return (e as Error).message;
        }
        return 'did not throw';
      })();
      expect(m).toMatch(/record/);
      for (const secret of [patient.privateKey, outsider.privateKey, env.ct, env.recipients[0].wrapped]) expect(m).not.toContain(secret.slice(2, 12));
    }
  });

  it('round-trips arbitrary payloads and contexts (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.string({ minLength: 1, maxLength: 80 }), (bytes, context) => {
        const env = sealEnvelope(bytes, [pub(nurse)], context);
        expect(Buffer.from(openEnvelope(env, nurse.privateKey, context))).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 40 },
    );
  });
});
