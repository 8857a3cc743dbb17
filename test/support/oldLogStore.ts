/**
 * The log-based record store of WardLedger before the ward store (records/recordStore.ts until
 * issue 12 phase B), kept here as the reference of what an old log means: its replay is what the
 * migration must give back, and its append writes logs in the old format for the migration tests.
 * Nothing in the running code reads or writes this format any more but the migration.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KeyScope } from '../../electron/core/crypto/keyScope';
import type { LogEntry } from '../../electron/core/storage/logFormat';
import type { AnchorRef, StoredRecord } from '../../electron/core/storage/storedRecord';

export type AuditLogEntry = Extract<LogEntry, { t: 'audit' }>;
export type ConsentLogEntry = Extract<LogEntry, { t: 'consent' }>;

export class OldLogStore {
  private readonly path: string;
  readonly records = new Map<string, StoredRecord>();
  readonly byPatient = new Map<string, string[]>();
  readonly anchors = new Map<string, AnchorRef>();
  readonly amendedBy = new Map<string, string[]>();
  readonly scopes = new Map<string, KeyScope>();
  /** Patient → their current scope id (absent after a revoke until the next record). */
  readonly currentScope = new Map<string, string>();
  readonly scopesOfPatient = new Map<string, string[]>();
  /** Batches written before their anchor transaction (resumed after a crash). */
  readonly unanchoredBatches = new Map<string, string[]>();
  readonly consents: ConsentLogEntry[] = [];
  readonly audits: AuditLogEntry[] = [];
  readonly deviceKeys = new Set<string>();
  readonly teamTags = new Map<string, string>();

  constructor(dataDir: string) {
    this.path = join(dataDir, 'records', 'log.jsonl');
  }

  /** Replay every complete line (a torn last line, written without its newline, is ignored). */
  open(): number {
    if (!existsSync(this.path)) return 0;
    const text = readFileSync(this.path, 'utf8');
    const lines = text.split('\n').slice(0, -1);
    for (const line of lines) this.apply(JSON.parse(line) as LogEntry);
    return lines.length;
  }

  close(): void {}

  /** Append entries as lines of the log, and index them. */
  async append(...entries: LogEntry[]): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, entries.map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
    for (const e of entries) this.apply(e);
  }

  /** A record's proof under an anchor entry's root (see the 'anchor' entry in storedRecord.ts). */
  private anchorProof(e: Extract<LogEntry, { t: 'anchor' }>, id: string, i: number): string[] {
    if (e.proofs !== 'batchSignature') return e.proofs[i] ?? [];
    const signed = this.records.get(id)?.batchSignature;
    // Written only when the two trees are the same; if the record was altered since, the proof
    // simply fails to verify under the anchored root (reported as not matching its anchor).
    return signed?.root === e.root ? signed.proof : [];
  }

  private apply(e: LogEntry): void {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new TypeError('not an entry');
    switch (e.t) {
      case 'scope':
        this.scopes.set(e.scope.scopeId, e.scope);
        this.currentScope.set(e.patient, e.scope.scopeId);
        push(this.scopesOfPatient, e.patient, e.scope.scopeId);
        break;
      case 'scopeKeys':
        this.scopes.set(e.scope.scopeId, e.scope);
        break;
      case 'scopeEnd':
        if (this.currentScope.get(e.patient) === e.scopeId) this.currentScope.delete(e.patient);
        break;
      case 'rec':
        this.records.set(e.r.id, e.r);
        push(this.byPatient, e.r.patient, e.r.id);
        if (!/^0x0+$/.test(e.r.amends)) push(this.amendedBy, e.r.amends, e.r.id);
        break;
      case 'batch':
        this.unanchoredBatches.set(e.root, e.ids);
        break;
      case 'anchor':
        this.unanchoredBatches.delete(e.root);
        e.ids.forEach((id, i) => this.anchors.set(id, { root: e.root, batchId: e.batchId, block: e.block, tx: e.tx, proof: this.anchorProof(e, id, i) }));
        break;
      case 'consent':
        this.consents.push(e);
        break;
      case 'audit':
        this.audits.push(e);
        break;
      case 'vtag':
        for (const [id, tag] of e.tags) this.teamTags.set(id, tag);
        break;
      case 'dev':
        for (const k of e.keys) this.deviceKeys.add(k);
        break;
    }
  }

  recordsOf(patient: string): StoredRecord[] {
    return (this.byPatient.get(patient) ?? []).map((id) => this.records.get(id)!);
  }

  /** Records that were stored but are in no batch and have no anchor (crash before batching). */
  unbatchedRecords(): StoredRecord[] {
    const batched = new Set([...this.unanchoredBatches.values()].flat());
    return [...this.records.values()].filter((r) => !this.anchors.has(r.id) && !batched.has(r.id));
  }

  /** Active grantees of a patient, from the consent entries in order. */
  activeGrantees(patient: string): Map<string, ConsentLogEntry> {
    const active = new Map<string, ConsentLogEntry>();
    for (const c of this.consents) {
      if (c.patient !== patient) continue;
      if (c.action === 'grant') active.set(c.grantee, c);
      else active.delete(c.grantee);
    }
    return active;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
