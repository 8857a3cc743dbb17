/**
 * Recovery keys (crypto/recoveryKey.ts): the key pair nightly backups are encrypted to. X25519 is
 * checked against RFC 7748's own test vectors (section 6.1, Alice and Bob), not against itself;
 * the text form refuses any mistyped character; the key file opens only with its passphrase and
 * only when its halves belong together.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  archiveKeyFor,
  archiveKeyWith,
  createRecoveryKey,
  openRecoveryKey,
  parseRecoveryPublicKey,
  recoveryKeyFingerprint,
  recoveryKeyText,
} from '../../../electron/core/crypto/recoveryKey';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const PASS = 'the recovery passphrase';
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe('recovery keys', () => {
  it('X25519 gives RFC 7748 section 6.1 public keys and shared secret', () => {
    const alice = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bob = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    expect(Buffer.from(x25519.getPublicKey(alice)).toString('hex')).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(Buffer.from(x25519.getPublicKey(bob)).toString('hex')).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(Buffer.from(x25519.getSharedSecret(alice, x25519.getPublicKey(bob))).toString('hex')).toBe(shared);
    expect(Buffer.from(x25519.getSharedSecret(bob, x25519.getPublicKey(alice))).toString('hex')).toBe(shared);
  });

  it('derives the same archive key from the private half, and another key pair derives another', async () => {
    const { file, publicKey } = await createRecoveryKey(PASS, FAST);
    const opened = await openRecoveryKey(JSON.stringify(file), PASS);
    expect(Buffer.from(opened.publicKey.bytes)).toEqual(Buffer.from(publicKey.bytes));
    const { key, ephemeral } = archiveKeyFor(publicKey);
    expect(key).toHaveLength(32);
    expect(archiveKeyWith(opened, ephemeral)).toEqual(key);
    // Each backup draws its own ephemeral key: two backups never share an archive key.
    const second = archiveKeyFor(publicKey);
    expect(second.key).not.toEqual(key);
    const other = await openRecoveryKey(JSON.stringify((await createRecoveryKey(PASS, FAST)).file), PASS);
    expect(archiveKeyWith(other, ephemeral)).not.toEqual(key);
  });

  it('reads back its own text, and refuses a changed character, a cut-off key and another text', async () => {
    const { publicKey, file } = await createRecoveryKey(PASS, FAST);
    const text = recoveryKeyText(publicKey);
    expect(text).toMatch(/^wlrk1-[A-Za-z0-9_-]{48}$/);
    expect(file.publicKey).toBe(text);
    expect(file.fingerprint).toBe(recoveryKeyFingerprint(publicKey));
    expect(file.fingerprint).toMatch(/^[0-9A-F]{4}(-[0-9A-F]{4}){3}$/);
    expect(Buffer.from(parseRecoveryPublicKey(`  ${text}\n`).bytes)).toEqual(Buffer.from(publicKey.bytes));
    // Every single character changed anywhere in the key is caught by its check.
    for (let i = 6; i < text.length; i++) {
      const c = text[i] === 'A' ? 'B' : 'A';
      const typo = text.slice(0, i) + c + text.slice(i + 1);
      expect(() => parseRecoveryPublicKey(typo), `position ${i}`).toThrow(/mistyped|too short|too long/);
    }
    expect(() => parseRecoveryPublicKey(text.slice(0, -3))).toThrow(/too short or too long/);
    expect(() => parseRecoveryPublicKey(text.slice(6))).toThrow(/starts with "wlrk1-"/);
    expect(() => parseRecoveryPublicKey(`${text.slice(0, 10)} ${text.slice(11)}`)).toThrow(/characters a recovery key never has/);
    let refused: unknown = null;
    try {
      parseRecoveryPublicKey('wlrk1-abc');
    } catch (e) {
      refused = e;
    }
    // The words land under the form's field.
    expect(refused).toMatchObject({ code: 'BAD_INPUT', details: { fields: { recoveryKey: expect.stringMatching(/paste it whole/) } } });
  });

  it('opens the key file only with its passphrase, and refuses a file whose halves do not belong together', async () => {
    const a = (await createRecoveryKey(PASS, FAST)).file;
    const b = (await createRecoveryKey(PASS, FAST)).file;
    // The private key is not in the file in the clear.
    await expect(openRecoveryKey(JSON.stringify(a), 'not the passphrase')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    // a's sealed private key under b's public key (and its fingerprint): refused, never opened as b's.
    await expect(openRecoveryKey(JSON.stringify({ ...a, publicKey: b.publicKey, fingerprint: b.fingerprint }), PASS)).rejects.toMatchObject({ code: expect.stringMatching(/BAD_INPUT|WRONG_PASSWORD/) });
    await expect(openRecoveryKey('{"kind":"something else"}', PASS)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(openRecoveryKey('not json', PASS)).rejects.toThrow(/not a WardLedger recovery key/);
    await expect(openRecoveryKey(JSON.stringify({ ...a, kdf: { ...a.kdf, N: 2 ** 30 } }), PASS)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(createRecoveryKey('too short', FAST)).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
