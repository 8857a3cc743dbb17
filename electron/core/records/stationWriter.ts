/**
 * Unattended device readings, written by the workstation's station key: many readings under one
 * signature over the Merkle root of the batch (the store keeps the tree once, each record its
 * place in it), encrypted under station-created key scopes, made durable in one write, then
 * anchored — gathered with other readings by the anchor queue. StationIngestQueue decides what
 * goes into a batch.
 */
import type { ethers } from 'ethers';
import type { ScopedCiphertext } from '../crypto/keyScope';
import { buildBatch } from '../crypto/merkle';
import { signBatchRoot } from '../crypto/recordSignature';
import type { RecordContent } from '../model/records';
import { leafIndexes } from '../storage/merkleTrees';
import type { StoredRecord } from '../storage/storedRecord';
import type { WardStore } from '../storage/wardStore';
import type { AnchorQueue } from './anchorQueue';
import type { Patients } from './patients';
import { encodeRecord, storedRecordOf, type EncodedRecord } from './recordCodec';
import type { RecordVerifier } from './recordVerifier';
import type { NewScope, ScopeKeyring } from './scopeKeys';
import { filingOf } from './recordFiling';

export interface StationReading {
  patient: string;
  content: RecordContent;
  authorName: string;
  dedupeKey?: string;
  createdAt?: number;
}

/** A batch made durable, and its anchoring (gathered with other readings; resolves once anchored). */
export interface IngestedBatch {
  records: StoredRecord[];
  anchored: Promise<void>;
}

/** Records encoded between yields: encoding a thousand records never holds the event loop in one piece. */
const SLICE = 128;

export class StationWriter {
  constructor(
    private readonly store: () => WardStore,
    private readonly patients: Patients,
    private readonly keyring: ScopeKeyring,
    private readonly anchors: AnchorQueue,
    private readonly verifier: RecordVerifier,
  ) {}

  /** Record a batch of readings; resolves when every record is durable (anchoring follows). */
  async ingest(station: ethers.Wallet, items: StationReading[]): Promise<IngestedBatch> {
    if (items.length === 0) return { records: [], anchored: Promise.resolve() };
    const scopes: NewScope[] = [];
    const encoded: Array<{ e: EncodedRecord; cipher: ScopedCiphertext }> = [];
    for (const [i, item] of items.entries()) {
      await yieldEvery(i);
      const patient = await this.patients.keyOf(item.patient);
      const { key, created } = await this.keyring.stationScope(patient);
      if (created) scopes.push(created);
      const e = encodeRecord({
        patient: patient.address,
        patientRef: this.patients.refOf(patient.address),
        kind: 'vitals',
        author: station.address,
        authorRole: 'station',
        authorName: item.authorName,
        content: item.content,
        createdAt: item.createdAt,
      });
      encoded.push({ e, cipher: key.seal(e.toSeal, e.id) });
    }
    const batch = buildBatch(
      encoded.map(({ e }) => ({ recordId: e.id, patientRef: e.fields.patientRef, commitment: e.commitment, author: station.address, createdAt: e.createdAt })),
    );
    const dump = batch.toStandardTreeData();
    const places = leafIndexes(dump);
    const createdAt = Date.now();
    const { signature } = signBatchRoot(station, batch.root, encoded.length, createdAt, 'station');
    const records = encoded.map(({ e, cipher }) =>
      storedRecordOf(e, {
        signature: '',
        batchSignature: { root: batch.root, count: encoded.length, createdAt, signature, proof: batch.proofs.get(e.id.toLowerCase())! },
        cipher,
      }),
    );
    // One durable write: new scopes, the signature tree once, the records (encoded into the write
    // in slices), the device dedupe keys.
    let treeNo = 0;
    await this.store().write(async (w) => {
      for (const s of scopes) w.scope(s.patient, s.scope);
      treeNo = w.tree({ root: batch.root, nodes: dump.tree, signature: { count: encoded.length, createdAt, signature: signature.toLowerCase() } });
      for (const [i, r] of records.entries()) {
        await yieldEvery(i, SLICE);
        w.record(r, { ...filingOf(encoded[i]!.e.sealed.content), signatureTree: { treeNo, leafIndex: places.get(r.id.toLowerCase())! } });
      }
      const keys = items.flatMap((i) => (i.dedupeKey ? [i.dedupeKey] : []));
      if (keys.length) w.deviceKeys(keys);
    });
    const anchored = this.anchors
      .anchor(
        records.map((record) => {
          const place = { treeNo, leafIndex: places.get(record.id.toLowerCase())! };
          return { record, signatureTree: { ...place, leaves: records.length }, memo: this.verifier.memoAtAnchor(record, null, place) };
        }),
        'gathered',
      )
      .then(() => undefined);
    anchored.catch(() => undefined); // a failed anchor is retried at the next start (the records stay unbatched)
    return { records, anchored };
  }
}

/**
 * Let the event loop run between slices of a large batch (every 64 items, and when i = 0), so API
 * calls stay responsive while a ward's worth of readings is recorded (target p99 ≤ 50 ms).
 */
function yieldEvery(i: number, every = 64): Promise<void> | void {
  if (i % every === 0) return new Promise((r) => setImmediate(r));
}
