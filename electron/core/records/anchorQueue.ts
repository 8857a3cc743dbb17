/**
 * Group commit of record anchors: records that become durable while an anchor transaction is in
 * flight wait and go together in the next one, so the ward chain sees one transaction per batch
 * instead of one per record, and a lone record still anchors at once.
 *
 * Crash safety: the batch membership is made durable before its transaction is sent. On start,
 * `resume()` finishes what a crash interrupted: a batch whose root is already on the chain is
 * recorded as anchored (never sent twice), one that is not is sent again, and records that never
 * made it into a batch are batched anew.
 */
import type { ethers } from 'ethers';
import type { WardContracts } from '../chain/wardContracts';
import { WardError } from '../model/errors';
import { log } from '../platform/log';
import { buildBatch, type MerkleBatch } from '../crypto/merkle';
import { leafOf, type StoredRecord } from '../storage/storedRecord';
import type { RecordStore } from './recordStore';

/**
 * The proofs to log with an anchor: none when every record's batch signature already covers this
 * very tree (a station ingest batch anchored alone), so the same proof is not stored twice.
 */
function proofsFor(records: StoredRecord[], built: MerkleBatch): string[][] | 'batchSignature' {
  const proofs = records.map((r) => built.proofs.get(r.id.toLowerCase())!);
  const same = records.every((r, i) => r.batchSignature?.root === built.root && sameProof(r.batchSignature.proof, proofs[i]!));
  return same ? 'batchSignature' : proofs;
}

function sameProof(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x.toLowerCase() === b[i]!.toLowerCase());
}

interface Waiting {
  record: StoredRecord;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class AnchorQueue {
  private waiting: Waiting[] = [];
  private running = false;
  /** Batches anchored and leaves covered since start (for benchmarks and the sync console). */
  readonly stats = { batches: 0, leaves: 0 };

  constructor(
    private readonly store: RecordStore,
    private readonly contracts: () => WardContracts,
    private readonly station: () => ethers.Signer,
    private readonly maxBatch = 5000,
  ) {}

  /** Anchor durable records; resolves when their anchor is mined and recorded durably. */
  anchor(records: StoredRecord[]): Promise<void> {
    const done = records.map((record) => new Promise<void>((resolve, reject) => this.waiting.push({ record, resolve, reject })));
    if (!this.running) void this.run();
    return Promise.all(done).then(() => undefined);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0, this.maxBatch);
        try {
          await this.anchorBatch(batch.map((w) => w.record));
          for (const w of batch) w.resolve();
        } catch (e) {
          const err = e instanceof WardError ? e : new WardError('CHAIN', 'The ward chain could not anchor the records.');
          log('error', 'anchor.failed', { records: batch.length, code: err.code });
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async anchorBatch(records: StoredRecord[]): Promise<void> {
    const built = buildBatch(records.map(leafOf));
    const ids = records.map((r) => r.id);
    await this.store.append({ t: 'batch', root: built.root, ids });
    const anchored = await this.submit(built.root, records.length);
    await this.store.append({
      t: 'anchor',
      root: built.root,
      ...anchored,
      ids,
      proofs: proofsFor(records, built),
    });
    this.stats.batches++;
    this.stats.leaves += records.length;
  }

  /** Send the root; if an earlier attempt already got it on the chain, use that anchor. */
  private async submit(root: string, count: number): Promise<{ batchId: number; block: number; tx: string }> {
    try {
      return await this.contracts().anchorBatch(this.station(), root, count);
    } catch (e) {
      if (!(e instanceof WardError && e.code === 'CONFLICT')) throw e;
      const existing = await this.contracts().anchorOf(root);
      if (!existing) throw e;
      return { batchId: existing.batchId, block: existing.blockNumber, tx: '' };
    }
  }

  /** After a restart: finish interrupted batches and anchor records that were never batched. */
  async resume(): Promise<number> {
    let resumed = 0;
    for (const [root, ids] of [...this.store.unanchoredBatches]) {
      const records = ids.map((id) => this.store.records.get(id)).filter((r): r is StoredRecord => !!r);
      const built = buildBatch(records.map(leafOf));
      if (built.root !== root) throw new WardError('INTEGRITY', 'A stored anchor batch does not match its records; the record store was altered.');
      const anchored = await this.submit(root, records.length);
      await this.store.append({ t: 'anchor', root, ...anchored, ids, proofs: proofsFor(records, built) });
      resumed += records.length;
    }
    const unbatched = this.store.unbatchedRecords();
    if (unbatched.length) await this.anchor(unbatched);
    resumed += unbatched.length;
    if (resumed) log('info', 'anchor.resumed', { records: resumed });
    return resumed;
  }
}
