/**
 * Migration of a data directory written by the log-based record store (records/log.jsonl, one
 * LogEntry per line, see logFormat.ts) into the ward store, once.
 *
 * - The log is streamed line by line (never read in one piece: logs past 2 GiB are what stopped the
 *   old store from starting), with progress by bytes.
 * - The store is built beside its final place (`<store>.migrating`, removed if an earlier attempt
 *   was interrupted) and moved there only after the counts check out, so a crash mid-migration
 *   leaves the old log in charge and the next start migrates again from the beginning.
 * - Entries apply in log order with the log's own meaning (RecordStore.apply): a station batch's
 *   records are gathered until the batch is whole, then stored with their signature tree laid out
 *   once; a batch that is not whole at the end of the log, or whose records do not rebuild its
 *   signed root, keeps the proofs its records carried, so verification reports what it did before.
 * - The old log is never changed; `confirmMigration` removes it once someone confirmed, and only if
 *   it is still exactly the file that was migrated.
 *
 * What the store cannot know of migrated records is what their encrypted content says: they are
 * filed by creation time, and vitals records ('vitals' kind) as vitals without "complete set"
 * marks, until a reader with the care team key re-files them (StoreWrite.indexVitals).
 */
import { createReadStream, existsSync, openSync, readSync, closeSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { WardError } from '../model/errors';
import { damagedFile } from '../platform/atomicFile';
import { buildBatch } from '../crypto/merkle';
import { leafOf } from './storedRecord';
import type { LogEntry } from './logFormat';
import type { StoredRecord } from './storedRecord';
import { leafIndexes } from './merkleTrees';
import type { StoreWrite } from './storeWrite';
import { WardStore } from './wardStore';

/** What to do when the old log cannot be migrated (nothing was changed: the log is kept, no store is left). */
const OLD_LOG_REMEDY = 'Nothing was changed. Restore the data directory (or this file) from a backup, then start WardLedger again to upgrade it.';

export interface MigrationProgress {
  phase: 'copying' | 'checking';
  /** Bytes of the log read so far, and in all. */
  bytesRead: number;
  totalBytes: number;
  entries: number;
  records: number;
}

/** What the migration found and checked; `problems` lists anything a person should look at. */
export interface MigrationReport {
  source: string;
  sourceBytes: number;
  entries: Record<LogEntry['t'], number>;
  records: number;
  anchoredRecords: number;
  ignoredTornTail: boolean;
  problems: string[];
  completedAt: number;
}

/** The marker a migrated store keeps (store state 'migration'). */
export interface MigrationMarker {
  source: string;
  sourceBytes: number;
  sourceModifiedAt: number;
  completedAt: number;
  confirmedAt: number | null;
  report: MigrationReport;
}

const FLUSH_EVERY = 2000;

/**
 * Migrate the log at `logPath` into a new store at `storePath`.
 * @throws WardError CONFLICT if a store is already there; INTEGRITY for an unreadable line or counts
 * that do not match (the half-built store is removed; the log is untouched).
 */
export async function migrateLog(logPath: string, storePath: string, onProgress: (p: MigrationProgress) => void = () => undefined): Promise<MigrationReport> {
  if (existsSync(storePath)) throw new WardError('CONFLICT', 'The record store has been migrated already.');
  const building = `${storePath}.migrating`;
  rmSync(building, { recursive: true, force: true });
  const source = statSync(logPath);
  const store = await WardStore.open(building);
  let report: MigrationReport;
  try {
    report = await copyLog(logPath, source.size, store, onProgress);
    await checkCounts(store, report, onProgress);
    await store.write((w) =>
      w.state('migration', { source: logPath, sourceBytes: source.size, sourceModifiedAt: source.mtimeMs, completedAt: report.completedAt, confirmedAt: null, report } satisfies MigrationMarker),
    );
  } catch (e) {
    await store.close();
    rmSync(building, { recursive: true, force: true });
    throw e;
  }
  await store.close();
  renameSync(building, storePath);
  return report;
}

/**
 * Someone confirmed the migrated store: remove the old log, if it is still the file that was
 * migrated (a log written to after the migration is kept, and that is reported).
 */
export async function confirmMigration(store: WardStore, logPath: string): Promise<void> {
  const marker = await store.state<MigrationMarker>('migration');
  if (!marker) throw new WardError('CONFLICT', 'This record store was not migrated from a log.');
  if (existsSync(logPath)) {
    const now = statSync(logPath);
    if (now.size !== marker.sourceBytes || now.mtimeMs !== marker.sourceModifiedAt) {
      throw new WardError('CONFLICT', 'The old record log changed after it was migrated; it is kept. Compare it with the migrated store before removing it by hand.');
    }
    unlinkSync(logPath);
  }
  await store.write((w) => w.state('migration', { ...marker, confirmedAt: Date.now() }));
}

// ------------------------------------------------------------------------------------------

/** A station batch whose records are still arriving (batch signature → its records in log order). */
interface OpenSignedBatch {
  root: string;
  count: number;
  createdAt: number;
  signature: string;
  records: StoredRecord[];
}

async function copyLog(logPath: string, totalBytes: number, store: WardStore, onProgress: (p: MigrationProgress) => void): Promise<MigrationReport> {
  const tornTail = totalBytes > 0 && lastByte(logPath) !== 0x0a;
  const entries = { scope: 0, scopeKeys: 0, scopeEnd: 0, rec: 0, vtag: 0, dev: 0, batch: 0, anchor: 0, consent: 0, audit: 0 } satisfies Record<LogEntry['t'], number>;
  const problems: string[] = [];
  // Counts, not sets of ids: memory stays flat however long the log (a repeated id shows up as a
  // count the store does not match).
  let records = 0;
  let anchored = 0;
  const openBatches = new Map<string, OpenSignedBatch>();
  /** Anchor batches by root, until their anchor entry (tree number, or the ids whose tree waits for the anchor's proofs). */
  const batches = new Map<string, { treeNo: number; members: number } | { ids: string[] }>();

  let pending: Array<(w: StoreWrite) => void | Promise<void>> = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const ops = pending;
    pending = [];
    await store.write(async (w) => {
      for (const op of ops) await op(w);
    });
  };
  const add = (op: (w: StoreWrite) => void | Promise<void>) => pending.push(op);

  /** Store a gathered station batch: laid out once when it rebuilds its signed root, else as its proofs. */
  const closeBatch = (key: string) => {
    const b = openBatches.get(key)!;
    openBatches.delete(key);
    let nodes: string[] | undefined;
    let places = new Map<string, number>();
    try {
      const built = buildBatch(b.records.map(leafOf));
      if (built.root === b.root.toLowerCase() && b.records.length === b.count) {
        nodes = built.toStandardTreeData().tree;
        places = leafIndexes(built.toStandardTreeData());
      }
    } catch {
      // malformed leaves: kept as the proofs the records carry
    }
    if (!nodes) {
      problems.push(`A device batch (root ${b.root}) has ${b.records.length} of ${b.count} records in the log or does not rebuild its signed root; its records keep the proofs they carried.`);
      places = new Map(b.records.map((r, i) => [r.id.toLowerCase(), i]));
    }
    const proofs = nodes ? undefined : b.records.map((r) => r.batchSignature!.proof);
    add((w) => {
      const treeNo = w.tree({ root: b.root.toLowerCase(), ...(nodes ? { nodes } : { proofs }), signature: { count: b.count, createdAt: b.createdAt, signature: b.signature.toLowerCase() } });
      for (const r of b.records) w.record(r, { vitals: r.kind === 'vitals' ? 'partial' : undefined, signatureTree: { treeNo, leafIndex: places.get(r.id.toLowerCase())! } });
    });
  };

  const applyBatch = async (root: string, ids: string[]): Promise<void> => {
    for (const [key, b] of [...openBatches]) if (b.records.some((r) => ids.includes(r.id))) closeBatch(key);
    await flush();
    const found = (await Promise.all(ids.map((id) => store.entry(id)))).filter((e) => !!e);
    if (found.length !== ids.length) problems.push(`An anchor batch (root ${root}) names ${ids.length - found.length} record(s) the log does not hold.`);
    const records = found.map((e) => e.record);
    if (records.length === 0) return;
    let built;
    try {
      built = buildBatch(records.map(leafOf));
    } catch {
      built = null;
    }
    if (!built || built.root !== root.toLowerCase()) {
      // Altered records: the tree is written with the proofs of the anchor entry, when it comes.
      batches.set(root, { ids: records.map((r) => r.id) });
      return;
    }
    const places = leafIndexes(built.toStandardTreeData());
    // A station batch anchored alone: its signature tree is the anchor tree (no second copy).
    const signed = records[0]!.batchSignature;
    const sameTree = records.every((r) => r.batchSignature?.root.toLowerCase() === built.root) && signed?.count === records.length;
    await store.write(async (w) => {
      let treeNo: number;
      // The records' own signature tree (signature trees are in the root index only once anchored).
      if (sameTree) treeNo = (await store.treePlaces([found[0]!]))[0]!.signature!.treeNo;
      else treeNo = w.tree({ root: built.root, nodes: built.toStandardTreeData().tree });
      await w.anchorBatch(treeNo, records.map((record) => ({ record, leafIndex: places.get(record.id.toLowerCase())! })));
      batches.set(root, { treeNo, members: records.length });
    });
  };

  const applyAnchor = async (e: Extract<LogEntry, { t: 'anchor' }>): Promise<void> => {
    if (!batches.has(e.root)) await applyBatch(e.root, e.ids);
    let waiting = batches.get(e.root);
    if (!waiting) return;
    await flush();
    if ('ids' in waiting) {
      const records = (await Promise.all(waiting.ids.map((id) => store.entry(id)))).map((x) => x!.record);
      const proofs = records.map((r) => (e.proofs === 'batchSignature' ? (r.batchSignature?.root === e.root ? r.batchSignature.proof : []) : (e.proofs[e.ids.indexOf(r.id)] ?? [])));
      problems.push(`The records of anchor batch ${e.root} do not rebuild its root; they keep the proofs the log gave them.`);
      await store.write(async (w) => {
        const treeNo = w.tree({ root: e.root.toLowerCase(), proofs });
        await w.anchorBatch(treeNo, records.map((record, i) => ({ record, leafIndex: i })));
        waiting = { treeNo, members: records.length };
      });
    }
    const { treeNo, members } = waiting as { treeNo: number; members: number };
    add((w) => w.anchored(treeNo, { batchId: e.batchId, block: e.block, tx: e.tx }));
    batches.delete(e.root);
    anchored += members; // records the log holds (a batch naming missing ones is listed in problems)
  };

  let bytesRead = 0;
  let count = 0;
  let lastProgress = 0;
  const lines = createInterface({ input: createReadStream(logPath), crlfDelay: Infinity });
  for await (const line of lines) {
    const lineBytes = Buffer.byteLength(line, 'utf8') + 1;
    if (tornTail && bytesRead + lineBytes > totalBytes) break; // written without its newline: never acknowledged
    let e: LogEntry;
    try {
      e = JSON.parse(line) as LogEntry;
    } catch {
      throw damagedFile(logPath, 'The old record log', `entry ${count + 1}, at byte ${bytesRead}, is not valid JSON`, OLD_LOG_REMEDY);
    }
    if (!holdable(e)) throw damagedFile(logPath, 'The old record log', `entry ${count + 1}, at byte ${bytesRead}, is not a valid entry`, OLD_LOG_REMEDY);
    bytesRead += lineBytes;
    count++;
    entries[e.t]++;
    switch (e.t) {
      case 'scope':
        add((w) => w.scope(e.patient, e.scope));
        break;
      case 'scopeKeys':
        add((w) => w.scopeKeys(e.scope));
        break;
      case 'scopeEnd':
        await flush(); // compares with the current scope as written
        add((w) => w.scopeEnd(e.patient, e.scopeId));
        break;
      case 'rec': {
        records++;
        const b = e.r.batchSignature;
        if (!b) {
          add((w) => void w.record(e.r, { vitals: e.r.kind === 'vitals' ? 'partial' : undefined }));
          break;
        }
        const key = `${b.root}|${b.count}|${b.createdAt}|${b.signature}`.toLowerCase();
        const open = openBatches.get(key) ?? { root: b.root, count: b.count, createdAt: b.createdAt, signature: b.signature, records: [] };
        openBatches.set(key, open);
        open.records.push(e.r);
        if (open.records.length >= b.count) closeBatch(key);
        break;
      }
      case 'vtag':
        add((w) => w.memosById(e.tags));
        break;
      case 'dev':
        add((w) => w.deviceKeys(e.keys));
        break;
      case 'batch':
        await applyBatch(e.root, e.ids);
        break;
      case 'anchor':
        await applyAnchor(e);
        break;
      case 'consent':
        add((w) => w.consent(e));
        break;
      case 'audit':
        add((w) => w.audit(e));
        break;
    }
    if (pending.length >= FLUSH_EVERY) await flush();
    if (bytesRead - lastProgress > 4 * 2 ** 20) {
      lastProgress = bytesRead;
      onProgress({ phase: 'copying', bytesRead, totalBytes, entries: count, records });
    }
  }
  for (const key of [...openBatches.keys()]) closeBatch(key);
  await flush();
  onProgress({ phase: 'copying', bytesRead: totalBytes, totalBytes, entries: count, records });
  return { source: logPath, sourceBytes: totalBytes, entries, records, anchoredRecords: anchored, ignoredTornTail: tornTail, problems, completedAt: Date.now() };
}

/** Every record in the store, with its anchor; the counts must be the log's. */
async function checkCounts(store: WardStore, report: MigrationReport, onProgress: (p: MigrationProgress) => void): Promise<void> {
  const counts = await store.counts();
  let records = 0;
  let anchored = 0;
  for await (const entries of store.allEntries()) {
    records += entries.length;
    anchored += entries.filter((e) => e.anchor).length;
    onProgress({ phase: 'checking', bytesRead: report.sourceBytes, totalBytes: report.sourceBytes, entries: records, records });
  }
  const mismatch = (what: string, inStore: number, inLog: number) => {
    if (inStore !== inLog) throw new WardError('INTEGRITY', `The migrated store has ${inStore} ${what} where the log has ${inLog}; the migration was undone and the log kept.`);
  };
  mismatch('records', counts.records, report.records);
  mismatch('record bodies', records, report.records);
  mismatch('anchored records', anchored, report.anchoredRecords);
  mismatch('access log entries', counts.activity, report.entries.audit + report.entries.consent);
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The fields the store keys by are well-formed (the log store accepted anything that parsed). */
function holdable(e: LogEntry): boolean {
  switch (e?.t) {
    case 'scope':
    case 'scopeEnd':
      return ADDRESS.test(e.patient);
    case 'rec':
      return HEX32.test(e.r?.id) && ADDRESS.test(e.r.patient) && HEX32.test(e.r.amends) && Number.isSafeInteger(e.r.createdAt) && e.r.createdAt >= 0;
    case 'vtag':
      return Array.isArray(e.tags) && e.tags.every(([id, tag]) => HEX32.test(id) && HEX32.test(tag));
    case 'dev':
      return Array.isArray(e.keys) && e.keys.every((k) => typeof k === 'string');
    case 'batch':
    case 'anchor':
      return HEX32.test(e.root) && Array.isArray(e.ids) && e.ids.every((id) => HEX32.test(id));
    case 'consent':
      return ADDRESS.test(e.patient) && ADDRESS.test(e.grantee) && Number.isSafeInteger(e.at) && e.at >= 0;
    case 'audit':
      return (e.patient === null || ADDRESS.test(e.patient)) && Number.isSafeInteger(e.at) && e.at >= 0;
    case 'scopeKeys':
      return typeof e.scope?.scopeId === 'string';
    default:
      return false;
  }
}

function lastByte(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, statSync(path).size - 1);
    return b[0]!;
  } finally {
    closeSync(fd);
  }
}
