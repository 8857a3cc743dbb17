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
 * publishing ward ("from ward X"). The checkpoint moves after each page, in the same write as the
 * page's quarantine; a crash before it re-reads the page (the sink is idempotent).
 */
import { ethers, getAddress } from 'ethers';
import { WardError } from '../model/errors';
import { openShare, type BatchOnChain, type OpenedShare } from './batch';
import type { ConsortiumClient, Outcome, Receipt } from './client';
import { ledgerInterface } from './ledgerAbi';
import type { WardEntry } from './ledgerReader';
import { GrantInbox } from './grants';
import { splitSealedRecords, type ShareGrant } from './payload';
import type { ConsortiumContext } from './sealing';
import type { InboxSink, SenderWard } from './syncPorts';
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

interface BatchLog {
  root: string;
  count: number;
  sealed: Uint8Array[] | null;
  /** Why its payload cannot be read, when it cannot. */
  damaged: string | null;
}

const KEY_GRANTED = ledgerInterface.getEvent('KeyGranted')!.topicHash;
const BATCH_PUBLISHED = ledgerInterface.getEvent('BatchPublished')!.topicHash;
/** Batches kept decoded between grants (the grants of one batch come in one transaction). */
const BATCH_CACHE = 64;

export class Puller {
  private context: ConsortiumContext | null = null;
  private readonly wards = new Map<string, WardEntry | null>();
  private readonly batches = new Map<string, BatchLog | null>();
  private readonly onChain = new Map<string, BatchOnChain | null>();
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
      for await (const page of client.logs({ address: client.ledger, topics: [KEY_GRANTED] }, from, head)) {
        const quarantined: QuarantineEntry[] = [];
        await this.knowWards(page.logs.map((l) => topicAddress(l.topics[1]!)));
        for (const log of page.logs) {
          const publisher = topicAddress(log.topics[1]!);
          const grant = ethers.getBytes(ledgerInterface.decodeEventLog('KeyGranted', log.data, log.topics).grant as string);
          if (!this.inbox.isForMe(publisher, grant)) continue;
          totals.grants++;
          const q = (what: QuarantineEntry['what'], ward: string, batchId: string | null, recordId: string | null, index: number | null, cause: string) =>
            quarantined.push({ key: `${String(log.blockNumber).padStart(12, '0')}:${String(log.logIndex).padStart(6, '0')}:${index ?? '-'}`, what, ward, wardName: this.wards.get(ward.toLowerCase())?.name ?? null, batchId, recordId, block: log.blockNumber, tx: log.transactionHash, cause, at: Date.now() });
          let content;
          try {
            content = this.inbox.open(publisher, grant);
          } catch (e) {
            q('grant', publisher, null, null, null, causeOf(e, 'The key grant could not be opened.'));
            continue;
          }
          if (content.kind === 'scope') {
            await this.o.sink.scopeGrant(content, this.sender(publisher), log.blockNumber);
            continue;
          }
          if (content.kind === 'transfer') {
            await this.o.sink.transferGrant?.(content, this.sender(publisher), log.blockNumber);
            continue;
          }
          const result = await this.openShareGrant(content, log);
          if ('problem' in result) {
            q('share', content.batchWard, content.batchId, null, null, result.problem);
            continue;
          }
          for (const p of result.problems) q(p.recordId ? 'record' : 'share', content.batchWard, content.batchId, p.recordId, p.index, p.problem);
          if (result.verified.length > 0) await this.o.sink.receive(result.verified, this.sender(content.batchWard));
          totals.records += result.verified.length;
        }
        totals.quarantined += quarantined.length;
        await state.pulled(page.toBlock + 1, quarantined);
        onProgress({ fromBlock: from, toBlock: page.toBlock, head, ...totals });
        if (shouldStop()) break;
      }
      return { ...totals, stopped: null };
    } catch (e) {
      if (e instanceof NodeUnreachable) return { ...totals, stopped: { status: 'offline', reason: e.reason } };
      return { ...totals, stopped: { status: 'failed', error: e instanceof WardError ? e : new WardError('INTERNAL', 'Reading the consortium chain failed unexpectedly.') } };
    }
  }

  private sender(ward: string): SenderWard {
    return { account: getAddress(ward), name: this.wards.get(ward.toLowerCase())?.name ?? 'an unknown ward' };
  }

  /** The share a grant points to, verified; or why it cannot be. @throws NodeUnreachable. */
  private async openShareGrant(grant: ShareGrant, log: Receipt['logs'][number]): Promise<OpenedShare | { problem: string }> {
    const ward = getAddress(grant.batchWard);
    const key = `${ward.toLowerCase()}:${grant.batchId.toLowerCase()}`;
    if (!this.onChain.has(key)) this.onChain.set(key, await this.o.client.batchOnChain(grant.batchId, ward));
    const onChain = this.onChain.get(key)!;
    if (!onChain) return { problem: 'The batch the grant points to is not on the consortium chain for that ward.' };
    const block = grant.batchBlock || log.blockNumber;
    if (block !== onChain.blockNumber) return { problem: 'The grant points to another block than the one the batch was published in.' };
    await this.knowWards([ward]);
    if (!(await this.o.client.wasMember(ward, this.wards.get(ward.toLowerCase()) ?? null, block))) return { problem: 'The publishing ward was not a member of the consortium when the batch was published.' };
    const batch = await this.batchLog(ward, grant.batchId, block);
    if (!batch) return { problem: 'The batch\'s records are not in the block the chain names.' };
    if (batch.damaged) return { problem: batch.damaged };
    if (batch.root.toLowerCase() !== onChain.root.toLowerCase() || batch.count !== onChain.count) return { problem: 'The published batch differs from what the ledger stored for it.' };
    return openShare(grant, batch.sealed!, onChain, this.context!);
  }

  /** The BatchPublished log of (ward, batchId) in `block`, its payload split. @throws NodeUnreachable. */
  private async batchLog(ward: string, batchId: string, block: number): Promise<BatchLog | null> {
    const key = `${ward.toLowerCase()}:${batchId.toLowerCase()}`;
    if (!this.batches.has(key)) {
      let found: BatchLog | null = null;
      for await (const page of this.o.client.logs({ address: this.o.client.ledger, topics: [BATCH_PUBLISHED, ethers.zeroPadValue(ward, 32), batchId] }, block, block)) {
        const log = page.logs[0];
        if (!log) continue;
        const ev = ledgerInterface.decodeEventLog('BatchPublished', log.data, log.topics);
        found = { root: String(ev.root), count: Number(ev.count), sealed: null, damaged: null };
        try {
          found.sealed = splitSealedRecords(ethers.getBytes(ev.records as string), found.count);
        } catch (e) {
          found.damaged = causeOf(e, 'The batch payload cannot be read.');
        }
      }
      if (this.batches.size >= BATCH_CACHE) this.batches.delete(this.batches.keys().next().value!);
      this.batches.set(key, found);
    }
    return this.batches.get(key)!;
  }

  /** Load the directory entries of wards not yet known this round. @throws NodeUnreachable. */
  private async knowWards(accounts: string[]): Promise<void> {
    for (const a of new Set(accounts.map((x) => x.toLowerCase()))) {
      if (!this.wards.has(a)) this.wards.set(a, await this.o.client.wardEntry(a));
    }
  }
}

function topicAddress(topic: string): string {
  return getAddress('0x' + topic.slice(-40));
}

function causeOf(e: unknown, fallback: string): string {
  return e instanceof WardError ? e.message : fallback;
}
