/**
 * A ward's sync engine for the integration tests and the benchmark: the LevelDB test outbox, the
 * engine's state and the client's in-flight transactions under one directory (a "data directory"
 * that survives the process), and the checks that every record is on the consortium exactly once.
 */
import { join } from 'node:path';
import { leafOfRecord, verifyConsortiumInclusion, type ShareRecipient } from '../../electron/core/consortium/batch';
import { ConsortiumClient, type ConsortiumClientOptions } from '../../electron/core/consortium/client';
import { ledgerInterface } from '../../electron/core/consortium/ledgerAbi';
import { Publisher } from '../../electron/core/consortium/publisher';
import { Puller, type PullerOptions } from '../../electron/core/consortium/puller';
import { SyncEngine, type SyncEngineOptions } from '../../electron/core/consortium/syncEngine';
import type { BatchBudget } from '../../electron/core/consortium/sizing';
import { SyncState } from '../../electron/core/consortium/syncState';
import type { InboxSink } from '../../electron/core/consortium/syncPorts';
import type { ConsortiumContext } from '../../electron/core/consortium/sealing';
import { signCredential, type AuthorCredential } from '../../electron/core/consortium/credentials';
import { LevelOutbox } from './levelOutbox';
import { StoreTestOutbox } from './storeTestOutbox';
import type { TestWard } from './consortiumFixtures';

export interface SyncWardOptions {
  url: string;
  ledger: string;
  context: ConsortiumContext;
  client?: Partial<ConsortiumClientOptions>;
  recipients?: (patient: string) => ShareRecipient[];
  sink?: InboxSink;
  inFlight?: number;
  budget?: Partial<BatchBudget>;
  /** Records waiting from which the publisher prepares in its worker thread (Publisher's threadFrom). */
  threadFrom?: number;
  engine?: Partial<SyncEngineOptions>;
  /** The puller's tuning (with `sink`). */
  puller?: Pick<PullerOptions, 'sinkWriteRecords'>;
  /** Which outbox: the LevelDB test outbox (default) or the ward's record store through the core's adapter. */
  outbox?: OutboxKind;
}

export type OutboxKind = 'test' | 'store';
/** Both outboxes, for scenarios that must hold for each. */
export const OUTBOX_KINDS: OutboxKind[] = ['test', 'store'];
export type TestOutbox = LevelOutbox | StoreTestOutbox;

/** Open a ward's outbox of either kind under its directory (the store in `records/store`, as in a data directory). */
export function openTestOutbox(kind: OutboxKind, dir: string, credentials: AuthorCredential[] = [], recipients?: (patient: string) => ShareRecipient[]): Promise<TestOutbox> {
  return kind === 'store' ? StoreTestOutbox.open(join(dir, 'records', 'store'), credentials, recipients) : LevelOutbox.open(join(dir, 'outbox'), credentials, recipients);
}

export interface SyncWard {
  outbox: TestOutbox;
  state: SyncState;
  client: ConsortiumClient;
  engine: SyncEngine;
  close(): Promise<void>;
}

export async function openSyncWard(ward: TestWard, dir: string, o: SyncWardOptions): Promise<SyncWard> {
  const credentials = [signCredential(ward.nurse.signingKey, o.context, ward.sync.address, 'nurse'), signCredential(ward.station.signingKey, o.context, ward.sync.address, 'station')];
  const outbox = await openTestOutbox(o.outbox ?? 'test', dir, credentials, o.recipients);
  const state = await SyncState.open(join(dir, 'consortium-sync'));
  const client = new ConsortiumClient({ url: o.url, privateKey: ward.sync.privateKey, ledger: o.ledger, stateDir: dir, pollMs: 100, ...o.client });
  const keys = { account: ward.sync.address, privateKey: ward.sync.privateKey, shareSecret: ward.shareSecret };
  const publisher = new Publisher({ client, state, source: outbox, keys, station: ward.station, inFlight: o.inFlight, budget: o.budget, ...(o.threadFrom === undefined ? {} : { threadFrom: o.threadFrom }) });
  const puller = o.sink ? new Puller({ client, state, sink: o.sink, own: keys, ...o.puller }) : undefined;
  const engine = new SyncEngine({ client, state, source: outbox, publisher, puller, idleMs: 500, ...o.engine });
  return {
    outbox,
    state,
    client,
    engine,
    async close() {
      await engine.stop();
      await state.close();
      await outbox.close();
    },
  };
}

/**
 * Every record written is marked published exactly where the chain has it: its proof reaches the
 * root the ledger stored for its batch, no record was marked twice in different places, and the
 * ward's batches on chain hold exactly as many records as were written (so none is there twice).
 */
export async function expectExactlyOnce(client: ConsortiumClient, outbox: TestOutbox): Promise<{ records: number; batches: number }> {
  const records = await outbox.all();
  const marks = await outbox.published();
  const problems: string[] = [];
  const roots = new Map<string, string | null>();
  for (const r of records) {
    const m = marks.get(r.id.toLowerCase());
    if (!m) {
      problems.push(`${r.id} not published`);
      continue;
    }
    if (m.changed) problems.push(`${r.id} marked in two places`);
    if (!roots.has(m.batchId)) roots.set(m.batchId, (await client.batchOnChain(m.batchId))?.root ?? null);
    const root = roots.get(m.batchId);
    if (!root || root !== m.root || !verifyConsortiumInclusion(root, leafOfRecord(r), m.place.recordProof, m.place.shareProof)) problems.push(`${r.id} not proven under its batch`);
  }
  if (problems.length) throw new Error(`${problems.length} records not exactly once, e.g. ${problems.slice(0, 3).join('; ')}`);
  // The ward's BatchPublished logs: as many records in all as were written, one log per batch id.
  const topic = ledgerInterface.getEvent('BatchPublished')!.topicHash;
  const account = '0x' + '0'.repeat(24) + client.account.slice(2).toLowerCase();
  let onChain = 0;
  const ids = new Set<string>();
  for await (const page of client.logs({ address: client.ledger, topics: [topic, account] }, 0, await client.blockNumber())) {
    for (const l of page.logs) {
      onChain += Number(ledgerInterface.decodeEventLog('BatchPublished', l.data, l.topics).count);
      if (ids.has(l.topics[2]!)) throw new Error('a batch id was published twice');
      ids.add(l.topics[2]!);
    }
  }
  if (onChain !== records.length) throw new Error(`the consortium holds ${onChain} records of this ward, ${records.length} were written`);
  if (ids.size !== roots.size) throw new Error(`${ids.size} batches on chain, ${roots.size} named by the outbox`);
  return { records: records.length, batches: ids.size };
}
