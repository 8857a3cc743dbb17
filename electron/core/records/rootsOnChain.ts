/**
 * Which Merkle roots are on the ward chain: each root is looked up on the chain once, ever — not
 * once per record, and not once per process. A root the station anchored itself is known from its
 * own receipt; a root found by a lookup is remembered too. What is remembered is kept in the store
 * with a tag (HMAC with a secret derived from the station key), so an edited store cannot claim a
 * root is on the chain: a tag cannot be made without the station key, and whoever holds that key
 * can anchor any root on the chain anyway (it is the ward's anchoring key).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { WardContracts } from '../chain/wardContracts';
import { hexToBytes } from '../crypto/hex';
import { VerifiedCache } from '../crypto/verifiedCache';
import { log } from '../platform/log';
import { BoundedCache } from '../storage/boundedCache';
import type { StoreWrite } from '../storage/storeWrite';
import type { WardStore } from '../storage/wardStore';

const facts = (root: string) => ({ recordId: root, signedFields: '', ciphertextHash: '', signature: '', anchorRoot: root, scope: 'ward-root-on-chain' });

export class RootsOnChain {
  /** Roots known to be on the chain in this process (bounded; the store remembers the rest). */
  private readonly known = new BoundedCache<string, true>(65_536);
  private memo: { key: string; cache: VerifiedCache } | null = null;

  constructor(
    private readonly store: () => WardStore,
    private readonly contracts: () => WardContracts,
    /** The station's private key (0x hex), or null before the ward is set up. */
    private readonly stationKey: () => string | null,
  ) {}

  private tags(): VerifiedCache | null {
    const key = this.stationKey();
    if (!key) return null;
    if (this.memo?.key !== key) {
      const secret = hkdf(sha256, hexToBytes(key), undefined, new TextEncoder().encode('wardledger/root-on-chain/v1'), 32);
      this.memo = { key, cache: new VerifiedCache(secret) };
    }
    return this.memo.cache;
  }

  /** Whether the root is known to be on the chain without asking the chain. */
  isKnown(root: string): boolean {
    const r = root.toLowerCase();
    if (this.known.get(r)) return true;
    const tag = this.store().rootOnChainTag(r);
    const tags = this.tags();
    if (tag && tags?.isStillVerified(facts(r), tag)) {
      this.known.set(r, true);
      return true;
    }
    return false;
  }

  /** Whether the root is anchored on the ward chain (asked once per root, then remembered). */
  async check(root: string): Promise<boolean> {
    if (this.isKnown(root)) return true;
    const onChain = (await this.contracts().anchorOf(root)) !== null;
    if (onChain) {
      await this.store()
        .write((w) => this.remember(w, root))
        .catch(() => log('warn', 'anchor.root_memo_not_saved')); // only costs a lookup next time
    }
    return onChain;
  }

  /** Put "this root is on the chain" into a write (the anchor queue, with the anchor it records). */
  remember(w: StoreWrite, root: string): void {
    const r = root.toLowerCase();
    const tags = this.tags();
    if (tags) w.rootOnChain(r, tags.tagOf(facts(r)));
    w.afterCommit.push(() => this.known.set(r, true));
  }
}
