/**
 * Pulling what other wards address to this ward: from the stored checkpoint, KeyGranted logs in
 * pages of at most 5,000 blocks (client.logs), those whose tag says they are for this ward
 * (GrantInbox, one HMAC each), opened and verified before anything reaches the ward:
 * - a share grant: the batch it points to is on chain for that ward and id (batchOf), with the
 *   same root and count as its BatchPublished log; the publishing ward was a member of the
 *   consortium at that block (the directory); then openShare checks every record opens at its own
 *   place, the share is included under the root, each author's credential names the publishing
 *   ward and each signature holds;
 * - a scope grant goes to the sink as it is (only its reader can open it).
 * What fails is quarantined with its cause; what holds is handed to the InboxSink with the
 * publishing ward ("from ward X"). The checkpoint moves after each sink write within a page (to
 * the block of the first grant not yet done) and at the page's end, each time in the same write as
 * what was quarantined since, once the sink has kept the records before it; a crash re-reads from
 * that block (the sink is idempotent).
 * Waiting on the node is overlapped with the checks: the batches of the grants ahead are fetched
 * (batchPrefetch.ts, a few batches per eth_getLogs, a bounded number of requests in flight) while
 * earlier shares are verified; logs are decoded from their hex in one pass (ledgerReader.ts).
 */
import { WardError } from '../model/errors';
import { openShare, type OpenedShare } from './batch';
import { BatchPrefetch, type FetchedBatch } from './batchPrefetch';
import type { ConsortiumClient, Outcome, Receipt } from './client';
import { ledgerInterface } from './ledgerAbi';
import { decodeKeyGranted, type WardEntry } from './ledgerReader';
import { GrantInbox } from './grants';
import type { ShareGrant } from './payload';
import { checksumAddress, type ConsortiumContext } from './sealing';
import type { InboxSink, ReceivedShare, SenderWard } from './syncPorts';
import type { QuarantineEntry, SyncState } from './syncState';
import { NodeUnreachable } from './rpc';

export interface PullerOptions {
  client: ConsortiumClient;
  state: SyncState;
  sink: InboxSink;
  /** This ward's sync account (the key its grants are sealed for). */
  own: { account: string; privateKey: string };
  /** Blocks on top of a block before it is read (QBFT: 1, final). */
  confirmations?: number;
  /** Verified records handed to the sink in one call (one durable write), at most. */
  sinkWriteRecords?: number;
}

export interface PullProgress {
  fromBlock: number;
  toBlock: number;
  head: number;
  grants: number;
  records: number;
  quarantined: number;
}

export interface PullRound {
  grants: number;
  records: number;
  quarantined: number;
  stopped: Exclude<Outcome<unknown>, { status: 'done' }> | null;
}

type GrantLog = Receipt['logs'][number];

const KEY_GRANTED = ledgerInterface.getEvent('KeyGranted')!.topicHash;
/** Batches fetched ahead of the share being verified (each up to a 128 KB log). */
const PREFETCH_BATCHES = 12;
/** Share grants opened ahead of the one being verified. */
const PREFETCH_GRANTS = 2000;
/** Verified records handed to the sink in one call (one durable write), at most, within a page. */
const SINK_WRITE_RECORDS = 5000;

export class Puller {
  private context: ConsortiumContext | null = null;
  private readonly wards = new Map<string, WardEntry | null>();
  private readonly membership = new Map<string, boolean>();
  private inbox: GrantInbox | null = null;

  constructor(private readonly o: PullerOptions) {}

  async round(shouldStop: () => boolean, onProgress: (p: PullProgress) => void = () => {}): Promise<PullRound> {
    const { client, state } = this.o;
    const totals = { grants: 0, records: 0, quarantined: 0 };
    try {
      this.context ??= await client.context();
      this.inbox ??= new GrantInbox(this.context, this.o.own, (w) => this.wards.get(w.toLowerCase())?.syncPublicKey);
      const from = await state.checkpoint();
      const head = (await client.blockNumber()) - ((this.o.confirmations ?? 1) - 1);
      if (head < from) return { ...totals, stopped: null };
      this.wards.clear(); // memberships may have changed since the last round
      this.membership.clear();
      let pageFrom = from;
      for await (const page of client.logs({ address: client.ledger, topics: [KEY_GRANTED] }, from, head)) {
        const { quarantined, unwritten } = await this.page(page.logs, pageFrom, totals);
        totals.quarantined += quarantined;
        await state.pulled(page.toBlock + 1, unwritten);
        pageFrom = page.toBlock + 1;
        onProgress({ fromBlock: from, toBlock: page.toBlock, head, ...totals });
        if (shouldStop()) break;
      }
      return { ...totals, stopped: null };
    } catch (e) {
      if (e instanceof NodeUnreachable) return { ...totals, stopped: { status: 'offline', reason: e.reason } };
      return { ...totals, stopped: { status: 'failed', error: e instanceof WardError ? e : new WardError('INTERNAL', 'Reading the consortium chain failed unexpectedly.') } };
    }
  }

  /**
   * One page of KeyGranted logs (from block `pageFrom`): the grants for this ward opened in log
   * order; the batches their share grants point to fetched ahead (BatchPrefetch) while earlier
   * shares are verified; the verified records handed to the sink in a few large writes. After each
   * write the checkpoint moves to the block of the first grant not yet done, with what was
   * quarantined so far, so a round stopped within a page resumes there instead of at the page's
   * start (that block is read again: the sink is idempotent). Returns how many entries the page
   * quarantined and those not yet written with a checkpoint. @throws NodeUnreachable.
   */
  private async page(logs: GrantLog[], pageFrom: number, totals: { grants: number; records: number }): Promise<{ quarantined: number; unwritten: QuarantineEntry[] }> {
    const quarantined: QuarantineEntry[] = [];
    let written = 0;
    let checkpoint = pageFrom;
    let scanned = 0;
    const q = (log: GrantLog, what: QuarantineEntry['what'], ward: string, batchId: string | null, recordId: string | null, index: number | null, cause: string) =>
      quarantined.push({ key: `${String(log.blockNumber).padStart(12, '0')}:${String(log.logIndex).padStart(6, '0')}:${index ?? '-'}`, what, ward, wardName: this.wards.get(ward.toLowerCase())?.name ?? null, batchId, recordId, block: log.blockNumber, tx: log.transactionHash, cause, at: Date.now() });
    const prefetch = new BatchPrefetch(this.o.client);
    const waiting: Array<{ log: GrantLog; grant: ShareGrant; batch: string }> = [];
    let received: ReceivedShare[] = [];
    let receivedRecords = 0;
    // The sink's write (and the checkpoint after it) runs while the next shares are verified; one
    // write at a time, in order; a failed one stops the page at the next delivery or at its end.
    let writing: Promise<void> = Promise.resolve();
    const deliver = async () => {
      await writing;
      const shares = received;
      const upTo = quarantined.length;
      const next = (waiting[0]?.log ?? logs[scanned])?.blockNumber ?? -1;
      received = [];
      receivedRecords = 0;
      writing = (async () => {
        if (shares.length > 0) await this.o.sink.receive(shares);
        if (next > checkpoint) {
          await this.o.state.pulled(next, quarantined.slice(written, upTo));
          written = upTo;
          checkpoint = next;
        }
      })();
      writing.catch(() => undefined); // awaited at the next delivery or at the page's end
    };
    const verifyNext = async () => {
      const { log, grant, batch } = waiting.shift()!;
      const result = await this.openShareGrant(grant, log, await prefetch.get(batch));
      prefetch.done(batch);
      if ('problem' in result) {
        q(log, 'share', grant.batchWard, grant.batchId, null, null, result.problem);
        return;
      }
      for (const p of result.problems) q(log, p.recordId ? 'record' : 'share', grant.batchWard, grant.batchId, p.recordId, p.index, p.problem);
      if (result.verified.length === 0) return;
      received.push({ records: result.verified, from: this.sender(grant.batchWard) });
      receivedRecords += result.verified.length;
      totals.records += result.verified.length;
      if (receivedRecords >= (this.o.sinkWriteRecords ?? SINK_WRITE_RECORDS)) await deliver();
    };

    try {
      await this.knowWards(logs.map((l) => topicAddress(l.topics[1]!)));
      for (const log of logs) {
        scanned++; // from here on this log is done, or waits in `waiting`
        const publisher = topicAddress(log.topics[1]!);
        let grant: Uint8Array;
        try {
          grant = decodeKeyGranted(log.data);
        } catch (e) {
          q(log, 'grant', publisher, null, null, null, causeOf(e, 'The key grant cannot be read.'));
          continue;
        }
        if (!this.inbox!.isForMe(publisher, grant)) continue;
        totals.grants++;
        let content;
        try {
          content = this.inbox!.open(publisher, grant);
        } catch (e) {
          q(log, 'grant', publisher, null, null, null, causeOf(e, 'The key grant could not be opened.'));
          continue;
        }
        if (content.kind === 'scope') {
          await this.o.sink.scopeGrant(content, this.sender(publisher), log.blockNumber);
        } else if (content.kind === 'transfer') {
          await this.o.sink.transferGrant?.(content, this.sender(publisher), log.blockNumber);
        } else {
          const batch = prefetch.want({ ward: checksumAddress(content.batchWard), batchId: content.batchId, block: content.batchBlock || log.blockNumber });
          waiting.push({ log, grant: content, batch });
          while (prefetch.pending > PREFETCH_BATCHES || waiting.length > PREFETCH_GRANTS) await verifyNext();
        }
      }
      while (waiting.length > 0) await verifyNext();
      await deliver();
      await writing;
    } catch (e) {
      await writing.catch(() => undefined); // no write of this page goes on behind the next round
      throw e;
    }
    return { quarantined: quarantined.length, unwritten: quarantined.slice(written) };
  }

  private sender(ward: string): SenderWard {
    return { account: checksumAddress(ward), name: this.wards.get(ward.toLowerCase())?.name ?? 'an unknown ward' };
  }

  /** The share a grant points to, verified against its batch as fetched; or why it cannot be. @throws NodeUnreachable. */
  private async openShareGrant(grant: ShareGrant, log: GrantLog, fetched: FetchedBatch): Promise<OpenedShare | { problem: string }> {
    const ward = checksumAddress(grant.batchWard);
    const { onChain, log: batch } = fetched;
    if (!onChain) return { problem: 'The batch the grant points to is not on the consortium chain for that ward.' };
    const block = grant.batchBlock || log.blockNumber;
    if (block !== onChain.blockNumber) return { problem: 'The grant points to another block than the one the batch was published in.' };
    if (!(await this.wasMember(ward, block))) return { problem: 'The publishing ward was not a member of the consortium when the batch was published.' };
    if (!batch) return { problem: 'The batch\'s records are not in the block the chain names.' };
    if (batch.damaged) return { problem: batch.damaged };
    if (batch.root.toLowerCase() !== onChain.root.toLowerCase() || batch.count !== onChain.count) return { problem: 'The published batch differs from what the ledger stored for it.' };
    return openShare(grant, batch.sealed!, onChain, this.context!);
  }

  /** Whether `ward` was a member at `block`, asked once per round. @throws NodeUnreachable. */
  private async wasMember(ward: string, block: number): Promise<boolean> {
    const key = `${ward.toLowerCase()}:${block}`;
    if (!this.membership.has(key)) {
      await this.knowWards([ward]);
      this.membership.set(key, await this.o.client.wasMember(ward, this.wards.get(ward.toLowerCase()) ?? null, block));
    }
    return this.membership.get(key)!;
  }

  /** Load the directory entries of wards not yet known this round. @throws NodeUnreachable. */
  private async knowWards(accounts: string[]): Promise<void> {
    for (const a of new Set(accounts.map((x) => x.toLowerCase()))) {
      if (!this.wards.has(a)) this.wards.set(a, await this.o.client.wardEntry(a));
    }
  }
}

const topicAddresses = new Map<string, string>();

/** The checksummed address in an indexed topic (a few wards: kept, not recomputed per log). */
function topicAddress(topic: string): string {
  let a = topicAddresses.get(topic);
  if (!a) {
    a = checksumAddress('0x' + topic.slice(-40));
    if (topicAddresses.size > 10_000) topicAddresses.clear();
    topicAddresses.set(topic, a);
  }
  return a;
}

function causeOf(e: unknown, fallback: string): string {
  return e instanceof WardError ? e.message : fallback;
}
