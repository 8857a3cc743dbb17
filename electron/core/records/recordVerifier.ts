/**
 * Verifying stored records for a reader, with the memos that keep long histories fast (see
 * provenance.ts): records this process wrote itself, roots known to be on the ward chain, and
 * the persistent memo of care-team readers (its secret derived from the care team key).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { WardContracts } from '../chain/wardContracts';
import { hexToBytes } from '../crypto/hex';
import type { ScopeKey } from '../crypto/keyScope';
import { VerifiedCache } from '../crypto/verifiedCache';
import { forgetOpened, markObjectVerified, openAndVerify, verificationFacts, type OpenedRecord, type PersistentMemo } from './provenance';
import type { RecordStore } from './recordStore';
import type { StoredRecord } from '../storage/storedRecord';

export class RecordVerifier {
  readonly verified = new VerifiedCache();
  private readonly rootsOnChain = new Map<string, boolean>();
  private teamMemo: { teamKey: string; cache: VerifiedCache } | null = null;

  constructor(
    private readonly store: RecordStore,
    private readonly contracts: () => WardContracts,
  ) {}

  /**
   * This process built, signed and anchored the record itself: memo it as verified (keyed by its
   * stored bytes, so a later change on disk is still caught). Its inclusion proof is not checked
   * again: the anchor queue built it from this very object in this process.
   */
  rememberWritten(r: StoredRecord): void {
    const anchor = this.store.anchors.get(r.id);
    if (!anchor) return;
    this.rootsOnChain.set(anchor.root, true);
    this.verified.markVerified(verificationFacts(r, anchor));
    markObjectVerified(r, anchor);
  }

  /** Whether a Merkle root is anchored on the ward chain (a known root is not looked up again). */
  async rootOnChain(root: string): Promise<boolean> {
    const known = this.rootsOnChain.get(root);
    if (known !== undefined) return known;
    const onChain = (await this.contracts().anchorOf(root)) !== null;
    if (onChain) this.rootsOnChain.set(root, true);
    return onChain;
  }

  /** The persistent verification memo for care-team readers (secret derived from the team key). */
  teamCache(teamKey: string | null): VerifiedCache | null {
    if (!teamKey) return null;
    if (this.teamMemo?.teamKey !== teamKey) {
      const secret = hkdf(sha256, hexToBytes(teamKey), undefined, new TextEncoder().encode('wardledger/verified-memo/v1'), 32);
      this.teamMemo = { teamKey, cache: new VerifiedCache(secret) };
    }
    return this.teamMemo.cache;
  }

  /** Decrypt and verify one record with a scope key (null: not readable with the reader's keys). */
  open(record: StoredRecord, key: ScopeKey | null, persistent?: PersistentMemo): Promise<OpenedRecord> {
    return openAndVerify(record, key, this.store.anchors.get(record.id), this.verified, (root) => this.rootOnChain(root), persistent);
  }

  /** Drop every decrypted record held in memory (the core stops). */
  forget(): void {
    forgetOpened();
  }
}
