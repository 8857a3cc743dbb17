/**
 * What the sync engine needs of the ward, and what it hands back: the two ends the core wires to
 * the ward's store (storage/ keeps the outbox in write order, WardStore.outbox()).
 */
import type { ReceivedRecord, ShareRecipient } from './batch';
import type { AuthorCredential } from './credentials';
import type { PublishableRecord, ScopeGrant, ShareHeader, TransferGrant } from './payload';

export interface OutboxEntry {
  /** Position in write order (increasing; the outbox's own sequence number). */
  seq: number;
  record: PublishableRecord;
}

/** Where a published record is on the consortium, and its proof under the batch root. */
export interface PublishedRecordPlace {
  id: string;
  shareIndex: number;
  /** Its place in the batch payload. */
  index: number;
  recordProof: string[];
  shareProof: string[];
}

export interface PublishedPlace {
  ward: string;
  batchId: string;
  root: string;
  block: number;
  /** The transaction, or null when an earlier attempt's transaction got it there (not known here). */
  tx: string | null;
  records: PublishedRecordPlace[];
  /** Each share's place and header: what a later share grant (a transfer of care) needs with deriveShareKey. */
  shares: Array<{ index: number; first: number; count: number; shareProof: string[]; header: ShareHeader }>;
}

/** The ward's records waiting to be published. */
export interface OutboxSource {
  /** Up to `limit` unpublished records after position `after` (0: from the start), in write order. */
  next(after: number, limit: number): Promise<OutboxEntry[]>;
  /** How many records wait (for the console). */
  count(): Promise<number>;
  /**
   * The records `ids` are on the consortium: take them out of the outbox and keep their places.
   * Called again with the same arguments after a crash: must be idempotent.
   */
  markPublished(ids: string[], place: PublishedPlace): Promise<void>;
  /** The author's credential for this consortium (signed once per author, credentials.ts). */
  credentialOf(author: string): AuthorCredential | undefined;
  /** Who already receives this patient's records (a transfer of care): their grants ride with each batch. */
  recipientsOf(patient: string): ShareRecipient[];
}

export interface SenderWard {
  account: string;
  name: string;
}

/** The verified records of one share, and the ward that published them. */
export interface ReceivedShare {
  records: ReceivedRecord[];
  from: SenderWard;
}

/** Where verified records from other wards go. */
export interface InboxSink {
  /**
   * Verified records of one or more shares, each "from ward X", kept in one durable write (the
   * puller hands a page's shares in a few calls, not one per share). Called again for the same
   * records after a crash, and a record may come twice in one call (a share granted twice): must
   * be idempotent.
   */
  receive(shares: ReceivedShare[]): Promise<void>;
  /** A scope key for one of this ward's readers (a transfer of care); opened later by that reader. */
  scopeGrant(grant: ScopeGrant, from: SenderWard, block: number): Promise<void>;
  /** A transfer of care's note for one of this ward's readers (who the patient is, why); opened by that reader. */
  transferGrant?(grant: TransferGrant, from: SenderWard, block: number): Promise<void>;
}
