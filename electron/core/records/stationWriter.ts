/**
 * Unattended device readings, written by the workstation's station key: many readings under one
 * signature over the Merkle root of the batch (each record keeps its proof), encrypted under
 * station-created key scopes, appended with one fsync, and anchored by group commit.
 * StationIngestQueue decides what goes into a batch.
 */
import type { ethers } from 'ethers';
import type { ScopedCiphertext } from '../crypto/keyScope';
import { buildBatch } from '../crypto/merkle';
import { signBatchRoot } from '../crypto/recordSignature';
import type { RecordContent } from '../model/records';
import type { AnchorQueue } from './anchorQueue';
import type { Patients } from './patients';
import { encodeRecord, storedRecordOf, type EncodedRecord } from './recordCodec';
import type { RecordStore } from './recordStore';
import type { RecordVerifier } from './recordVerifier';
import type { ScopeKeyring } from './scopeKeys';
import type { LogEntry } from '../storage/logFormat';
import type { StoredRecord } from '../storage/storedRecord';

export interface StationReading {
  patient: string;
  content: RecordContent;
  authorName: string;
  dedupeKey?: string;
  createdAt?: number;
}

/** Records per log slice: encoding a thousand records never holds the event loop in one piece. */
const SLICE = 128;

export class StationWriter {
  constructor(
    private readonly store: RecordStore,
    private readonly patients: Patients,
    private readonly keyring: ScopeKeyring,
    private readonly anchors: AnchorQueue,
    private readonly verifier: RecordVerifier,
  ) {}

  /** Record a batch of readings; resolves when every record is durable and anchored. */
  async ingest(station: ethers.Wallet, items: StationReading[]): Promise<StoredRecord[]> {
    if (items.length === 0) return [];
    const scopeEntries: LogEntry[] = [];
    const encoded: Array<{ e: EncodedRecord; cipher: ScopedCiphertext }> = [];
    for (const [i, item] of items.entries()) {
      await yieldEvery(i);
      const patient = await this.patients.keyOf(item.patient);
      const { key, created } = await this.keyring.stationScope(patient);
      if (created) scopeEntries.push(created);
      const e = encodeRecord({
        patient: patient.address,
        patientRef: this.patients.refOf(patient.address),
        kind: 'vitals',
        author: station.address,
        authorName: item.authorName,
        content: item.content,
        createdAt: item.createdAt,
      });
      encoded.push({ e, cipher: key.seal(e.plaintext, e.id) });
    }
    const batch = buildBatch(
      encoded.map(({ e }) => ({ recordId: e.id, patientRef: e.fields.patientRef, commitment: e.commitment, author: station.address, createdAt: e.createdAt })),
    );
    const createdAt = Date.now();
    const { signature } = signBatchRoot(station, batch.root, encoded.length, createdAt);
    // Written in slices (one group commit, one fsync for all of them).
    const records: StoredRecord[] = [];
    const appended: Array<Promise<void>> = [];
    for (let start = 0; start < encoded.length; start += SLICE) {
      await yieldEvery(0);
      const slice = encoded.slice(start, start + SLICE).map(({ e, cipher }) =>
        storedRecordOf(e, {
          authorRole: 'station',
          signature: '',
          batchSignature: { root: batch.root, count: encoded.length, createdAt, signature, proof: batch.proofs.get(e.id.toLowerCase())! },
          cipher,
        }),
      );
      records.push(...slice);
      const dedupeKeys = items.slice(start, start + SLICE).flatMap((i) => (i.dedupeKey ? [i.dedupeKey] : []));
      const sliceEntries: LogEntry[] = [...(start === 0 ? scopeEntries : []), ...slice.map((r) => ({ t: 'rec' as const, r }))];
      if (dedupeKeys.length) sliceEntries.push({ t: 'dev', keys: dedupeKeys });
      appended.push(this.store.append(...sliceEntries));
    }
    await Promise.all(appended);
    await this.anchors.anchor(records);
    for (const [i, r] of records.entries()) {
      await yieldEvery(i);
      this.verifier.rememberWritten(r);
    }
    return records;
  }
}

/**
 * Let the event loop run between slices of a large batch (every 64 items, and when i = 0), so API
 * calls stay responsive while a ward's worth of readings is recorded (target p99 ≤ 50 ms).
 */
function yieldEvery(i: number, every = 64): Promise<void> | void {
  if (i % every === 0) return new Promise((r) => setImmediate(r));
}
