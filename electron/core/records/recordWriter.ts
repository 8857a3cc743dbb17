/**
 * The write path of one record by a person: encode (canonical JSON with a nonce) → sign (EIP-712)
 * → encrypt under the patient's key scope → durable write to the ward store → Merkle anchor (at
 * once: a person waits) → acknowledged.
 */
import { readerKeys, type Actor } from '../identity/actor';
import { WardError } from '../model/errors';
import type { RecordContent, RecordKind } from '../model/records';
import { signRecord } from '../crypto/recordSignature';
import { failpoint } from '../platform/failpoint';
import type { StoredRecord } from '../storage/storedRecord';
import type { WardStore } from '../storage/wardStore';
import type { AnchorQueue } from './anchorQueue';
import type { Patients } from './patients';
import { encodeRecord, storedRecordOf } from './recordCodec';
import { filingOf } from './recordFiling';
import type { RecordVerifier } from './recordVerifier';
import type { ScopeKeyring } from './scopeKeys';

export interface WriteOptions {
  amends?: string | null;
  /** Only the demo seeder back-dates records; everything else records "now". */
  createdAt?: number;
  /** For device readings: marks serial + device record id as recorded (dedupe), in the same write. */
  dedupeKey?: string;
}

export class RecordWriter {
  /** Device readings being written now (dedupe holds for concurrent writes, not only sequential ones). */
  private readonly deviceKeysInFlight = new Set<string>();

  constructor(
    private readonly store: () => WardStore,
    private readonly patients: Patients,
    private readonly keyring: ScopeKeyring,
    private readonly anchors: AnchorQueue,
    private readonly verifier: RecordVerifier,
  ) {}

  /** Sign, encrypt, store durably and anchor one record; resolves when anchored and durable. */
  async create(actor: Actor, patientAddress: string, kind: RecordKind, content: RecordContent, options: WriteOptions = {}): Promise<StoredRecord> {
    const { dedupeKey } = options;
    if (dedupeKey === undefined) return this.write(actor, patientAddress, kind, content, options);
    if (this.seenDevice(dedupeKey)) throw new WardError('CONFLICT', 'This device reading is already recorded.');
    this.deviceKeysInFlight.add(dedupeKey);
    try {
      return await this.write(actor, patientAddress, kind, content, options);
    } finally {
      this.deviceKeysInFlight.delete(dedupeKey);
    }
  }

  private async write(actor: Actor, patientAddress: string, kind: RecordKind, content: RecordContent, options: WriteOptions): Promise<StoredRecord> {
    const { amends = null, createdAt, dedupeKey } = options;
    const patient = await this.patients.keyOf(patientAddress);
    const encoded = encodeRecord({
      patient: patient.address,
      patientRef: this.patients.refOf(patient.address),
      kind,
      author: actor.address,
      authorRole: actor.role,
      authorName: actor.name,
      content,
      amends,
      createdAt,
    });
    const signature = signRecord(actor.wallet, encoded.fields);
    const key = await this.keyring.writableScope(patient, readerKeys(actor));
    const record = storedRecordOf(encoded, { signature, cipher: key.seal(encoded.toSeal, encoded.id) });
    await this.store().write((w) => {
      w.record(record, filingOf(content));
      if (dedupeKey) w.deviceKeys([dedupeKey]);
    });
    failpoint('record.durable');
    await this.anchors.anchor([{ record, memo: this.verifier.memoAtAnchor(record, actor.teamKey) }]);
    return record;
  }

  /** Whether a device reading (by its dedupe key) was recorded before, or is being recorded now. */
  seenDevice(key: string): boolean {
    return this.store().seenDevice(key) || this.deviceKeysInFlight.has(key);
  }
}
