/**
 * The ward's record store as the consortium sync engine's outbox (consortium/syncPorts.ts
 * OutboxSource): records waiting to be published in write order (WardStore.outbox), and, once a
 * batch is on the consortium chain, each record's place and proof kept in the store and the
 * patient's shares kept for later share grants (a transfer of care), in one atomic write.
 */
import type { ShareRecipient } from '../consortium/batch';
import type { AuthorCredential } from '../consortium/credentials';
import type { PublishableRecord } from '../consortium/payload';
import type { OutboxEntry, OutboxSource, PublishedPlace } from '../consortium/syncPorts';
import { WardError } from '../model/errors';
import { log } from '../platform/log';
import type { StoredRecord } from '../storage/storedRecord';
import type { ConsortiumPlace } from '../storage/storeTypes';
import type { WardStore } from '../storage/wardStore';

export interface StoreOutboxOptions {
  /** The author's credential for this consortium, if they signed one (ConsortiumCredentials). */
  credentialOf: (author: string) => AuthorCredential | undefined;
  /** Who already receives this patient's records (transfers of care); none by default. */
  recipientsOf?: (patient: string) => ShareRecipient[];
}

export class StoreOutbox implements OutboxSource {
  constructor(
    private readonly store: () => WardStore,
    private readonly o: StoreOutboxOptions,
  ) {}

  /**
   * Open the store's outbox (the engine starts: a consortium is configured). The store enqueues
   * records only from then on, and the records written before in the background; `next` waits for
   * those, so publishing keeps write order. Never fails: a failed fill is retried by `next`.
   */
  open(): void {
    this.store()
      .openOutbox()
      .catch((e: unknown) => log('error', 'consortium.outbox.fillFailed', { code: e instanceof WardError ? e.code : 'INTERNAL' }));
  }

  async next(after: number, limit: number): Promise<OutboxEntry[]> {
    await this.store().openOutbox();
    // StoredRecord is PublishableRecord's shape (payload.ts): the record travels as stored.
    return (await this.store().outbox({ after, limit })).map(({ seq, record }) => ({ seq, record: record as PublishableRecord }));
  }

  /** Records waiting (while the outbox first fills, those enqueued so far: never waits for the fill). */
  count(): Promise<number> {
    return this.store().outboxCount();
  }

  /**
   * Idempotent: the places of a batch are written in one commit, so if its first record has this
   * place already, the whole batch was marked (a repeat after a crash) and nothing is written again.
   */
  async markPublished(ids: string[], place: PublishedPlace): Promise<void> {
    const store = this.store();
    if (place.records.length === 0) return;
    const marked = await store.consortiumPlace(place.records[0]!.id);
    if (marked && marked.ward.toLowerCase() === place.ward.toLowerCase() && marked.batchId === place.batchId) return;
    const wanted = new Set(ids.map((id) => id.toLowerCase()));
    const at = Date.now();
    const entries: Array<{ record: StoredRecord; place: ConsortiumPlace }> = [];
    for (const r of place.records) {
      if (!wanted.has(r.id.toLowerCase())) continue;
      const entry = await store.entry(r.id, { proofs: false });
      if (!entry) throw new WardError('INTEGRITY', 'A record published to the consortium is not in the record store.');
      entries.push({
        record: entry.record,
        place: { ward: place.ward, batchId: place.batchId, root: place.root, block: place.block, tx: place.tx, shareIndex: r.shareIndex, index: r.index, recordProof: r.recordProof, shareProof: r.shareProof, at },
      });
    }
    await store.write(async (w) => {
      await w.consortiumPlaces(entries);
      for (const s of place.shares) {
        w.consortiumShare(s.header.patient, { ward: place.ward, batchId: place.batchId, root: place.root, block: place.block, index: s.index, first: s.first, count: s.count, shareProof: s.shareProof, header: s.header });
      }
    });
  }

  credentialOf(author: string): AuthorCredential | undefined {
    return this.o.credentialOf(author);
  }

  recipientsOf(patient: string): ShareRecipient[] {
    return this.o.recipientsOf?.(patient) ?? [];
  }
}
