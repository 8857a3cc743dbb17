/**
 * Author credentials: a ward member's own EIP-712 statement "I am <role> of the ward whose sync
 * account is <ward> in this consortium, since <time>".
 *
 * Why: the consortium knows wards, not their staff. A record's signature proves who wrote it, but
 * not for which ward; a registered ward could otherwise republish another ward's records (to which
 * it was given access) as its own. The credential is signed by the author's key (a ward can not
 * make one for someone else's author) and names the ward, so a receiver accepts a record only when
 * its author's credential names the ward that published the batch. A member signs it once per
 * consortium (at login, while the key is unlocked); the station signs its own unattended.
 *
 * Domain: { name: 'WardLedger Consortium', version: '1', chainId, verifyingContract: ledger }, so a
 * credential counts in one consortium only.
 */
import { SigningKey, TypedDataEncoder, computeAddress, getAddress, recoverAddress, type TypedDataField } from 'ethers';
import { WardError } from '../model/errors';
import { checksumAddress, type ConsortiumContext } from './sealing';

export interface AuthorCredential {
  /** The author's address (signer of the credential and of the records). */
  member: string;
  /** The ward's sync account. */
  ward: string;
  /** The author's role on the ward, as the ward names it ('doctor', 'nurse', 'station', ...). */
  role: string;
  /** Milliseconds since the epoch when it was signed. */
  since: number;
  /** 65-byte signature, 0x hex. */
  signature: string;
}

export const CREDENTIAL_TYPES: Record<string, TypedDataField[]> = {
  WardMember: [
    { name: 'member', type: 'address' },
    { name: 'ward', type: 'address' },
    { name: 'role', type: 'string' },
    { name: 'since', type: 'uint64' },
  ],
};

function domain(c: ConsortiumContext) {
  return { name: 'WardLedger Consortium', version: '1', chainId: c.chainId, verifyingContract: getAddress(c.ledger) };
}

function digest(c: ConsortiumContext, v: Omit<AuthorCredential, 'signature'>): string {
  return TypedDataEncoder.hash(domain(c), CREDENTIAL_TYPES, { member: getAddress(v.member), ward: getAddress(v.ward), role: v.role, since: v.since });
}

/** Sign the credential of the key's owner for `ward`. */
export function signCredential(key: SigningKey | string, c: ConsortiumContext, ward: string, role: string, since = Date.now()): AuthorCredential {
  const signingKey = typeof key === 'string' ? new SigningKey(key) : key;
  const member = computeAddress(signingKey.publicKey);
  if (!role || role.length > 32) throw new WardError('BAD_INPUT', 'A credential needs a role of at most 32 characters.');
  const value = { member, ward: getAddress(ward), role, since };
  return { ...value, signature: signingKey.sign(digest(c, value)).serialized };
}

/** Credentials checked in this process (one recovery per credential, not per share). */
const checked = new Map<string, boolean>();
const CHECKED_CAPACITY = 10_000;

/** Whether `credential` was signed by its member and names `publisher` as the ward. Never throws. */
export function credentialHolds(credential: AuthorCredential, c: ConsortiumContext, publisher: string): boolean {
  try {
    if (checksumAddress(credential.ward) !== checksumAddress(publisher)) return false;
    const key = [c.chainId, c.ledger, credential.member, credential.ward, credential.role, credential.since, credential.signature].join('|').toLowerCase();
    let ok = checked.get(key);
    if (ok === undefined) {
      ok = getAddress(recoverAddress(digest(c, credential), credential.signature)) === checksumAddress(credential.member);
      if (checked.size >= CHECKED_CAPACITY) checked.delete(checked.keys().next().value!);
      checked.set(key, ok);
    }
    return ok;
  } catch {
    return false;
  }
}
