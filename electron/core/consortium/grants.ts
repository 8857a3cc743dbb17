/**
 * Key grants at both ends: making a scope grant (a ward scope key for a reader of another ward),
 * and, on the receiving ward, telling which grants on the chain are its own and opening them.
 *
 * A receiving ward computes one tag key per publishing ward (one ECDH each, cached) and then one
 * HMAC per grant it scans; only grants whose tag matches are opened.
 */
import { getAddress } from 'ethers';
import { WardError } from '../model/errors';
import type { ConsortiumContext } from './sealing';
import { decodeGrant, encodeGrant, scopeGrantContext, type GrantContent, type ScopeGrant } from './payload';
import { grantHead, openForReader, openGrant, sealForReader, tagKey, tagMatches } from './sealing';
import { sealShareOrScopeGrant, type PublisherKeys, type ShareRecipient } from './batch';

/** A sealed grant that gives `to.readerPublicKey` the ward scope key `scopeKey` of `patient`. */
export function makeScopeGrant(
  context: ConsortiumContext,
  publisher: Pick<PublisherKeys, 'account' | 'privateKey'>,
  to: ShareRecipient,
  patient: string,
  scopeId: string,
  scopeKey: Uint8Array,
): Uint8Array {
  const grant: ScopeGrant = { kind: 'scope', reader: to.readerPublicKey, patient, scopeId, wrappedKey: sealForReader(scopeKey, to.readerPublicKey, scopeGrantContext(scopeId)) };
  return sealShareOrScopeGrant(encodeGrant(grant), context, publisher, to);
}

/** The scope key in a scope grant, for its reader. @throws WardError('CRYPTO') for anyone else. */
export function openScopeGrant(grant: ScopeGrant, readerPrivateKey: string): Uint8Array {
  return openForReader(grant.wrappedKey, readerPrivateKey, scopeGrantContext(grant.scopeId));
}

/** The receiving side: this ward's sync account, and how to find another ward's sync key. */
export class GrantInbox {
  private readonly keys = new Map<string, Uint8Array | null>();

  constructor(
    private readonly context: ConsortiumContext,
    private readonly own: { account: string; privateKey: string },
    /** A ward's sync public key from the directory, or undefined when it is not a ward. */
    private readonly syncKeyOf: (ward: string) => string | undefined,
  ) {}

  /** Whether the grant `publisher` emitted is addressed to this ward (one HMAC; no decryption). */
  isForMe(publisher: string, grant: Uint8Array): boolean {
    const head = grantHead(grant);
    const key = head && this.tagKeyFrom(publisher);
    return !!key && tagMatches(key, head.epk, head.tag);
  }

  /**
   * Open a grant addressed to this ward.
   * @throws WardError('CRYPTO' | 'INTEGRITY') when it is not for this ward or is damaged.
   */
  open(publisher: string, grant: Uint8Array): GrantContent {
    if (!this.isForMe(publisher, grant)) throw new WardError('CRYPTO', 'This key grant is not addressed to this ward.');
    return decodeGrant(openGrant(grant, this.context, getAddress(publisher), this.own.privateKey));
  }

  private tagKeyFrom(publisher: string): Uint8Array | null {
    const k = publisher.toLowerCase();
    if (!this.keys.has(k)) {
      const syncKey = this.syncKeyOf(publisher);
      this.keys.set(k, syncKey ? tagKey(this.own.privateKey, syncKey, this.context, publisher, this.own.account) : null);
    }
    return this.keys.get(k)!;
  }
}
