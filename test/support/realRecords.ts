/**
 * Stored records made by the real write path's pieces, without a chain: encodeRecord (canonical
 * plaintext, content hash, salted commitment), an EIP-712 signature by the author or a station
 * batch signature over a Merkle tree, AES-GCM under a real key scope — exactly the bytes
 * RecordWriter.create and StationWriter.ingest store (see storedRecordOf): the author's role
 * signed (EIP-712 typed data version 2).
 */
import { randomBytes } from 'node:crypto';
import { Wallet } from 'ethers';
import type { RecordContent } from '../../electron/core/model/records';
import { patientRef } from '../../electron/core/crypto/commitment';
import { createKeyScope, type KeyScope, type ScopeKey } from '../../electron/core/crypto/keyScope';
import { buildBatch, type MerkleBatch } from '../../electron/core/crypto/merkle';
import { signBatchRoot, signRecord } from '../../electron/core/crypto/recordSignature';
import type { StoredRecord } from '../../electron/core/storage/storedRecord';
import { encodeRecord, storedRecordOf } from '../../electron/core/records/recordCodec';
import { leafIndexes } from '../../electron/core/storage/merkleTrees';
import type { StoreWrite } from '../../electron/core/storage/storeWrite';
import type { RecordMeta } from '../../electron/core/storage/storeTypes';

export const WARD_SECRET = '0x' + '5e'.repeat(32);

export interface Ward {
  nurse: Wallet;
  station: Wallet;
  team: Wallet;
  patients: Wallet[];
  scopes: Map<string, { scope: KeyScope; key: ScopeKey }>;
}

const newWallet = () => new Wallet(Wallet.createRandom().privateKey);

export function makeWard(patients = 3): Ward {
  return { nurse: newWallet(), station: newWallet(), team: newWallet(), patients: Array.from({ length: patients }, newWallet), scopes: new Map() };
}

/** The patient's key scope (created on first use, readable by the patient and the care team). */
export function scopeOf(ward: Ward, patient: Wallet): { scope: KeyScope; key: ScopeKey; created: boolean } {
  const known = ward.scopes.get(patient.address);
  if (known) return { ...known, created: false };
  const made = createKeyScope([patient.signingKey.publicKey, ward.team.signingKey.publicKey], '0x' + randomBytes(16).toString('hex'));
  ward.scopes.set(patient.address, made);
  return { ...made, created: true };
}

export function nurseVitals(i: number): RecordContent {
  return { vitals: { respiratoryRate: 14 + (i % 6), spo2: 94 + (i % 5), supplementalOxygen: false, systolic: 118 + (i % 20), diastolic: 76, pulse: 70 + (i % 15), consciousness: 'A', temperature: { celsius: 36.8, entered: { value: 36.8, unit: 'Cel' } } } };
}

export function oximeterReading(i: number, at: number): RecordContent {
  return {
    vitals: { spo2: 93 + (i % 6), pulse: 64 + (i % 20) },
    device: { driver: 'cms50e', model: 'Contec CMS50E', serial: `CMS50E-${String(i % 30).padStart(4, '0')}`, deviceRecordId: `live-${at}`, receivedAt: new Date(at).toISOString() },
  };
}

/** One record signed by the nurse, as RecordWriter.create stores it. */
export function nurseRecord(ward: Ward, patient: Wallet, content: RecordContent, options: { createdAt?: number; kind?: StoredRecord['kind']; amends?: string } = {}): StoredRecord {
  const e = encodeRecord({
    patient: patient.address,
    patientRef: patientRef(WARD_SECRET, patient.address),
    kind: options.kind ?? 'vitals',
    author: ward.nurse.address,
    authorRole: 'nurse',
    authorName: 'Florence Nurse',
    content,
    amends: options.amends,
    createdAt: options.createdAt,
  });
  const { key } = scopeOf(ward, patient);
  return storedRecordOf(e, { signature: signRecord(ward.nurse, e.fields), cipher: key.seal(e.plaintext, e.id) });
}

/** A station ingest batch, as StationWriter.ingest stores it: one batch signature, each record with its proof. */
export function stationBatch(ward: Ward, readings: Array<{ patient: Wallet; at: number; i: number }>): { records: StoredRecord[]; batch: MerkleBatch; signedAt: number; signature: string } {
  const encoded = readings.map(({ patient, at, i }) => {
    const e = encodeRecord({
      patient: patient.address,
      patientRef: patientRef(WARD_SECRET, patient.address),
      kind: 'vitals',
      author: ward.station.address,
      authorRole: 'station',
      authorName: 'Contec CMS50E (bound by Florence Nurse)',
      content: oximeterReading(i, at),
      createdAt: at,
    });
    return { e, cipher: scopeOf(ward, patient).key.seal(e.plaintext, e.id) };
  });
  const batch = buildBatch(encoded.map(({ e }) => ({ recordId: e.id, patientRef: e.fields.patientRef, commitment: e.commitment, author: ward.station.address, createdAt: e.createdAt })));
  const signedAt = Math.max(...readings.map((r) => r.at)) + 1;
  const { signature } = signBatchRoot(ward.station, batch.root, encoded.length, signedAt, 'station');
  const records = encoded.map(({ e, cipher }) =>
    storedRecordOf(e, { signature: '', batchSignature: { root: batch.root, count: encoded.length, createdAt: signedAt, signature, proof: batch.proofs.get(e.id.toLowerCase())! }, cipher }),
  );
  return { records, batch, signedAt, signature };
}

/**
 * Put a station batch into a store write as the ingest path will: its signature tree once, each
 * record with its place in it. Returns the tree number and the records with their leaf indexes.
 */
export function putStationBatch(w: StoreWrite, made: ReturnType<typeof stationBatch>, meta: Omit<RecordMeta, 'signatureTree'> = { vitals: 'partial' }): { treeNo: number; members: Array<{ record: StoredRecord; leafIndex: number }> } {
  const dump = made.batch.toStandardTreeData();
  const leaves = leafIndexes(dump);
  const treeNo = w.tree({ root: made.batch.root, nodes: dump.tree, signature: { count: made.records.length, createdAt: made.signedAt, signature: made.signature } });
  const members = made.records.map((record) => ({ record, leafIndex: leaves.get(record.id)! }));
  for (const { record, leafIndex } of members) w.record(record, { ...meta, signatureTree: { treeNo, leafIndex } });
  return { treeNo, members };
}
