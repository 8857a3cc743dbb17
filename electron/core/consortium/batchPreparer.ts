/**
 * Preparing the publisher's batches off its thread: planning and sealing a batch (one ECIES per
 * share grant, the station's signature per share, the trees) is most of the publisher's CPU, and
 * it ran on the thread that also persists, signs, sends and marks. A worker thread
 * (prepareWorker.ts) prepares the next batch while the publisher's thread persists and sends the
 * one before, and the second core can take it.
 *
 * A job is everything planBatch needs, as plain data (the records, their authors' credentials, the
 * patients' standing recipients); the keys go to the worker once, when it starts. The same
 * function (runPlanJob) runs in the worker and, where no worker can be started, on this thread:
 * the result is the same either way.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SigningKey } from 'ethers';
import { WardError, type WardErrorCode } from '../model/errors';
import { log } from '../platform/log';
import type { RecordSigner } from '../crypto/recordSignature';
import { prepareBatch, type PreparedBatch, type PublisherKeys, type ShareRecipient } from './batch';
import type { AuthorCredential } from './credentials';
import type { PublishableRecord } from './payload';
import type { ConsortiumContext } from './sealing';
import { planBatch, publishGasBound, type BatchBudget } from './sizing';

/** What preparing needs besides the records: fixed for a publisher's life. */
export interface PrepareKeys {
  context: ConsortiumContext;
  publisher: PublisherKeys;
  /** The station's private key and address (re-signing its readings per share), if any. */
  station?: { privateKey: string; address: string };
}

export interface PlanJob {
  records: PublishableRecord[];
  budget: BatchBudget;
  /** Credentials of the records' authors (by lowercase address). */
  credentials: Map<string, AuthorCredential>;
  /** Standing recipients of the records' patients (by lowercase address). */
  recipients: Map<string, ShareRecipient[]>;
}

export interface PlanResult {
  batch: PreparedBatch;
  /** The ids of each share's records, in order (share i holds shareRecords[i]). */
  shareRecords: string[][];
  /** publishGasBound of the batch (kept per batch object, which the thread boundary copies). */
  gasBound: number;
}

/** The station key as prepareBatch takes it, from a private key. */
export function stationSigner(station: PrepareKeys['station']): (RecordSigner & { address: string }) | undefined {
  return station ? { signingKey: new SigningKey(station.privateKey), address: station.address } : undefined;
}

/** Plan and prepare the next batch from the front of `job.records` (planBatch, prepared once). */
export function runPlanJob(keys: PrepareKeys, job: PlanJob, station = stationSigner(keys.station)): PlanResult {
  const plan = planBatch(
    job.records,
    job.budget,
    (shares) => prepareBatch({ context: keys.context, publisher: keys.publisher, shares, credentialOf: (a) => job.credentials.get(a.toLowerCase()), station }),
    { station: keys.station?.address, recipientsOf: (p) => job.recipients.get(p.toLowerCase()) ?? [] },
  );
  return { batch: plan.batch, shareRecords: plan.shares.map((s) => s.records.map((r) => r.id)), gasBound: publishGasBound(plan.batch) };
}

/** A job's answer across the thread boundary: the result, or the WardError it threw. */
export type WorkerAnswer = { id: number; result: PlanResult } | { id: number; error: { code: WardErrorCode | null; message: string } };

/**
 * Prepares batches in a worker thread, one job at a time, in the order asked; on this thread when
 * the worker's file is not there or the worker fails to start (the result is the same, only slower).
 */
export class BatchPreparer {
  private worker: Worker | null = null;
  private failed = false;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: PlanResult) => void; reject: (e: unknown) => void }>();
  private readonly station: ReturnType<typeof stationSigner>;

  constructor(private readonly keys: PrepareKeys) {
    this.station = stationSigner(keys.station);
  }

  /** Whether jobs run in a worker (false after a failure to start one, or before the first job). */
  get threaded(): boolean {
    return this.worker !== null;
  }

  plan(job: PlanJob): Promise<PlanResult> {
    const worker = this.failed ? null : (this.worker ?? this.start());
    if (!worker) return new Promise((resolve) => resolve(runPlanJob(this.keys, job, this.station)));
    const id = ++this.nextId;
    return new Promise<PlanResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, job });
    });
  }

  /** Stop the worker (a job still waiting is refused); a later job starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.refuseWaiting(new WardError('INTERNAL', 'The batch preparation was stopped.'));
    if (worker) await worker.terminate();
  }

  private start(): Worker | null {
    const entry = workerEntry();
    if (!entry) {
      this.failed = true;
      log('warn', 'consortium.prepare.inThread', { reason: 'no worker file' });
      return null;
    }
    let worker: Worker;
    try {
      worker = entry.ts
        ? // Sources run through tsx (tests, benchmarks): the worker registers tsx before loading its entry.
          new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.url.href)}); });`, { eval: true, workerData: this.keys })
        : new Worker(entry.url, { workerData: this.keys });
    } catch {
      this.failed = true;
      log('warn', 'consortium.prepare.inThread', { reason: 'worker did not start' });
      return null;
    }
    worker.unref();
    worker.on('message', (a: WorkerAnswer) => {
      const w = this.waiting.get(a.id);
      if (!w) return;
      this.waiting.delete(a.id);
      if ('result' in a) w.resolve(a.result);
      else w.reject(a.error.code ? new WardError(a.error.code, a.error.message) : new WardError('INTERNAL', 'A consortium batch could not be prepared.'));
    });
    worker.on('error', (e) => {
      log('error', 'consortium.prepare.workerFailed', { error: e instanceof Error ? e.name : typeof e });
      if (this.worker === worker) this.worker = null;
      this.refuseWaiting(new WardError('INTERNAL', 'The batch preparation thread failed.'));
    });
    this.worker = worker;
    return worker;
  }

  private refuseWaiting(e: WardError): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}

/**
 * The worker's entry: prepareWorker.ts beside this file when running from sources, or the built
 * consortiumPrepare.js beside the bundle's entry (out/main; shared code sits in out/main/chunks).
 */
function workerEntry(): { url: URL; ts: boolean } | null {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith('.ts')) return { url: new URL('./prepareWorker.ts', here), ts: true };
  for (const candidate of ['./consortiumPrepare.js', '../consortiumPrepare.js']) {
    const url = new URL(candidate, here);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return { url, ts: false };
  }
  return null;
}
