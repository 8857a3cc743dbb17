/**
 * The batches a page's share grants point to, fetched ahead of the puller's verification so that
 * waiting on the node overlaps with checking what already came: what the ledger stores for each
 * batch (batchOf) and its BatchPublished log in the block the grant names. Several batches share one
 * eth_getLogs (the ward and batch id topics as OR lists over the blocks they span); a bounded number
 * of requests is in flight. A batch is kept while a grant still waits for it (want/done count).
 */
import { ethers } from 'ethers';
import { WardError } from '../model/errors';
import type { BatchOnChain } from './batch';
import { ledgerInterface } from './ledgerAbi';
import { decodeBatchPublished, type LedgerReader } from './ledgerReader';
import { splitSealedRecords } from './payload';

/** A batch's BatchPublished log, its payload split into sealed records (or why it cannot be). */
export interface BatchLog {
  root: string;
  count: number;
  sealed: Uint8Array[] | null;
  damaged: string | null;
}

export interface FetchedBatch {
  /** What the ledger stores for (ward, batch id); null when it was never published. */
  onChain: BatchOnChain | null;
  /** Its BatchPublished log in the block asked for; null when that block has none. */
  log: BatchLog | null;
}

/** A batch as a grant names it: the publishing ward (checksummed), the batch id and the block. */
export interface BatchRef {
  ward: string;
  batchId: string;
  block: number;
}

export interface BatchPrefetchOptions {
  /** Requests groups in flight at once. */
  inFlight?: number;
  /** Batches asked in one eth_getLogs (each up to a 128 KB log). */
  perRequest?: number;
  /** Blocks one grouped eth_getLogs may span. */
  maxSpan?: number;
}

const BATCH_PUBLISHED = ledgerInterface.getEvent('BatchPublished')!.topicHash;

interface Entry {
  ref: BatchRef;
  waiting: number;
  result: Promise<FetchedBatch>;
  settle: (r: FetchedBatch) => void;
  fail: (e: unknown) => void;
}

export class BatchPrefetch {
  private readonly entries = new Map<string, Entry>();
  private readonly queued: Entry[] = [];
  private running = 0;
  private readonly inFlight: number;
  private readonly perRequest: number;
  private readonly maxSpan: number;

  constructor(private readonly reader: LedgerReader, o: BatchPrefetchOptions = {}) {
    this.inFlight = o.inFlight ?? 4;
    this.perRequest = o.perRequest ?? 4;
    this.maxSpan = o.maxSpan ?? 1000;
  }

  /** Batches wanted and not yet done with (fetched, in flight or queued). */
  get pending(): number {
    return this.entries.size;
  }

  /** Ask for a batch (fetched as soon as a request is free); returns its key for get/done. */
  want(ref: BatchRef): string {
    const key = `${ref.ward.toLowerCase()}:${ref.batchId.toLowerCase()}:${ref.block}`;
    const known = this.entries.get(key);
    if (known) {
      known.waiting++;
      return key;
    }
    let settle!: Entry['settle'];
    let fail!: Entry['fail'];
    const result = new Promise<FetchedBatch>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    result.catch(() => undefined); // a round that stops early never asks for it: no unhandled rejection
    const entry: Entry = { ref, waiting: 1, result, settle, fail };
    this.entries.set(key, entry);
    this.queued.push(entry);
    this.pump();
    return key;
  }

  /** The batch `key` names. @throws NodeUnreachable (or another failure of its request). */
  get(key: string): Promise<FetchedBatch> {
    const entry = this.entries.get(key);
    if (!entry) throw new WardError('INTERNAL', 'A batch was asked for that was not wanted.');
    return entry.result;
  }

  /** One grant less waits for the batch; the last one lets it go. */
  done(key: string): void {
    const entry = this.entries.get(key);
    if (entry && --entry.waiting <= 0) this.entries.delete(key);
  }

  private pump(): void {
    while (this.running < this.inFlight && this.queued.length > 0) {
      const first = this.queued.shift()!;
      const group = [first];
      for (let i = 0; i < this.queued.length && group.length < this.perRequest; ) {
        const e = this.queued[i]!;
        const blocks = group.map((g) => g.ref.block).concat(e.ref.block);
        if (Math.max(...blocks) - Math.min(...blocks) < this.maxSpan) group.push(...this.queued.splice(i, 1));
        else i++;
      }
      this.running++;
      this.fetch(group)
        .catch((e) => group.forEach((g) => g.fail(e)))
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  private async fetch(group: Entry[]): Promise<void> {
    const blocks = group.map((g) => g.ref.block);
    const wards = [...new Set(group.map((g) => ethers.zeroPadValue(g.ref.ward, 32).toLowerCase()))];
    const ids = [...new Set(group.map((g) => g.ref.batchId.toLowerCase()))];
    const [onChain, logs] = await Promise.all([
      Promise.all(group.map((g) => this.reader.batchOnChain(g.ref.batchId, g.ref.ward))),
      this.batchLogs(wards, ids, Math.min(...blocks), Math.max(...blocks)),
    ]);
    group.forEach((g, i) => g.settle({ onChain: onChain[i]!, log: logs.get(`${g.ref.ward.toLowerCase()}:${g.ref.batchId.toLowerCase()}:${g.ref.block}`) ?? null }));
  }

  /** BatchPublished logs of any of `wards` × `ids` from `from` to `to`, by ward:batchId:block. */
  private async batchLogs(wards: string[], ids: string[], from: number, to: number): Promise<Map<string, BatchLog>> {
    const found = new Map<string, BatchLog>();
    for await (const page of this.reader.logs({ address: this.reader.ledger, topics: [BATCH_PUBLISHED, wards, ids] }, from, to)) {
      for (const log of page.logs) {
        if (log.address.toLowerCase() !== this.reader.ledger.toLowerCase() || log.topics[0] !== BATCH_PUBLISHED) continue;
        const key = `0x${log.topics[1]!.slice(-40).toLowerCase()}:${log.topics[2]!.toLowerCase()}:${log.blockNumber}`;
        found.set(key, batchLog(log.data));
      }
    }
    return found;
  }
}

function batchLog(data: string): BatchLog {
  try {
    const ev = decodeBatchPublished(data);
    const log: BatchLog = { root: ev.root, count: ev.count, sealed: null, damaged: null };
    try {
      log.sealed = splitSealedRecords(ev.records, ev.count);
    } catch (e) {
      log.damaged = e instanceof WardError ? e.message : 'The batch payload cannot be read.';
    }
    return log;
  } catch (e) {
    return { root: '0x', count: -1, sealed: null, damaged: e instanceof WardError ? e.message : 'The batch payload cannot be read.' };
  }
}
