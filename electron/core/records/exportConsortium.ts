/**
 * A record's place on the hospital consortium chain, as a FHIR export carries it (Provenance
 * extension EXT.consortium, only for records the ward published or received), and its check
 * against a consortium ledger the verifier pins (never the one the file names):
 *  - the record's leaf reaches the batch root the file states through its record and share proofs;
 *  - the ledger holds that root for the publishing ward's batch id, stored in the block the file
 *    states (BatchPublished's block);
 *  - the transaction the file states (when it names one) is the one that published that batch;
 *  - the publishing ward was a member of the consortium at that block.
 * What it does not cover: the record's sealed copy in the batch payload and its position there
 * (they open only with the share key, which an export does not carry). The record's own
 * signature, content and ward anchor are exportVerification.ts's.
 */
import { ethers } from 'ethers';
import { verifyConsortiumInclusion } from '../consortium/batch';
import { ledgerInterface } from '../consortium/ledgerAbi';
import type { LedgerReader, WardEntry } from '../consortium/ledgerReader';
import { NodeUnreachable } from '../consortium/rpc';
import type { LeafFields } from '../crypto/merkle';
import type { ConsortiumVerification } from '../model/records';
import { WardError } from '../model/errors';
import type { ConsortiumPlace } from '../storage/storeTypes';

/** The consortium place an export carries for a record (one fixed layout: the verifier rebuilds it byte for byte). */
export interface ConsortiumData {
  chainId: number;
  ledger: string;
  /** The ward that published the batch (its sync account). */
  ward: string;
  batchId: string;
  root: string;
  block: number;
  /** The publishing transaction, or null when an earlier attempt's transaction got it there. */
  tx: string | null;
  recordProof: string[];
  shareProof: string[];
}

/** The export form of a stored place, in the consortium it was published to. */
export function consortiumDataOf(place: Pick<ConsortiumPlace, 'ward' | 'batchId' | 'root' | 'block' | 'tx' | 'recordProof' | 'shareProof'>, consortium: { chainId: number; ledger: string }): ConsortiumData {
  return {
    chainId: consortium.chainId,
    ledger: consortium.ledger,
    ward: place.ward,
    batchId: place.batchId,
    root: place.root,
    block: place.block,
    tx: place.tx,
    recordProof: [...place.recordProof],
    shareProof: [...place.shareProof],
  };
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const isHex32 = (x: unknown): x is string => typeof x === 'string' && HEX32.test(x);

/** The place a file states, checked for shape (not for truth) and in the fixed layout; or why it cannot be read. */
export function readConsortiumData(text: string): ConsortiumData | { problem: string } {
  const bad = { problem: 'The consortium place (Provenance extension consortium-place) is unreadable.' };
  let x: Record<string, unknown>;
  try {
    x = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return bad;
  }
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return bad;
  const addr = (v: unknown) => typeof v === 'string' && ethers.isAddress(v);
  const proof = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 64 && v.every(isHex32);
  if (
    !Number.isSafeInteger(x.chainId) ||
    !addr(x.ledger) ||
    !addr(x.ward) ||
    !isHex32(x.batchId) ||
    !isHex32(x.root) ||
    !Number.isSafeInteger(x.block) ||
    (x.block as number) < 0 ||
    !(x.tx === null || isHex32(x.tx)) ||
    !proof(x.recordProof) ||
    !proof(x.shareProof)
  ) {
    return bad;
  }
  // Extra keys do not survive: the rebuilt extension has exactly these, so the file's must too.
  return consortiumDataOf(x as unknown as ConsortiumData, { chainId: x.chainId as number, ledger: x.ledger as string });
}

const BATCH_PUBLISHED = ledgerInterface.getEvent('BatchPublished')!.topicHash;

/** The consortium a verifier pinned, as a report names it. */
export interface PinnedConsortium {
  url: string;
  ledger: string;
  /** The chain id the pinner expects (settings), if it says one; the node's own is used otherwise. */
  chainId?: number;
  /** Who named the ledger: "the --ledger flag", "the data directory's consortium settings", "this workstation's consortium settings". */
  pinnedBy: string;
}

/**
 * Checks records' consortium places against one pinned ledger, asking the node once per batch,
 * transaction and ward. `open()` first: it reads the chain id and checks a ledger is there.
 * Once the node stops answering, every later place is "unchecked" and `unreachable` says why.
 */
export class ConsortiumPlaceCheck {
  private chainIdValue: number | null = null;
  unreachable: string | null = null;
  private readonly batches = new Map<string, Promise<{ root: string; count: number; blockNumber: number } | null>>();
  private readonly wards = new Map<string, Promise<WardEntry | null>>();
  private readonly memberships = new Map<string, Promise<boolean>>();
  private readonly publishers = new Map<string, Promise<boolean>>();

  constructor(
    private readonly reader: LedgerReader,
    readonly pinned: PinnedConsortium,
  ) {}

  get chainId(): number {
    return this.chainIdValue ?? this.pinned.chainId ?? 0;
  }

  /** The consortium cannot be asked at all (the node is down, no ledger at the address): every place is unchecked, with this reason. */
  cannotCheck(reason: string): void {
    this.unreachable = reason;
  }

  /**
   * The node answers and a consortium ledger is at the pinned address.
   * @throws NodeUnreachable when the node does not answer; WardError('BAD_INPUT') when no ledger is there.
   */
  async open(): Promise<void> {
    this.chainIdValue = await this.reader.chainId();
    const notLedger = new WardError('BAD_INPUT', `There is no WardLedger consortium ledger at ${this.pinned.ledger} on chain ${this.chainIdValue} (${this.pinned.url}). Check the ledger address (${this.pinned.pinnedBy}).`);
    if (!(await this.reader.hasCode(this.pinned.ledger))) throw notLedger;
    try {
      await this.reader.directory();
    } catch (e) {
      if (e instanceof NodeUnreachable) throw e;
      throw notLedger;
    }
  }

  /** One record's place: included (with the block and the publishing ward's name), failed with the causes, or unchecked (node down). */
  async check(place: ConsortiumData, leaf: LeafFields): Promise<ConsortiumVerification> {
    const where = { ward: ethers.getAddress(place.ward), batchId: place.batchId, block: place.block, tx: place.tx };
    if (this.unreachable) return { status: 'unchecked', ...where, wardName: null, problems: [`The consortium could not be checked: ${this.unreachable}.`] };
    const problems: string[] = [];
    if (place.chainId !== this.chainId || place.ledger.toLowerCase() !== this.pinned.ledger.toLowerCase()) {
      problems.push(`Consortium: the record was published to another consortium (ledger ${place.ledger} on chain ${place.chainId}), not the one checked (${this.pinned.ledger} on chain ${this.chainId}).`);
      return { status: 'failed', ...where, wardName: null, problems };
    }
    if (!verifyConsortiumInclusion(place.root, leaf, place.recordProof, place.shareProof)) {
      problems.push(`Consortium: the record is not included under the batch root ${place.root} the file states (its proofs do not reach it).`);
    }
    try {
      const onChain = await this.once(this.batches, `${where.ward}:${place.batchId}`.toLowerCase(), () => this.reader.batchOnChain(place.batchId, where.ward));
      const entry = await this.once(this.wards, where.ward.toLowerCase(), () => this.reader.wardEntry(where.ward));
      const wardName = entry?.name ?? null;
      const wardWords = wardName ?? `ward ${where.ward}`;
      if (!onChain) {
        problems.push(`Consortium: batch ${place.batchId} of ${wardWords} is not on the consortium chain.`);
        return { status: 'failed', ...where, wardName, problems };
      }
      if (onChain.root.toLowerCase() !== place.root.toLowerCase()) problems.push(`Consortium root: the file says ${place.root}, the ledger holds ${onChain.root} for batch ${place.batchId}.`);
      if (onChain.blockNumber !== place.block) problems.push(`Consortium block: the file says ${place.block}, the ledger says batch ${place.batchId} was published in block ${onChain.blockNumber}.`);
      if (place.tx !== null) {
        const tx = place.tx;
        const published = await this.once(this.publishers, `${tx}:${where.ward}:${place.batchId}`.toLowerCase(), () => this.publishedBy(tx, where.ward, place.batchId, onChain.blockNumber));
        if (!published) problems.push(`Consortium transaction: ${tx} is not the transaction that published batch ${place.batchId} in block ${onChain.blockNumber}.`);
      }
      const member = await this.once(this.memberships, `${where.ward}:${onChain.blockNumber}`.toLowerCase(), () => this.reader.wasMember(where.ward, entry, onChain.blockNumber));
      if (!member) problems.push(`Consortium: ${wardWords}, which published batch ${place.batchId} was not a member of the consortium at block ${onChain.blockNumber}.`);
      return problems.length === 0 ? { status: 'included', ...where, wardName, problems } : { status: 'failed', ...where, wardName, problems };
    } catch (e) {
      if (!(e instanceof NodeUnreachable)) {
        problems.push(`Consortium: the ledger could not be read (${(e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 160)}).`);
        return { status: 'failed', ...where, wardName: null, problems };
      }
      this.unreachable = `the node does not answer: ${e.reason}`;
      return { status: 'unchecked', ...where, wardName: null, problems: [`The consortium could not be checked: ${this.unreachable}.`] };
    }
  }

  /** Whether `tx` is a successful transaction in `block` whose logs publish (ward, batchId) on the pinned ledger. */
  private async publishedBy(tx: string, ward: string, batchId: string, block: number): Promise<boolean> {
    const receipt = await this.reader.receipt(tx);
    if (!receipt || receipt.status !== 1 || receipt.blockNumber !== block) return false;
    const wardTopic = ethers.zeroPadValue(ward, 32).toLowerCase();
    return receipt.logs.some(
      (l) => l.address.toLowerCase() === this.pinned.ledger.toLowerCase() && l.topics[0] === BATCH_PUBLISHED && l.topics[1]?.toLowerCase() === wardTopic && l.topics[2]?.toLowerCase() === batchId.toLowerCase(),
    );
  }

  private once<T>(cache: Map<string, Promise<T>>, key: string, ask: () => Promise<T>): Promise<T> {
    let p = cache.get(key);
    if (!p) {
      p = ask();
      cache.set(key, p);
      // A failed question is asked again next time (the node may be back).
      p.catch(() => cache.delete(key));
    }
    return p;
  }
}

/** What a consortium check covers and what it does not, as the report says it. */
export const CONSORTIUM_COVERS =
  "For each record the export says is on the consortium: its inclusion under the batch root, that the pinned ledger holds that root for the publishing ward's batch in the block the file states, the publishing transaction, and the ward's membership of the consortium at that block.";
export const CONSORTIUM_NOT_COVERED = [
  "The record's sealed copy in the batch on the consortium chain and its position there: they open only with the share key, which an export does not carry (the inclusion proof binds the record itself to the batch root).",
  'Records the export does not say are on the consortium ("not published"): a ward publishes when it is online, so recent records may not be there yet.',
];
