/**
 * Publishing the outbox: one round reads the ward's unpublished records in write order, cuts
 * batches from them patient by patient (groupedByPatient: a few shares a batch, not one per patient
 * on the ward), plans each from sizes (sizing.ts planBatch: prepared once), persists each prepared batch
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
import { prepareBatch, type PreparedBatch, type PublisherKeys, type ShareRecipient } from './batch';
import type { AuthorCredential } from './credentials';
import { BatchPreparer, runPlanJob, type PlanJob, type PrepareKeys } from './batchPreparer';
import type { BatchToSend, ConsortiumClient, Outcome, PublishedBatch } from './client';
import type { ConsortiumContext } from './sealing';
import { budgetFor, estimateRun, planBatch, rememberGasBound, type BatchBudget } from './sizing';
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
  /**
   * Records waiting at the start of a round from which batches are prepared in a worker thread
   * (default 400, a few batches); fewer are prepared on the publisher's thread (no thread started
   * for a record or two).
   */
  threadFrom?: number;
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
/** Records waiting at the start of a round from which batches are prepared in a worker thread. */
const THREAD_FROM = 400;

/** The station key's private key, for the preparation thread. */
function stationPrivateKey(station: RecordSigner): string {
  if (typeof station === 'string') return station;
  return ('signingKey' in station ? station.signingKey : station).privateKey;
}

export class Publisher {
  private context: ConsortiumContext | null = null;
  private budget: BatchBudget | null = null;
  private preparer: BatchPreparer | null = null;

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
   * outbox, each persisted before it is handed out. While the client sends a batch and waits for
   * receipts, the next one is being prepared (in the preparer's worker thread when the outbox holds
   * at least `threadFrom` records), so preparing overlaps persisting, signing and sending.
   */
  private async *batchesToSend(prepared: Array<StoredBatch & { key: string }>, byId: Map<string, StoredBatch & { key: string }>, shouldStop: () => boolean, onProgress: (p: PublishProgress) => void): AsyncGenerator<BatchToSend> {
    const { state, source } = this.o;
    for (const p of prepared) {
      if (shouldStop()) return;
      onProgress({ batchId: p.batch.batchId, records: p.batch.count, stage: 'sent' });
      // Prepared in an earlier round: it may have been sent, so the client asks the chain first.
      yield { batch: p.batch, neverSent: false };
    }
    // Records of the prepared batches stay in the outbox until marked; batches are cut from
    // patient-grouped runs, so their records are not contiguous there: read from the start and
    // leave those out by id (a record is never in two batches), not by position.
    let after = 0;
    const skipped = new Set((await state.held()).map((h) => h.id.toLowerCase()));
    for (const p of prepared) for (const m of p.members) skipped.add(m.id.toLowerCase());
    let buffer: OutboxEntry[] = [];
    let exhausted = false;
    const refill = async () => {
      if (exhausted || buffer.length >= PAGE / 2) return;
      const page = await source.next(after, PAGE);
      if (page.length < PAGE) exhausted = true;
      if (page.length > 0) after = page[page.length - 1]!.seq;
      buffer = buffer.concat(page.filter((e) => !skipped.has(e.record.id.toLowerCase())));
    };
    await refill();
    const preparer = buffer.length >= (this.o.threadFrom ?? THREAD_FROM) ? this.threadedPreparer() : null;
    // The batch being prepared from the front of the buffer (started before the one ahead of it was sent).
    let next: Promise<StoredBatch | { failed: unknown }> | null = null;
    try {
      while (!shouldStop()) {
        await refill();
        if (buffer.length === 0) return;
        const ready = await (next ?? this.prepareNext(buffer, preparer));
        next = null;
        if ('failed' in ready) {
          const hold = await this.holdFirstFailing(buffer, ready.failed);
          skipped.add(hold.record.id.toLowerCase());
          buffer = buffer.filter((e) => e !== hold);
          continue;
        }
        const taken = new Set(ready.members.map((m) => m.id.toLowerCase()));
        buffer = buffer.filter((e) => !taken.has(e.record.id.toLowerCase()));
        await refill();
        if (buffer.length > 0) next = this.prepareNext(buffer, preparer);
        const key = await state.savePrepared(ready);
        byId.set(ready.batch.batchId, { ...ready, key });
        onProgress({ batchId: ready.batch.batchId, records: ready.batch.count, stage: 'prepared' });
        yield { batch: ready.batch, neverSent: true };
        onProgress({ batchId: ready.batch.batchId, records: ready.batch.count, stage: 'sent' });
      }
    } finally {
      // A batch prepared ahead and not persisted is dropped: its records are prepared again next round.
      await next;
    }
  }

  /** What preparing a batch needs besides its records. */
  private prepareKeys(): PrepareKeys {
    const { keys, station } = this.o;
    return { context: this.context!, publisher: keys, ...(station ? { station: { privateKey: stationPrivateKey(station), address: station.address } } : {}) };
  }

  /** The preparer with its worker thread, made once (closed by close()). */
  private threadedPreparer(): BatchPreparer {
    this.preparer ??= new BatchPreparer(this.prepareKeys());
    return this.preparer;
  }

  /** Stop the preparation thread, if one was started. */
  async close(): Promise<void> {
    await this.preparer?.close();
    this.preparer = null;
  }

  /**
   * The next batch from the front of the buffer (planBatch: planned from sizes, prepared once), in
   * the preparer's thread or on this one; never rejects: a failure is returned for holdFirstFailing.
   */
  private async prepareNext(buffer: OutboxEntry[], preparer: BatchPreparer | null): Promise<StoredBatch | { failed: unknown }> {
    const { station, source } = this.o;
    const credentials = new Map<string, AuthorCredential>();
    const recipients = new Map<string, ShareRecipient[]>();
    try {
      const recipientsOf = (patient: string) => {
        const key = patient.toLowerCase();
        if (!recipients.has(key)) recipients.set(key, source.recipientsOf(patient));
        return recipients.get(key)!;
      };
      // The run is chosen here from sizes (cheap), from the buffer grouped by patient; only its records go to the preparer.
      const offered = groupedByPatient(buffer, this.budget!.maxRecords);
      const run = offered.slice(0, estimateRun(offered.map((e) => e.record), this.budget!, { station: station?.address, recipientsOf }));
      const records = run.map((e) => e.record);
      for (const r of records) {
        const author = r.author.toLowerCase();
        if (credentials.has(author)) continue;
        const c = source.credentialOf(r.author);
        if (c) credentials.set(author, c);
      }
      const job: PlanJob = { records, budget: this.budget!, credentials, recipients };
      const plan = preparer ? await preparer.plan(job) : runPlanJob(this.prepareKeys(), job, station);
      rememberGasBound(plan.batch, plan.gasBound);
      const seqOf = new Map(run.map((e) => [e.record.id.toLowerCase(), e.seq]));
      const members = plan.shareRecords.flatMap((ids, shareIndex) => ids.map((id, k) => ({ seq: seqOf.get(id.toLowerCase())!, id, shareIndex, index: plan.batch.shares[shareIndex]!.first + k })));
      return { batch: plan.batch, members, preparedAt: Date.now() };
    } catch (e) {
      return { failed: e };
    }
  }

  /**
   * A preparation failed. A record that cannot go (larger than a transaction, no credential for its
   * author, not matching its own commitment): the first one that fails on its own is held back with
   * the cause (a rare, slow path: one preparation per record up to it); the rest goes on.
   * @throws the failure when it is not a record's, or when every record is fine on its own.
   */
  private async holdFirstFailing(buffer: OutboxEntry[], failure: unknown): Promise<OutboxEntry> {
    if (!(failure instanceof WardError) || (failure.code !== 'BAD_INPUT' && failure.code !== 'INTEGRITY')) throw failure;
    for (const entry of buffer) {
      const cause = await this.alone(entry);
      if (cause === null) continue;
      await this.o.state.hold({ seq: entry.seq, id: entry.record.id, cause, at: Date.now() });
      return entry;
    }
    throw failure; // every record is fine on its own: a fault of the run, not of a record
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

/**
 * Up to `limit` records of the buffer, patient by patient: the patient of the oldest record first
 * with all of theirs, then the patient of the oldest record left, and so on; each patient's records
 * in write order. A batch cut from the front holds a few patients' shares instead of one per
 * patient on the ward: a share costs a grant (an ECIES) per recipient and, for station readings,
 * a fresh signature, on publishing and again on pulling. The oldest record always goes next (no
 * record waits behind a busier patient), and a patient's records reach the chain in write order
 * (an amendment never before its original).
 */
export function groupedByPatient(buffer: OutboxEntry[], limit: number): OutboxEntry[] {
  const byPatient = new Map<string, OutboxEntry[]>();
  for (const e of buffer) {
    const key = e.record.patient.toLowerCase();
    const list = byPatient.get(key);
    if (list) list.push(e);
    else byPatient.set(key, [e]);
  }
  const out: OutboxEntry[] = [];
  for (const list of byPatient.values()) {
    for (const e of list) {
      if (out.length >= limit) return out;
      out.push(e);
    }
  }
  return out;
}
