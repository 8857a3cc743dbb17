/**
 * The record pipeline and record access:
 *   write: encode → sign (EIP-712) → encrypt under the patient's key scope → durable append →
 *          group-committed Merkle anchor → acknowledged;
 *   read:  authorise → unwrap the scope keys → decrypt → verify → audit on the ward chain.
 * Authorisation is enforced here (and in the contracts for consent and audit), never only in UI.
 */
import { randomBytes } from 'node:crypto';
import { ethers } from 'ethers';
import type { PersonRef, RecordContent, RecordKind, RecordView, Role } from '../api/contract';
import type { WardContracts } from '../chain/wardContracts';
import { WardError } from '../common/errors';
import { patientRef } from '../crypto/commitment';
import { createKeyScope, openKeyScope, type ScopeKey } from '../crypto/keyScope';
import { buildBatch } from '../crypto/merkle';
import { signBatchRoot, signRecord } from '../crypto/recordSignature';
import type { LogEntry } from './model';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '../crypto/hex';
import { VerifiedCache } from '../crypto/verifiedCache';
import type { IdentityService } from '../identity/identityService';
import type { Admissions } from '../ward/admissions';
import type { AnchorQueue } from './anchorQueue';
import type { StoredRecord } from './model';
import { forgetOpened, markObjectVerified, openAndVerify, verificationFacts, type OpenedRecord } from './provenance';
import { encodeRecord, isNoAmends, storedRecordOf } from './recordCodec';
import type { RecordStore } from './recordStore';

/** Who is acting: their own key, and the care team key for clinicians. */
export interface Actor {
  address: string;
  name: string;
  role: Role;
  wallet: ethers.Wallet;
  teamKey: string | null;
}

export type AccessBasis = 'own' | 'care-team' | 'responsible-doctor' | 'consent' | 'break-glass';

export class RecordService {
  /** Unwrapped scope keys of this process (the core is the trusted holder of an open session's keys). */
  private readonly scopeKeys = new Map<string, ScopeKey>();
  readonly verified = new VerifiedCache();
  private readonly rootsOnChain = new Map<string, boolean>();

  constructor(
    private readonly store: RecordStore,
    private readonly anchors: AnchorQueue,
    private readonly identity: IdentityService,
    private readonly admissions: Admissions,
    private readonly contracts: () => WardContracts,
  ) {}

  patientRefOf(patient: string): string {
    return patientRef(this.identity.wardConfig.pseudonymSecret, patient);
  }

  async requirePatient(address: string): Promise<{ address: string; publicKey: string }> {
    const m = await this.identity.member(address);
    if (!m || m.role !== 'patient' || m.status !== 'approved') throw new WardError('NOT_FOUND', 'There is no registered patient with that account.');
    return { address: m.address, publicKey: m.publicKey };
  }

  // ---------------------------------------------------------------- keys

  private cachedKey(scopeId: string, privateKeys: Array<string | null>): ScopeKey | null {
    const cached = this.scopeKeys.get(scopeId);
    if (cached) return cached;
    const scope = this.store.scopes.get(scopeId);
    if (!scope) return null;
    for (const k of privateKeys) {
      if (!k) continue;
      try {
        const key = openKeyScope(scope, k);
        this.scopeKeys.set(scopeId, key);
        return key;
      } catch {
        // not a reader with this key; try the next
      }
    }
    return null;
  }

  /** Readers of new records: the patient, the care team, and everyone the patient has granted. */
  private async readersOf(patient: { address: string; publicKey: string }): Promise<string[]> {
    const grantees = [...this.store.activeGrantees(patient.address).keys()];
    const granteeKeys = await Promise.all(grantees.map(async (g) => (await this.identity.member(g))?.publicKey));
    return [patient.publicKey, this.identity.wardConfig.team.publicKey, ...granteeKeys.filter((k): k is string => !!k)];
  }

  /** Scope creations in progress, by patient: simultaneous first records share one new scope. */
  private readonly creatingScope = new Map<string, Promise<ScopeKey>>();

  /** The key of the patient's current scope, opened with the writer's keys, or a new scope. */
  async writableScope(patient: { address: string; publicKey: string }, writerKeys: Array<string | null>): Promise<ScopeKey> {
    const pending = this.creatingScope.get(patient.address);
    if (pending) return pending;
    const current = this.store.currentScope.get(patient.address);
    if (current) {
      const key = this.cachedKey(current, writerKeys);
      if (key && key.remaining > 0) return key;
    }
    const creating = (async () => {
      const { scope, key } = createKeyScope(await this.readersOf(patient), '0x' + randomBytes(16).toString('hex'));
      await this.store.append({ t: 'scope', patient: patient.address, scope });
      this.scopeKeys.set(scope.scopeId, key);
      return key;
    })().finally(() => this.creatingScope.delete(patient.address));
    this.creatingScope.set(patient.address, creating);
    return creating;
  }

  // ---------------------------------------------------------------- write

  /** Sign, encrypt, store durably and anchor one record; resolves when anchored and durable. */
  async create(
    actor: Actor,
    patientAddress: string,
    kind: RecordKind,
    content: RecordContent,
    options: {
      amends?: string | null;
      /** Only the demo seeder back-dates records; everything else records "now". */
      createdAt?: number;
      /** For device readings: marks serial + device record id as recorded (dedupe), in the same write. */
      dedupeKey?: string;
    } = {},
  ): Promise<StoredRecord> {
    const { amends = null, createdAt, dedupeKey } = options;
    const patient = await this.patientKey(patientAddress);
    const encoded = encodeRecord({
      patient: patient.address,
      patientRef: this.patientRefOf(patient.address),
      kind,
      author: actor.address,
      authorRole: actor.role,
      authorName: actor.name,
      content,
      amends,
      createdAt,
    });
    const signature = signRecord(actor.wallet, encoded.fields);
    const key = await this.writableScope(patient, [actor.teamKey, actor.wallet.privateKey]);
    const record = storedRecordOf(encoded, { signature, cipher: key.seal(encoded.plaintext, encoded.id) });
    await this.store.append({ t: 'rec', r: record }, ...(dedupeKey ? [{ t: 'dev' as const, keys: [dedupeKey] }] : []));
    await this.anchors.anchor([record]);
    this.rememberWritten(record);
    return record;
  }

  // ---------------------------------------------------------------- unattended device ingest

  private readonly patientKeys = new Map<string, { address: string; publicKey: string }>();
  /** Scopes the station created (it is no reader of the others), by patient. */
  private readonly stationScopes = new Map<string, ScopeKey>();

  private async patientKey(address: string): Promise<{ address: string; publicKey: string }> {
    // Keyed by the address as given too: normalising it costs a keccak (EIP-55) per reading.
    let p = this.patientKeys.get(address);
    if (!p) {
      const a = ethers.getAddress(address);
      p = this.patientKeys.get(a) ?? (await this.requirePatient(a));
      this.patientKeys.set(a, p);
      this.patientKeys.set(address, p);
    }
    return p;
  }

  /** Whether a device reading (by its dedupe key) was recorded before. */
  seenDevice(key: string): boolean {
    return this.store.deviceKeys.has(key);
  }

  /**
   * Record many device readings at once, signed by the workstation's station key over the Merkle
   * root of the batch (one signature for the batch; each record keeps its proof), encrypted under
   * station-created key scopes, appended with one fsync, and anchored by group commit.
   * Resolves when every record is durable and anchored.
   */
  async ingestByStation(
    station: ethers.Wallet,
    items: Array<{ patient: string; content: RecordContent; authorName: string; dedupeKey?: string; createdAt?: number }>,
  ): Promise<StoredRecord[]> {
    if (items.length === 0) return [];
    const scopeEntries: LogEntry[] = [];
    const encoded = [];
    for (const [i, item] of items.entries()) {
      await yieldEvery(i);
      const patient = await this.patientKey(item.patient);
      let key = this.stationScopes.get(patient.address);
      if (!key || key.remaining === 0) {
        const created = createKeyScope(await this.readersOf(patient), '0x' + randomBytes(16).toString('hex'));
        scopeEntries.push({ t: 'scope', patient: patient.address, scope: created.scope });
        this.stationScopes.set(patient.address, (key = created.key));
        this.scopeKeys.set(created.scope.scopeId, created.key);
      }
      const e = encodeRecord({
        patient: patient.address,
        patientRef: this.patientRefOf(patient.address),
        kind: 'vitals',
        author: station.address,
        authorRole: 'station',
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
    const { signature } = signBatchRoot(station, batch.root, encoded.length, createdAt, 'station');
    // Written in slices (one group commit, one fsync for all of them), so encoding a thousand
    // records for the log never holds the event loop in one piece.
    const records: StoredRecord[] = [];
    const appended: Array<Promise<void>> = [];
    const SLICE = 128;
    for (let start = 0; start < encoded.length; start += SLICE) {
      await yieldEvery(0);
      const slice = encoded.slice(start, start + SLICE).map(({ e, cipher }) =>
        storedRecordOf(e, {
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
      this.rememberWritten(r);
    }
    return records;
  }

  /**
   * This process built, signed and anchored the record itself: memo it as verified (keyed by its
   * stored bytes, so a later change on disk is still caught). Its inclusion proof is not checked
   * again: the anchor queue built it from this very object in this process.
   */
  rememberWritten(r: StoredRecord): void {
    const anchor = this.store.anchors.get(r.id);
    if (!anchor) return;
    this.rootsOnChain.set(anchor.root, true);
    this.verified.markVerified(verificationFacts(r, anchor));
    markObjectVerified(r, anchor);
  }

  // ---------------------------------------------------------------- read

  /**
   * Why this actor may read this patient's record, or a FORBIDDEN error that says what would
   * allow it (break-glass for clinicians).
   */
  accessBasis(actor: Actor, patient: string, breakGlassReason?: string): AccessBasis {
    const p = ethers.getAddress(patient);
    if (actor.role === 'patient') {
      if (actor.address === p) return 'own';
      throw new WardError('FORBIDDEN', 'Patients can read only their own record.');
    }
    if (this.store.activeGrantees(p).has(actor.address)) return 'consent';
    const admission = this.admissions.currentOf(p);
    if (actor.role === 'nurse' && admission) return 'care-team';
    if (actor.role === 'doctor' && admission?.responsibleDoctor === actor.address) return 'responsible-doctor';
    if ((actor.role === 'doctor' || actor.role === 'nurse') && breakGlassReason) return 'break-glass';
    if (actor.role === 'doctor' || actor.role === 'nurse') {
      throw new WardError('FORBIDDEN', 'This patient is not in your care. In an emergency you can use break-glass access with a written reason; it is audited.', {
        breakGlassAvailable: true,
      });
    }
    throw new WardError('FORBIDDEN', 'The patient has not shared their record with you.');
  }

  async rootOnChain(root: string): Promise<boolean> {
    const known = this.rootsOnChain.get(root);
    if (known !== undefined) return known;
    const onChain = (await this.contracts().anchorOf(root)) !== null;
    if (onChain) this.rootsOnChain.set(root, true);
    return onChain;
  }

  private teamMemo: { teamKey: string; cache: VerifiedCache } | null = null;

  /** The persistent verification memo for care-team readers (secret derived from the team key). */
  private teamCache(teamKey: string | null): VerifiedCache | null {
    if (!teamKey) return null;
    if (this.teamMemo?.teamKey !== teamKey) {
      const secret = hkdf(sha256, hexToBytes(teamKey), undefined, new TextEncoder().encode('wardledger/verified-memo/v1'), 32);
      this.teamMemo = { teamKey, cache: new VerifiedCache(secret) };
    }
    return this.teamMemo.cache;
  }

  /** Decrypt and verify every record of a patient the actor may read (no authorisation here). */
  async openAll(actor: Actor, patient: string): Promise<OpenedRecord[]> {
    const keys = [actor.teamKey, actor.wallet.privateKey];
    const records = this.store.recordsOf(ethers.getAddress(patient));
    const teamCache = this.teamCache(actor.teamKey);
    const newTags: Array<[string, string]> = [];
    const out: OpenedRecord[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const persistent = teamCache ? { cache: teamCache, tag: this.store.teamTags.get(r.id), remember: (id: string, tag: string) => newTags.push([id, tag]) } : undefined;
      out[i] = await openAndVerify(r, this.cachedKey(r.cipher.scopeId, keys), this.store.anchors.get(r.id), this.verified, (root) => this.rootOnChain(root), persistent);
    }
    // Remember what was verified for the next start (best effort: a failed write only costs time).
    const fresh = newTags.filter(([id, tag]) => this.store.teamTags.get(id) !== tag);
    if (fresh.length) await this.store.append({ t: 'vtag', tags: fresh }).catch(() => undefined);
    return out;
  }

  toView(opened: OpenedRecord, names: (address: string) => PersonRef | undefined): RecordView {
    const r = opened.record;
    const fromRecord: PersonRef = { address: r.author, name: opened.sealed?.authorName ?? 'Unknown author', role: r.authorRole };
    const author = r.authorRole === 'station' ? fromRecord : (names(r.author) ?? fromRecord);
    return {
      id: r.id,
      kind: r.kind,
      createdAt: new Date(r.createdAt).toISOString(),
      author,
      amends: isNoAmends(r.amends) ? null : r.amends,
      amendedBy: this.store.amendedBy.get(r.id) ?? [],
      content: opened.sealed?.content ?? null,
      provenance: opened.provenance,
    };
  }

  /** Decrypt and verify one record (no authorisation here). */
  openOne(actor: Actor, id: string): Promise<OpenedRecord> {
    const r = this.recordOf(id);
    return openAndVerify(r, this.cachedKey(r.cipher.scopeId, [actor.teamKey, actor.wallet.privateKey]), this.store.anchors.get(r.id), this.verified, (root) => this.rootOnChain(root));
  }

  /** The newest vitals of a patient (for the board), decrypted with the actor's keys. */
  async latestVitals(actor: Actor, patient: string): Promise<OpenedRecord | null> {
    const ids = this.store.byPatient.get(ethers.getAddress(patient)) ?? [];
    for (let i = ids.length - 1; i >= 0; i--) {
      const r = this.store.records.get(ids[i]!)!;
      if (r.kind !== 'vitals' && r.kind !== 'amendment') continue;
      const opened = await openAndVerify(r, this.cachedKey(r.cipher.scopeId, [actor.teamKey, actor.wallet.privateKey]), this.store.anchors.get(r.id), this.verified, (root) =>
        this.rootOnChain(root),
      );
      if (opened.sealed?.content.vitals) return opened;
    }
    return null;
  }

  recordOf(id: string): StoredRecord {
    const r = this.store.records.get(id);
    if (!r) throw new WardError('NOT_FOUND', 'There is no record with that id.');
    return r;
  }

  /** After a lock or logout nothing needs dropping here: scope keys belong to the core, not a session. */
  closeAll(): void {
    for (const k of this.scopeKeys.values()) k.destroy();
    this.scopeKeys.clear();
    forgetOpened();
  }
}

/**
 * Let the event loop run between slices of a large batch (every 64 items, and when i = 0), so API
 * calls stay responsive while a ward's worth of readings is recorded (target p99 ≤ 50 ms).
 */
function yieldEvery(i: number, every = 64): Promise<void> | void {
  if (i % every === 0) return new Promise((r) => setImmediate(r));
}
