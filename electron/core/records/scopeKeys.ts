/**
 * The unwrapped key scope keys of this process (the core is the trusted holder of an open
 * session's keys): opened with a reader's private keys, created for new records, and the
 * station's own scopes for unattended device readings.
 */
import { randomBytes } from 'node:crypto';
import { createKeyScope, openKeyScope, type ScopeKey } from '../crypto/keyScope';
import type { IdentityService } from '../identity/identityService';
import type { PatientKey } from './patients';
import type { RecordStore } from './recordStore';
import type { LogEntry } from '../storage/logFormat';

export class ScopeKeyring {
  private readonly keys = new Map<string, ScopeKey>();
  /** Scope creations in progress, by patient: simultaneous first records share one new scope. */
  private readonly creating = new Map<string, Promise<ScopeKey>>();
  /** Scopes the station created (it is no reader of the others), by patient. */
  private readonly stationScopes = new Map<string, ScopeKey>();

  constructor(
    private readonly store: RecordStore,
    private readonly identity: IdentityService,
  ) {}

  /** The key of a scope, opened with the first of the private keys that is one of its readers. */
  keyOf(scopeId: string, privateKeys: Array<string | null>): ScopeKey | null {
    const cached = this.keys.get(scopeId);
    if (cached) return cached;
    const scope = this.store.scopes.get(scopeId);
    if (!scope) return null;
    for (const k of privateKeys) {
      if (!k) continue;
      try {
        const key = openKeyScope(scope, k);
        this.keys.set(scopeId, key);
        return key;
      } catch {
        // not a reader with this key; try the next
      }
    }
    return null;
  }

  /** Readers of new records: the patient, the care team, and everyone the patient has granted. */
  private async readersOf(patient: PatientKey): Promise<string[]> {
    const grantees = [...this.store.activeGrantees(patient.address).keys()];
    const granteeKeys = await Promise.all(grantees.map(async (g) => (await this.identity.member(g))?.publicKey));
    return [patient.publicKey, this.identity.wardConfig.team.publicKey, ...granteeKeys.filter((k): k is string => !!k)];
  }

  private async newScope(patient: PatientKey): Promise<{ key: ScopeKey; entry: LogEntry }> {
    const { scope, key } = createKeyScope(await this.readersOf(patient), '0x' + randomBytes(16).toString('hex'));
    this.keys.set(scope.scopeId, key);
    return { key, entry: { t: 'scope', patient: patient.address, scope } };
  }

  /** The key of the patient's current scope, opened with the writer's keys, or a new scope (written at once). */
  async writableScope(patient: PatientKey, writerKeys: Array<string | null>): Promise<ScopeKey> {
    const pending = this.creating.get(patient.address);
    if (pending) return pending;
    const current = this.store.currentScope.get(patient.address);
    if (current) {
      const key = this.keyOf(current, writerKeys);
      if (key && key.remaining > 0) return key;
    }
    const creating = (async () => {
      const { key, entry } = await this.newScope(patient);
      await this.store.append(entry);
      return key;
    })().finally(() => this.creating.delete(patient.address));
    this.creating.set(patient.address, creating);
    return creating;
  }

  /**
   * The station's current scope for a patient, or a new one whose log entry the caller writes
   * with its first record (`created`).
   */
  async stationScope(patient: PatientKey): Promise<{ key: ScopeKey; created: LogEntry | null }> {
    const key = this.stationScopes.get(patient.address);
    if (key && key.remaining > 0) return { key, created: null };
    const fresh = await this.newScope(patient);
    this.stationScopes.set(patient.address, fresh.key);
    return { key: fresh.key, created: fresh.entry };
  }

  /** Destroy every key held (the core stops). */
  closeAll(): void {
    for (const k of this.keys.values()) k.destroy();
    this.keys.clear();
    this.stationScopes.clear();
  }
}
