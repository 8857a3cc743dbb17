/**
 * Publishing the outbox: one round takes the ward's unpublished records in write order, plans
 * batches from their sizes (sizing.ts planBatch: prepared once), persists each prepared batch
 * before its first send, and sends it while the batches before it wait for their receipts. When a
 * batch is on chain with its confirmations, its records are marked published in the outbox, then
 * the batch leaves the prepared list for the history (in that order: a crash between the two
 * repeats the idempotent marking, never loses it).
 *
 * After a crash or an outage the round starts with the batches still prepared, byte for byte; the
 * client asks the chain whether each is already there before sending anything (client.ts), so a
 * record is on the consortium exactly once.
 */
import { WardError } from '../model/errors';
import { prepareBatch, type PreparedBatch, type PublisherKeys } from './batch';
import type { ConsortiumClient, Outcome, PublishedBatch } from './client';
import type { ConsortiumContext } from './sealing';
import { budgetFor, planBatch, type BatchBudget } from './sizing';
import type { OutboxEntry, OutboxSource, PublishedRecordPlace } from './syncPorts';
import type { StoredBatch, SyncState } from './syncState';
import type { RecordSigner } from '../crypto/recordSignature';

export interface PublisherOptions {
  client: ConsortiumClient;
  state: SyncState;
  source: OutboxSource;
  keys: PublisherKeys;
  /** The station key, to re-sign each share's readings as one signature (smaller batches). */
  station?: RecordSigner & { address: string };
  /** Unconfirmed batch transactions at a time (several per block period). */
  inFlight?: number;
  /** Overrides of the batch budget (tests); the rest follows the node's block gas limit. */
  budget?: Partial<BatchBudget>;
}

export interface PublishProgress {
  batchId: string;
  records: number;
  stage: 'prepared' | 'sent' | 'confirmed';
}

export interface PublishRound {
  batches: number;
  records: number;
  /** Why the round stopped before the outbox was empty; null when it was emptied (or stopped on request). */
  stopped: Exclude<Outcome<unknown>, { status: 'done' }> | null;
}

/** Records read from the outbox at a time: enough for a few full batches. */
const PAGE = 2000;

export class Publisher {
  private context: ConsortiumContext | null = null;
  private budget: BatchBudget | null = null;

  constructor(private readonly o: PublisherOptions) {}

  /**
   * Publish until the outbox is empty, `shouldStop()` says so, or the node is offline or refuses.
   * @param onProgress each batch as it is prepared, sent and confirmed.
   */
  async round(shouldStop: () => boolean, onProgress: (p: PublishProgress) => void = () => {}): Promise<PublishRound> {
    const { client, state } = this.o;
    this.context ??= await client.context();
    this.budget ??= budgetFor(await client.blockGasLimit(), this.o.budget);
    const prepared = await state.prepared();
    const byId = new Map<string, StoredBatch & { key: string }>(prepared.map((p) => [p.batch.batchId, p]));
    const done = { batches: 0, records: 0 };

    const onPublished = async (b: PreparedBatch, p: PublishedBatch) => {
      const stored = byId.get(b.batchId)!;
      const records: PublishedRecordPlace[] = stored.members.map((m) => ({ id: m.id, shareIndex: m.shareIndex, index: m.index, recordProof: b.shares[m.shareIndex]!.recordProofs.get(m.id.toLowerCase())!, shareProof: b.shares[m.shareIndex]!.shareProof }));
      await this.o.source.markPublished(
        records.map((r) => r.id),
        { ward: this.o.keys.account, batchId: b.batchId, root: b.root, block: p.block, tx: p.tx, records, shares: b.shares.map(({ index, first, count, shareProof, header }) => ({ index, first, count, shareProof, header })) },
      );
      await state.confirmed(stored.key, { batchId: b.batchId, records: b.count, shares: b.shares.length, payloadBytes: b.records.length, block: p.block, tx: p.tx, already: p.already, publishedAt: Date.now() });
      byId.delete(b.batchId);
      done.batches++;
      done.records += b.count;
      onProgress({ batchId: b.batchId, records: b.count, stage: 'confirmed' });
    };

    const stopped = await client.publishStream(this.batchesToSend(prepared, byId, shouldStop, onProgress), this.o.inFlight ?? 12, onPublished);
    return { ...done, stopped };
  }

  /**
   * The batches to send, in order: those prepared before (byte for byte), then new ones from the
   * outbox, each persisted before it is handed out. It prepares the next batch while the client
   * waits for the receipts of the ones before.
   */
  private async *batchesToSend(prepared: Array<StoredBatch & { key: string }>, byId: Map<string, StoredBatch & { key: string }>, shouldStop: () => boolean, onProgress: (p: PublishProgress) => void): AsyncGenerator<PreparedBatch> {
    const { state, source } = this.o;
    for (const p of prepared) {
      if (shouldStop()) return;
      onProgress({ batchId: p.batch.batchId, records: p.batch.count, stage: 'sent' });
      yield p.batch;
    }
    let after = Math.max(0, ...prepared.flatMap((p) => p.members.map((m) => m.seq)));
    const held = new Set((await state.held()).map((h) => h.id.toLowerCase()));
    let buffer: OutboxEntry[] = [];
    let exhausted = false;
    while (!shouldStop()) {
      if (!exhausted && buffer.length < PAGE / 2) {
        const page = await source.next(after, PAGE);
        if (page.length < PAGE) exhausted = true;
        if (page.length > 0) after = page[page.length - 1]!.seq;
        buffer = buffer.concat(page.filter((e) => !held.has(e.record.id.toLowerCase())));
      }
      if (buffer.length === 0) return;
      const next = await this.prepareNext(buffer);
      if ('held' in next) {
        held.add(next.held.record.id.toLowerCase());
        buffer = buffer.filter((e) => e !== next.held);
        continue;
      }
      buffer = buffer.slice(next.members.length);
      const key = await state.savePrepared(next);
      byId.set(next.batch.batchId, { ...next, key });
      onProgress({ batchId: next.batch.batchId, records: next.batch.count, stage: 'prepared' });
      yield next.batch;
      onProgress({ batchId: next.batch.batchId, records: next.batch.count, stage: 'sent' });
    }
  }

  /** The next batch from the front of the buffer, or the record that can never be published, held back with the cause. */
  private async prepareNext(buffer: OutboxEntry[]): Promise<StoredBatch | { held: OutboxEntry }> {
    const { keys, station, source } = this.o;
    const seqOf = new Map(buffer.map((e) => [e.record.id.toLowerCase(), e.seq]));
    let plan;
    try {
      plan = planBatch(
        buffer.map((e) => e.record),
        this.budget!,
        (shares) => prepareBatch({ context: this.context!, publisher: keys, shares, credentialOf: (a) => source.credentialOf(a), station }),
        { station: station?.address, recipientsOf: (p) => source.recipientsOf(p) },
      );
    } catch (e) {
      // A record that cannot go (larger than a transaction, no credential for its author, not
      // matching its own commitment): the first one that fails on its own is held back with the
      // cause (a rare, slow path: one preparation per record up to it); the rest goes on.
      if (!(e instanceof WardError) || (e.code !== 'BAD_INPUT' && e.code !== 'INTEGRITY')) throw e;
      for (const entry of buffer) {
        const cause = await this.alone(entry);
        if (cause === null) continue;
        await this.o.state.hold({ seq: entry.seq, id: entry.record.id, cause, at: Date.now() });
        return { held: entry };
      }
      throw e; // every record is fine on its own: a fault of the run, not of a record
    }
    const members = plan.shares.flatMap((s, shareIndex) => s.records.map((r, k) => ({ seq: seqOf.get(r.id.toLowerCase())!, id: r.id, shareIndex, index: plan.batch.shares[shareIndex]!.first + k })));
    return { batch: plan.batch, members, preparedAt: Date.now() };
  }

  /** Why a record cannot be published on its own, or null when it can. */
  private async alone(entry: OutboxEntry): Promise<string | null> {
    const { keys, station, source } = this.o;
    try {
      planBatch([entry.record], this.budget!, (shares) => prepareBatch({ context: this.context!, publisher: keys, shares, credentialOf: (a) => source.credentialOf(a), station }), { station: station?.address, recipientsOf: (p) => source.recipientsOf(p) });
      return null;
    } catch (e) {
      return e instanceof WardError ? e.message : 'The record could not be prepared for the consortium.';
    }
  }
}
