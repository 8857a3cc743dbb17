/**
 * Key grants at both ends: making a scope grant (a ward scope key for a reader of another ward),
 * and, on the receiving ward, telling which grants on the chain are its own and opening them.
 *
 * A receiving ward computes one tag key per publishing ward (one ECDH each, cached) and then one
 * HMAC per grant it scans; only grants whose tag matches are opened.
 */
import { z } from 'zod';
import { AES_KEY_BYTES, GCM_NONCE_BYTES, gcmDecrypt, gcmEncrypt, randomUint8 } from '../crypto/aesGcm';
import { WardError } from '../model/errors';
import type { ConsortiumContext } from './sealing';
import { decodeGrant, encodeGrant, scopeGrantContext, transferGrantContext, type GrantContent, type ScopeGrant, type TransferGrant } from './payload';
import { checksumAddress, grantHead, openForReader, openGrant, sealForReader, syncPublicPoint, tagKey, tagMatches } from './sealing';
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

/** What a transfer of care tells the receiving care team about the patient (transfer grant). */
export interface TransferNote {
  name: string;
  dob: string | null;
  hospitalNumber: string | null;
  reason: string;
  /** Who transferred (name and role) and when (ms). */
  by: string;
  at: number;
  /**
   * The patient's public key (64 bytes, 0x hex): the receiving ward seals the records it writes for
   * the patient for them too (records/incomingTransfers.ts). Absent in notes of earlier versions.
   */
  publicKey?: string;
}

const transferNoteSchema = z.object({
  name: z.string(),
  dob: z.string().nullable(),
  hospitalNumber: z.string().nullable(),
  reason: z.string(),
  by: z.string(),
  at: z.number(),
  publicKey: z.string().regex(/^0x[0-9a-f]{128}$/).optional(),
});
/** Notes are padded to this many bytes before sealing, so their size says nothing about the patient. */
export const TRANSFER_NOTE_BYTES = 1024;
const NOTE_NONCE = new Uint8Array(GCM_NONCE_BYTES); // the note key is used once

/** A sealed grant that tells `to.readerPublicKey` who `patient` is and why they are transferred. */
export function makeTransferGrant(
  context: ConsortiumContext,
  publisher: Pick<PublisherKeys, 'account' | 'privateKey'>,
  to: ShareRecipient,
  patient: string,
  note: TransferNote,
): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(transferNoteSchema.parse(note)));
  if (json.length > TRANSFER_NOTE_BYTES - 2) throw new WardError('BAD_INPUT', 'The transfer note is too long: shorten the reason.');
  const padded = new Uint8Array(TRANSFER_NOTE_BYTES);
  new DataView(padded.buffer).setUint16(0, json.length);
  padded.set(json, 2);
  const noteKey = randomUint8(AES_KEY_BYTES);
  try {
    const aad = new TextEncoder().encode(transferGrantContext(patient));
    const grant: TransferGrant = { kind: 'transfer', reader: to.readerPublicKey, patient, wrappedKey: sealForReader(noteKey, to.readerPublicKey, transferGrantContext(patient)), sealedNote: gcmEncrypt(noteKey, NOTE_NONCE, padded, aad) };
    return sealShareOrScopeGrant(encodeGrant(grant), context, publisher, to);
  } finally {
    noteKey.fill(0);
  }
}

/** The note in a transfer grant, for its reader. @throws WardError('CRYPTO' | 'INTEGRITY') for anyone else or a damaged note. */
export function openTransferGrant(grant: TransferGrant, readerPrivateKey: string): TransferNote {
  const noteKey = openForReader(grant.wrappedKey, readerPrivateKey, transferGrantContext(grant.patient));
  try {
    const padded = gcmDecrypt(noteKey, NOTE_NONCE, grant.sealedNote, new TextEncoder().encode(transferGrantContext(grant.patient)), 'A transfer note could not be opened: it was altered.');
    const length = padded.length >= 2 ? new DataView(padded.buffer, padded.byteOffset, 2).getUint16(0) : Infinity;
    if (length + 2 > padded.length) throw new WardError('INTEGRITY', 'A transfer note is malformed.');
    const parsed = transferNoteSchema.safeParse(JSON.parse(new TextDecoder().decode(padded.subarray(2, 2 + length))));
    if (!parsed.success) throw new WardError('INTEGRITY', 'A transfer note is malformed.');
    return parsed.data;
  } catch (e) {
    if (e instanceof WardError) throw e;
    throw new WardError('INTEGRITY', 'A transfer note is malformed.');
  } finally {
    noteKey.fill(0);
  }
}

/** The receiving side: this ward's sync account, and how to find another ward's sync key. */
export class GrantInbox {
  private readonly keys = new Map<string, Uint8Array | null>();
  private ownPoint: Uint8Array | null = null;

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
    this.ownPoint ??= syncPublicPoint(this.own.privateKey);
    return decodeGrant(openGrant(grant, this.context, checksumAddress(publisher), this.own.privateKey, this.ownPoint));
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
