/**
 * The ward's record store (storage/WardStore) as the sync engine's outbox, through the adapter the
 * core uses (records/consortiumOutbox.ts StoreOutbox), with the same test surface as the LevelDB
 * test outbox (levelOutbox.ts): write records, read them all, and what was marked published where.
 *
 * Marks are observed at the adapter's boundary: each markPublished call is counted, and a call that
 * names another batch or place for a record already marked is remembered in the store (so a
 * process killed and restarted on the same directory still shows it).
 */
import type { ShareRecipient } from '../../electron/core/consortium/batch';
import type { AuthorCredential } from '../../electron/core/consortium/credentials';
import type { PublishableRecord } from '../../electron/core/consortium/payload';
import type { OutboxEntry, OutboxSource, PublishedPlace } from '../../electron/core/consortium/syncPorts';
import { StoreOutbox } from '../../electron/core/records/consortiumOutbox';
import type { StoredRecord } from '../../electron/core/storage/storedRecord';
import { WardStore } from '../../electron/core/storage/wardStore';
import type { PublishedMark } from './levelOutbox';

const CHANGED = 'test.markedElsewhere';

export class StoreTestOutbox implements OutboxSource {
  private constructor(
    readonly store: WardStore,
    private readonly adapter: StoreOutbox,
  ) {}

  static async open(dir: string, credentials: AuthorCredential[] = [], recipients: (patient: string) => ShareRecipient[] = () => []): Promise<StoreTestOutbox> {
    const store = await WardStore.open(dir);
    await store.openOutbox(); // a ward with a consortium configured (the core opens it as its engine starts)
    const adapter = new StoreOutbox(() => store, { credentialOf: (a) => credentials.find((c) => c.member.toLowerCase() === a.toLowerCase()), recipientsOf: recipients });
    return new StoreTestOutbox(store, adapter);
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** Write records (the ward's write path), in order. */
  async add(records: PublishableRecord[]): Promise<void> {
    await this.store.write((w) => {
      for (const r of records) w.record(r as StoredRecord);
    });
  }

  next(after: number, limit: number): Promise<OutboxEntry[]> {
    return this.adapter.next(after, limit);
  }

  count(): Promise<number> {
    return this.adapter.count();
  }

  async markPublished(ids: string[], place: PublishedPlace): Promise<void> {
    const prior = await this.store.consortiumPlaces(place.records.map((r) => r.id));
    const elsewhere = place.records.filter((r, i) => prior[i] && (prior[i]!.batchId !== place.batchId || prior[i]!.index !== r.index || JSON.stringify(prior[i]!.recordProof) !== JSON.stringify(r.recordProof)));
    if (elsewhere.length > 0) {
      const known = (await this.store.state<string[]>(CHANGED)) ?? [];
      await this.store.write((w) => w.state(CHANGED, [...known, ...elsewhere.map((r) => r.id.toLowerCase())]));
    }
    await this.adapter.markPublished(ids, place);
  }

  credentialOf(author: string): AuthorCredential | undefined {
    return this.adapter.credentialOf(author);
  }

  recipientsOf(patient: string): ShareRecipient[] {
    return this.adapter.recipientsOf(patient);
  }

  /** Every record written, in write order. */
  async all(): Promise<PublishableRecord[]> {
    const out: Array<{ seq: number; record: PublishableRecord }> = [];
    for await (const chunk of this.store.allEntries()) for (const e of chunk) out.push({ seq: e.seq, record: e.record as PublishableRecord });
    return out.sort((a, b) => a.seq - b.seq).map((e) => e.record);
  }

  /** What the store keeps about each published record, by id (lowercase), as the test outbox reports it. */
  async published(): Promise<Map<string, PublishedMark>> {
    const records = await this.all();
    const places = await this.store.consortiumPlaces(records.map((r) => r.id));
    const changed = new Set((await this.store.state<string[]>(CHANGED)) ?? []);
    const out = new Map<string, PublishedMark>();
    records.forEach((r, i) => {
      const p = places[i];
      if (!p) return;
      const id = r.id.toLowerCase();
      out.set(id, { ward: p.ward, batchId: p.batchId, root: p.root, block: p.block, tx: p.tx, place: { id: r.id, shareIndex: p.shareIndex, index: p.index, recordProof: p.recordProof, shareProof: p.shareProof }, marks: 1, changed: changed.has(id) });
    });
    return out;
  }
}
