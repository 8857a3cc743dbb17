/**
 * Reading records: decrypt with the reader's keys and verify. No authorisation here: the
 * callers ask AccessPolicy first.
 */
import { ethers } from 'ethers';
import { readerKeys, type Actor } from '../identity/actor';
import { WardError } from '../model/errors';
import type { OpenedRecord } from './provenance';
import type { RecordStore } from './recordStore';
import type { RecordVerifier } from './recordVerifier';
import type { ScopeKeyring } from './scopeKeys';
import type { StoredRecord } from '../storage/storedRecord';

export class RecordReader {
  constructor(
    private readonly store: RecordStore,
    private readonly keyring: ScopeKeyring,
    private readonly verifier: RecordVerifier,
  ) {}

  recordOf(id: string): StoredRecord {
    const r = this.store.records.get(id);
    if (!r) throw new WardError('NOT_FOUND', 'There is no record with that id.');
    return r;
  }

  /** Decrypt and verify every record of a patient. */
  async openAll(actor: Actor, patient: string): Promise<OpenedRecord[]> {
    const keys = readerKeys(actor);
    const records = this.store.recordsOf(ethers.getAddress(patient));
    const teamCache = this.verifier.teamCache(actor.teamKey);
    const newTags: Array<[string, string]> = [];
    const out: OpenedRecord[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const persistent = teamCache ? { cache: teamCache, tag: this.store.teamTags.get(r.id), remember: (id: string, tag: string) => newTags.push([id, tag]) } : undefined;
      out[i] = await this.verifier.open(r, this.keyring.keyOf(r.cipher.scopeId, keys), persistent);
    }
    // Remember what was verified for the next start (best effort: a failed write only costs time).
    const fresh = newTags.filter(([id, tag]) => this.store.teamTags.get(id) !== tag);
    if (fresh.length) await this.store.append({ t: 'vtag', tags: fresh }).catch(() => undefined);
    return out;
  }

  /** Decrypt and verify one record. */
  openOne(actor: Actor, id: string): Promise<OpenedRecord> {
    const r = this.recordOf(id);
    return this.verifier.open(r, this.keyring.keyOf(r.cipher.scopeId, readerKeys(actor)));
  }

  /** The newest vitals of a patient (for the board and patient lists), decrypted with the actor's keys. */
  async latestVitals(actor: Actor, patient: string): Promise<OpenedRecord | null> {
    const ids = this.store.byPatient.get(ethers.getAddress(patient)) ?? [];
    for (let i = ids.length - 1; i >= 0; i--) {
      const r = this.store.records.get(ids[i]!)!;
      if (r.kind !== 'vitals' && r.kind !== 'amendment') continue;
      const opened = await this.verifier.open(r, this.keyring.keyOf(r.cipher.scopeId, readerKeys(actor)));
      if (opened.sealed?.content.vitals) return opened;
    }
    return null;
  }
}
