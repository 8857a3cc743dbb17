/**
 * One-time activation codes for patients admitted by a nurse: the patient's keystore is created
 * under the code, and the patient replaces it with their own password at first login, so the
 * nurse never chooses or knows it.
 *
 * A code is 20 symbols of Crockford's Base32 (https://www.crockford.com/base32.html): 100 bits
 * from the system's CSPRNG, shown in five groups of four. The alphabet leaves out I, L, O and U;
 * when read back, case, spaces and hyphens are ignored and O is read as 0, I and L as 1 (the
 * spec's decoding rules), so a code copied from paper by hand still works.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SYMBOLS = 20;

/** A new code, e.g. "7Q2M-KX4D-9TRB-1HZN-C8WE". */
export function newActivationCode(): string {
  const bytes = randomBytes(SYMBOLS);
  // 256 is a multiple of 32: taking each byte mod 32 keeps every symbol equally likely.
  const symbols = [...bytes].map((b) => ALPHABET[b % 32]!).join('');
  return symbols.match(/.{4}/g)!.join('-');
}

/** The code as the keystore is encrypted under it: whatever the person typed, in canonical form. */
export function activationSecret(typed: string): string {
  return typed
    .toUpperCase()
    .replace(/[\s-]+/gu, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}
