/**
 * What the consortium sync engine receives, into the ward's record store (consortium/syncPorts.ts
 * InboxSink): verified records of another ward are filed in the patient's history with where they
 * came from ("from ward X") and their consortium proof, never put in this ward's outbox, and
 * anchored on this ward's chain like every record it holds. Scope grants (a patient's key scope
 * wrapped for one of this ward's readers, at a transfer of care) are kept, unopened, for that reader,
 * and so is a transfer's note (the incoming transfer).
 */
import type { ScopeGrant, TransferGrant } from '../consortium/payload';
import type { InboxSink, ReceivedShare, SenderWard } from '../consortium/syncPorts';
import { log } from '../platform/log';
import type { StoredRecord } from '../storage/storedRecord';
import type { WardStore } from '../storage/wardStore';

/** A scope grant as kept for its reader. */
export interface KeptScopeGrant {
  reader: string;
  patient: string;
  scopeId: string;
  /** The scope key sealed for the reader (consortium/grants.ts openScopeGrant), 0x hex. */
  wrappedKey: string;
  from: SenderWard;
  block: number;
}

const grantName = (scopeId: string, reader: string) => `consortium.scopeGrant.${scopeId}.${reader.toLowerCase()}`;

/**
 * A patient's records on this ward (their newest 100,000) and how many of them were received from
 * one ward over the consortium, for the incoming-transfer and shared-with-me lists. Reads and
 * decodes those records: O(history), for the few patients such a list shows.
 */
export async function receivedFrom(store: WardStore, patient: string, wardAccount: string): Promise<{ records: StoredRecord[]; fromWard: number }> {
  const history = await store.window(patient, { limit: 100_000, proofs: false });
  const places = await store.consortiumPlaces(history.items.map((e) => e.record.id));
  const ward = wardAccount.toLowerCase();
  return { records: history.items.map((e) => e.record), fromWard: places.filter((p) => p?.from?.account.toLowerCase() === ward).length };
}

export function keptScopeGrant(store: WardStore, scopeId: string, reader: string): Promise<KeptScopeGrant | undefined> {
  return store.state<KeptScopeGrant>(grantName(scopeId, reader));
}

/** A transfer in, as kept by the receiving ward (from a transfer grant). */
export interface TransferInEntry {
  patient: string;
  from: SenderWard;
  block: number;
  reader: string;
  wrappedKey: string;
  sealedNote: string;
  receivedAt: number;
  admittedAt: number | null;
  admittedBy: string | null;
}

const TRANSFERS_IN = 'consortium.transfersIn';

/** The transfers of care that reached this ward (records/careTransfer.ts lists and admits them). */
export async function transfersIn(store: WardStore): Promise<TransferInEntry[]> {
  return (await store.state<TransferInEntry[]>(TRANSFERS_IN)) ?? [];
}

/** The last update of the list per store: updates run one after another, each on the list as the one before left it. */
const transfersInUpdates = new WeakMap<WardStore, Promise<unknown>>();

/**
 * Change the list of transfers that reached this ward (null: no change). Serialised, so a grant
 * pulled while a patient is being admitted and the admission never overwrite each other.
 */
export function updateTransfersIn(store: WardStore, change: (list: TransferInEntry[]) => TransferInEntry[] | null): Promise<void> {
  const run = (transfersInUpdates.get(store) ?? Promise.resolve()).then(async () => {
    const next = change(await transfersIn(store));
    if (next) await store.write((w) => w.state(TRANSFERS_IN, next));
  });
  transfersInUpdates.set(store, run.catch(() => undefined));
  return run;
}

/** Keep a transfer grant for its reader (the receiving end; idempotent: a page read again keeps one). */
export function keepTransferGrant(store: WardStore, grant: TransferGrant, from: SenderWard, block: number): Promise<void> {
  const same = (t: TransferInEntry) => t.patient === grant.patient && t.from.account.toLowerCase() === from.account.toLowerCase() && t.block === block && t.reader === grant.reader;
  const entry: TransferInEntry = { patient: grant.patient, from, block, reader: grant.reader, wrappedKey: '0x' + Buffer.from(grant.wrappedKey).toString('hex'), sealedNote: '0x' + Buffer.from(grant.sealedNote).toString('hex'), receivedAt: Date.now(), admittedAt: null, admittedBy: null };
  return updateTransfersIn(store, (list) => (list.some(same) ? null : [...list, entry]));
}

export class StoreInbox implements InboxSink {
  constructor(
    private readonly store: () => WardStore,
    /** Anchor newly filed records on the ward chain (records/anchorQueue.ts). */
    private readonly anchor: (records: StoredRecord[]) => Promise<unknown> = async () => undefined,
    /** Told after a transfer grant is kept (records/crossWardShares.ts re-reads who may read what). */
    private readonly transferKept: () => Promise<void> = async () => undefined,
  ) {}

  /** Idempotent: a record already filed keeps its first place (also within one call); one commit for all the shares. */
  async receive(shares: ReceivedShare[]): Promise<void> {
    const store = this.store();
    const all = shares.flatMap((s) => s.records.map((record) => ({ record, from: s.from })));
    const ids = all.map((r) => r.record.id);
    const [places, held] = await Promise.all([store.consortiumPlaces(ids), store.holds(ids)]);
    const at = Date.now();
    const fresh: StoredRecord[] = [];
    const placed: Array<{ record: StoredRecord; place: NonNullable<(typeof places)[number]> }> = [];
    const seen = new Set<string>();
    for (const [i, { record: received, from }] of all.entries()) {
      const id = received.id.toLowerCase();
      if (places[i] || seen.has(id)) continue;
      seen.add(id);
      const { consortium, ...rest } = received;
      const known = held[i] ? await store.entry(received.id, { proofs: false }) : undefined;
      const record = known?.record ?? (rest as StoredRecord);
      if (!known) fresh.push(record);
      placed.push({ record, place: { ...consortium, tx: null, from: { account: from.account, name: from.name }, at } });
    }
    if (placed.length === 0) return;
    await store.write(async (w) => {
      for (const r of fresh) w.record(r, { publish: false });
      await w.consortiumPlaces(placed);
    });
    // Not awaited: anchoring may wait for its window; the records are durable and in the anchor
    // queue's recovery (unbatched) until it is done.
    if (fresh.length > 0) this.anchor(fresh).catch(() => log('warn', 'consortium.received.anchorDeferred', { records: fresh.length }));
  }

  async scopeGrant(grant: ScopeGrant, from: SenderWard, block: number): Promise<void> {
    const kept: KeptScopeGrant = { reader: grant.reader, patient: grant.patient, scopeId: grant.scopeId, wrappedKey: '0x' + Buffer.from(grant.wrappedKey).toString('hex'), from, block };
    await this.store().write((w) => w.state(grantName(grant.scopeId, grant.reader), kept));
  }

  /** A transfer of care to this ward: listed as incoming until the care team admits the patient (records/careTransfer.ts). */
  async transferGrant(grant: TransferGrant, from: SenderWard, block: number): Promise<void> {
    await keepTransferGrant(this.store(), grant, from, block);
    await this.transferKept();
  }
}
