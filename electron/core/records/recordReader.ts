/**
 * Reading records: decrypt with the reader's keys and verify, a window at a time. No
 * authorisation here: the callers ask AccessPolicy first.
 */
import { ethers } from 'ethers';
import { readerKeys, type Actor } from '../identity/actor';
import { WardError } from '../model/errors';
import type { Page } from '../storage/storeTypes';
import { scopeOfBody } from '../storage/recordBinary';
import type { StoredRecord } from '../storage/storedRecord';
import { cursorAt, type StoredEntry, type WardStore, type WindowOptions } from '../storage/wardStore';
import { reopened, type OpenedRecord } from './provenance';
import type { RecordVerifier } from './recordVerifier';
import type { ScopeKeyring } from './scopeKeys';

export class RecordReader {
  constructor(
    private readonly store: () => WardStore,
    private readonly keyring: ScopeKeyring,
    private readonly verifier: RecordVerifier,
  ) {}

  /** A stored record by id (without proofs), or NOT_FOUND. */
  async recordOf(id: string): Promise<StoredRecord> {
    const e = await this.store().entry(id, { proofs: false });
    if (!e) throw new WardError('NOT_FOUND', 'There is no record with that id.');
    return e.record;
  }

  /**
   * Decrypt and verify stored entries (a page of one patient's records, or any list). Records held
   * opened from the very bytes read are not decoded again (their scope is the held record's), nor
   * are records an opened block vouches for (their scope read from their stored bytes).
   * `page`: the entries are a page of the store (every record of the patient between the first and
   * the last), so the hours inside it may be kept as opened blocks (RecordVerifier.openMany).
   */
  async openEntries(actor: Actor, entries: StoredEntry[], options: { page?: boolean } = {}): Promise<OpenedRecord[]> {
    const held = entries.map(reopened);
    // For a care-team reader, the scope from the stored bytes where read with them: a record an
    // opened block vouches for is never decoded. Other readers open every record the usual way
    // (decoded anyway): the decoded record's scope.
    const fromBytes = !!actor.teamKey;
    const scopeOf = (e: StoredEntry, i: number) => held[i]?.opened.record.cipher.scopeId ?? (fromBytes && e.stored ? scopeOfBody(e.stored.body) : null) ?? e.record.cipher.scopeId;
    const keys = await this.keyring.keysOf(new Set(entries.map(scopeOf)), readerKeys(actor));
    return this.verifier.openMany(entries, keys, actor.teamKey, held, options.page ?? false);
  }

  /**
   * One page of a patient's records (by measured time, newest first unless asked), decrypted and
   * verified; `last` continues after the page's last record even when the window ended there.
   * Proofs are read only for records no memo vouches for, unless `proofs` asks for all (an export).
   */
  async openWindow(actor: Actor, patient: string, options: WindowOptions = {}): Promise<Page<OpenedRecord> & { last: string | null }> {
    const page = await this.store().window(ethers.getAddress(patient), { ...options, proofs: options.proofs ?? false });
    const last = page.items.at(-1);
    return { items: await this.openEntries(actor, page.items, { page: true }), next: page.next, last: last ? cursorAt(last) : null };
  }

  /** Every record of a patient between two times, page by page (an export, a chart of a long period). */
  async *openRange(actor: Actor, patient: string, options: { from?: number; to?: number; order?: 'asc' | 'desc'; pageSize?: number; proofs?: boolean } = {}): AsyncGenerator<OpenedRecord[]> {
    let cursor: string | null = null;
    do {
      const page: Page<OpenedRecord> = await this.openWindow(actor, patient, { from: options.from, to: options.to, order: options.order ?? 'asc', limit: options.pageSize ?? 2000, cursor, proofs: options.proofs });
      if (page.items.length) yield page.items;
      cursor = page.next;
    } while (cursor);
  }

  /** Decrypt and verify one record. */
  async openOne(actor: Actor, id: string): Promise<OpenedRecord> {
    const e = await this.store().entry(id, { proofs: false });
    if (!e) throw new WardError('NOT_FOUND', 'There is no record with that id.');
    return (await this.openEntries(actor, [e]))[0]!;
  }

  /**
   * A patient's records by measured time from the newest back, a page at a time (20, then larger),
   * decrypted and verified a page at a time (the board scans back only as far as the last complete
   * observation set). Records `wanted` refuses (by their public metadata) are passed over unopened.
   */
  async *newestFirst(actor: Actor, patient: string, wanted: (r: StoredRecord) => boolean = () => true): AsyncGenerator<OpenedRecord> {
    const p = ethers.getAddress(patient);
    let cursor: string | null = null;
    let pageSize = 20;
    do {
      const page: Page<StoredEntry> = await this.store().window(p, { limit: pageSize, cursor, proofs: false });
      // One page's wanted records opened together: one key lookup and one memo write a page, not a record.
      yield* await this.openEntries(actor, page.items.filter((e) => wanted(e.record)));
      cursor = page.next;
      pageSize = Math.min(pageSize * 4, 1000);
    } while (cursor);
  }

  /** When the patient's newest vitals were measured (the store's vitals index: nothing is decrypted), or null. */
  async latestVitalsAt(patient: string): Promise<number | null> {
    const page = await this.store().vitalsWindow(ethers.getAddress(patient), { limit: 1, proofs: false });
    return page.items[0]?.at ?? null;
  }
}
