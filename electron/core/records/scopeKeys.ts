/**
 * The unwrapped key scope keys of this process (the core is the trusted holder of an open
 * session's keys): opened with a reader's private keys, created for new records, and the
 * station's own scopes for unattended device readings. Bounded: the oldest opened key goes first
 * (and is zeroed), and is opened again from the store when a reader needs it.
 */
import { randomBytes } from 'node:crypto';
import { openScopeGrant } from '../consortium/grants';
import { createKeyScope, openKeyScope, scopeKeyFromRaw, type KeyScope, type ScopeKey } from '../crypto/keyScope';
import { publicKeyOf } from '../crypto/envelope';
import type { IdentityService } from '../identity/identityService';
import { BoundedCache } from '../storage/boundedCache';
import type { WardStore } from '../storage/wardStore';
import { log } from '../platform/log';
import { keptScopeGrant } from './consortiumInbox';
import type { PatientKey } from './patients';

/** A scope just created for a patient, to be written with the first record under it. */
export interface NewScope {
  patient: string;
  scope: KeyScope;
}

export class ScopeKeyring {
  private readonly keys = new BoundedCache<string, ScopeKey>(4096, (key) => key.destroy());
  /** Scope creations in progress, by patient: simultaneous first records share one new scope. */
  private readonly creating = new Map<string, Promise<ScopeKey>>();
  /** Scopes the station created (it is no reader of the others), by patient. */
  private readonly stationScopes = new Map<string, ScopeKey>();

  /**
   * Told of every new scope with a copy of its key (zeroed by the keyring afterwards): a patient
   * transferred to another ward gets the new scope granted too (records/careTransfer.ts).
   */
  onNewScope: ((patient: string, scopeId: string, rawKey: Uint8Array) => void) | null = null;

  constructor(
    private readonly store: () => WardStore,
    private readonly identity: IdentityService,
  ) {}

  /** The key of a scope, opened with the first of the private keys that is one of its readers. */
  async keyOf(scopeId: string, privateKeys: Array<string | null>): Promise<ScopeKey | null> {
    const cached = this.keys.get(scopeId);
    if (cached) return cached;
    const scope = await this.store().scope(scopeId);
    if (!scope) return this.grantedKeyOf(scopeId, privateKeys);
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

  /**
   * The key of another ward's scope, from a scope grant kept for one of these readers (a transfer
   * of care, records/consortiumInbox.ts), or null.
   */
  private async grantedKeyOf(scopeId: string, privateKeys: Array<string | null>): Promise<ScopeKey | null> {
    for (const k of privateKeys) {
      if (!k) continue;
      const reader = publicKeyOf(k);
      const kept = await keptScopeGrant(this.store(), scopeId, reader);
      if (!kept) continue;
      try {
        const raw = openScopeGrant({ kind: 'scope', reader: kept.reader, patient: kept.patient, scopeId, wrappedKey: Buffer.from(kept.wrappedKey.slice(2), 'hex') }, k);
        const key = scopeKeyFromRaw(scopeId, raw);
        raw.fill(0);
        this.keys.set(scopeId, key);
        return key;
      } catch {
        // damaged or not this reader's: try the next key
      }
    }
    return null;
  }

  /**
   * A copy of the key of a scope this process holds open (opened for a reader, or the station's
   * current scope), or null: what can be re-granted with no one logged in (records/careTransfer.ts
   * grantMissingScopes). The caller zeroes the copy.
   */
  async openedRaw(scopeId: string): Promise<Uint8Array | null> {
    const key = this.keys.get(scopeId) ?? [...this.stationScopes.values()].find((k) => k.scopeId === scopeId);
    try {
      return key ? key.exportForRewrap() : null;
    } catch {
      return null; // destroyed meanwhile (closing)
    }
  }

  /** The keys of several scopes (a page of records), each opened once. */
  async keysOf(scopeIds: Iterable<string>, privateKeys: Array<string | null>): Promise<Map<string, ScopeKey | null>> {
    const out = new Map<string, ScopeKey | null>();
    for (const id of scopeIds) if (!out.has(id)) out.set(id, await this.keyOf(id, privateKeys));
    return out;
  }

  /** Readers of new records: the patient, the care team, and everyone the patient has granted. */
  private async readersOf(patient: PatientKey): Promise<string[]> {
    const grantees = [...(await this.store().grants(patient.address)).keys()];
    const granteeKeys = await Promise.all(grantees.map(async (g) => (await this.identity.member(g))?.publicKey));
    // Once each: a transferred patient registered without a key has the care team's in its place (records/incomingTransfers.ts).
    return [...new Set([patient.publicKey, this.identity.wardConfig.team.publicKey, ...granteeKeys.filter((k): k is string => !!k)])];
  }

  private async newScope(patient: PatientKey): Promise<{ key: ScopeKey; created: NewScope }> {
    const { scope, key } = createKeyScope(await this.readersOf(patient), '0x' + randomBytes(16).toString('hex'));
    if (this.onNewScope) {
      const raw = key.exportForRewrap();
      try {
        this.onNewScope(patient.address, scope.scopeId, raw);
      } catch {
        // Never fails the record being written: the grant waits for the next transfer.
        log('warn', 'scope.newScopeHookFailed', {});
      } finally {
        raw.fill(0);
      }
    }
    return { key, created: { patient: patient.address, scope } };
  }

  /** The key of the patient's current scope, opened with the writer's keys, or a new scope (written at once). */
  async writableScope(patient: PatientKey, writerKeys: Array<string | null>): Promise<ScopeKey> {
    const pending = this.creating.get(patient.address);
    if (pending) return pending;
    const current = this.store().currentScope(patient.address);
    if (current) {
      const key = await this.keyOf(current, writerKeys);
      if (key && key.remaining > 0) return key;
    }
    const creating = (async () => {
      const { key, created } = await this.newScope(patient);
      await this.store().write((w) => w.scope(created.patient, created.scope));
      this.keys.set(created.scope.scopeId, key);
      return key;
    })().finally(() => this.creating.delete(patient.address));
    this.creating.set(patient.address, creating);
    return creating;
  }

  /**
   * The station's current scope for a patient, or a new one the caller writes with its first
   * record (`created`).
   */
  async stationScope(patient: PatientKey): Promise<{ key: ScopeKey; created: NewScope | null }> {
    const key = this.stationScopes.get(patient.address);
    if (key && key.remaining > 0) return { key, created: null };
    const fresh = await this.newScope(patient);
    this.stationScopes.set(patient.address, fresh.key);
    return fresh;
  }

  /** The patients the station created a scope for in this start. */
  stationPatients(): string[] {
    return [...this.stationScopes.keys()];
  }

  /**
   * The keys of these scopes this process holds open now (the station's scopes of this start, keys
   * opened for readers), null for the others: what the station can read of its own readings with
   * no reader logged in (records/stationBlocks.ts). Nothing is opened from the store.
   */
  heldKeysOf(scopeIds: Iterable<string>): Map<string, ScopeKey | null> {
    const station = new Map([...this.stationScopes.values()].map((k) => [k.scopeId, k]));
    const out = new Map<string, ScopeKey | null>();
    for (const id of scopeIds) out.set(id, this.keys.get(id) ?? station.get(id) ?? null);
    return out;
  }

  /** Destroy every key held (the core stops). */
  closeAll(): void {
    this.keys.clear();
    for (const k of this.stationScopes.values()) k.destroy();
    this.stationScopes.clear();
  }
}
