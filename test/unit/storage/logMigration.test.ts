/**
 * Migration edge cases, on logs written as the log store wrote them (test/support/oldLogStore.ts):
 * a torn last line, a damaged line, a station batch only partly in the log, a record altered in the
 * log after it was signed, and a batch written before its anchor transaction.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { verifyInclusion } from '../../../electron/core/crypto/merkle';
import { leafOf } from '../../../electron/core/storage/storedRecord';
import { OldLogStore } from '../../support/oldLogStore';
import { migrateLog } from '../../../electron/core/storage/logMigration';
import { storePath, WardStore } from '../../../electron/core/storage/wardStore';
import { makeWard, nurseRecord, nurseVitals, scopeOf, stationBatch } from '../../support/realRecords';
import { removeDir, tempDir } from '../../support/tempCore';

const T0 = Date.UTC(2026, 10, 1);

describe('log migration edge cases', () => {
  const dirs: string[] = [];
  beforeAll(() => useFastKeccak());
  afterEach(() => dirs.splice(0).forEach(removeDir));

  /** A data directory whose log holds a scope, nurse records and one station batch of `n`, anchored whole. */
  async function writtenLog(n = 20) {
    const dir = tempDir('wardledger-migrate-');
    dirs.push(dir);
    const ward = makeWard(2);
    const old = new OldLogStore(dir);
    old.open();
    const [a, b] = [ward.patients[0]!, ward.patients[1]!];
    await old.append({ t: 'scope', patient: a.address, scope: scopeOf(ward, a).scope }, { t: 'scope', patient: b.address, scope: scopeOf(ward, b).scope });
    const nurse = nurseRecord(ward, a, nurseVitals(1), { createdAt: T0 });
    await old.append({ t: 'rec', r: nurse });
    const batch = stationBatch(ward, Array.from({ length: n }, (_, i) => ({ patient: i % 2 ? b : a, at: T0 + 1000 * i, i })));
    await old.append(...batch.records.map((r) => ({ t: 'rec' as const, r })));
    await old.append({ t: 'batch', root: batch.batch.root, ids: batch.records.map((r) => r.id) });
    await old.append({ t: 'anchor', root: batch.batch.root, batchId: 1, block: 9, tx: '0x' + '12'.repeat(32), ids: batch.records.map((r) => r.id), proofs: 'batchSignature' });
    old.close();
    return { dir, ward, nurse, batch, log: join(dir, 'records', 'log.jsonl') };
  }

  /** What the log store replays from the same log. */
  function replayed(dir: string): OldLogStore {
    const old = new OldLogStore(dir);
    old.open();
    old.close();
    return old;
  }

  it('ignores a torn last line as the log store does, and migrates the rest', async () => {
    const { dir, log, batch } = await writtenLog();
    appendFileSync(log, '{"t":"rec","r":{"id":"0x12'); // a crash mid-write
    const report = await migrateLog(log, storePath(dir));
    expect(report.ignoredTornTail).toBe(true);
    expect(report.records).toBe(21);
    const store = await WardStore.open(storePath(dir), { create: false });
    const e = (await store.entry(batch.records[5]!.id))!;
    expect(e.anchor).toMatchObject({ root: batch.batch.root, batchId: 1, block: 9 });
    expect(verifyInclusion(e.anchor!.root, leafOf(e.record), e.anchor!.proof)).toBe(true);
    await store.close();
  });

  it('refuses a log damaged in the middle (unreadable, or a record id that is not one), names the byte, and leaves no store behind', async () => {
    const { dir, log } = await writtenLog();
    const original = readFileSync(log, 'utf8');
    const lines = original.split('\n');
    const offset = lines.slice(0, 2).join('\n').length + 1;
    for (const damage of [(l: string) => '#' + l.slice(1), (l: string) => l.replace(/"id":"0x[0-9a-f]{4}/, '"id":"0xzzzz')]) {
      writeFileSync(log, [...lines.slice(0, 2), damage(lines[2]!), ...lines.slice(3)].join('\n'));
      await expect(migrateLog(log, storePath(dir))).rejects.toMatchObject({ code: 'INTEGRITY', message: expect.stringContaining(`byte ${offset}`) });
      expect(existsSync(storePath(dir))).toBe(false);
      expect(existsSync(`${storePath(dir)}.migrating`)).toBe(false);
    }
  });

  it('keeps the proofs of a station batch only partly in the log, and of records altered after signing, so they verify or fail exactly as before', async () => {
    const dir = tempDir('wardledger-migrate-');
    dirs.push(dir);
    const ward = makeWard(1);
    const p = ward.patients[0]!;
    const old = new OldLogStore(dir);
    old.open();
    await old.append({ t: 'scope', patient: p.address, scope: scopeOf(ward, p).scope });
    // A crash after 3 of 8 records of a batch reached the log; after the restart they were anchored in a tree of their own.
    const partial = stationBatch(ward, Array.from({ length: 8 }, (_, i) => ({ patient: p, at: T0 + i, i })));
    const kept = partial.records.slice(0, 3);
    await old.append(...kept.map((r) => ({ t: 'rec' as const, r })));
    const { buildBatch } = await import('../../../electron/core/crypto/merkle');
    const resumed = buildBatch(kept.map(leafOf));
    await old.append({ t: 'batch', root: resumed.root, ids: kept.map((r) => r.id) });
    await old.append({ t: 'anchor', root: resumed.root, batchId: 2, block: 3, tx: '0x' + '34'.repeat(32), ids: kept.map((r) => r.id), proofs: kept.map((r) => resumed.proofs.get(r.id)!) });
    // A whole batch, one record of which is altered in the log (its creation time) after signing and anchoring.
    const whole = stationBatch(ward, Array.from({ length: 6 }, (_, i) => ({ patient: p, at: T0 + 100 + i, i })));
    const altered = { ...whole.records[2]!, createdAt: whole.records[2]!.createdAt + 1 };
    const logged = whole.records.map((r, i) => (i === 2 ? altered : r));
    await old.append(...logged.map((r) => ({ t: 'rec' as const, r })));
    await old.append({ t: 'batch', root: whole.batch.root, ids: logged.map((r) => r.id) });
    await old.append({ t: 'anchor', root: whole.batch.root, batchId: 3, block: 4, tx: '0x' + '56'.repeat(32), ids: logged.map((r) => r.id), proofs: 'batchSignature' });
    // And a batch whose anchor transaction never made it to the log.
    const waiting = nurseRecord(ward, p, nurseVitals(1), { createdAt: T0 + 500 });
    await old.append({ t: 'rec', r: waiting }, { t: 'batch', root: buildBatch([leafOf(waiting)]).root, ids: [waiting.id] });
    old.close();

    const report = await migrateLog(join(dir, 'records', 'log.jsonl'), storePath(dir));
    expect(report.problems).toHaveLength(3); // the partial batch, the altered batch's signature tree and its anchor tree
    const before = replayed(dir);
    const store = await WardStore.open(storePath(dir), { create: false });
    try {
      for (const [id, r] of before.records) {
        const e = (await store.entry(id))!;
        expect(e.record).toEqual(r);
        expect(e.anchor).toEqual(before.anchors.get(id));
        const inclusion = verifyInclusion(r.batchSignature?.root ?? '0x', leafOf(e.record), e.record.batchSignature?.proof ?? []);
        const inclusionBefore = verifyInclusion(r.batchSignature?.root ?? '0x', leafOf(r), r.batchSignature?.proof ?? []);
        expect(inclusion).toBe(inclusionBefore);
      }
      expect(verifyInclusion(whole.batch.root, leafOf(altered), (await store.entry(altered.id))!.record.batchSignature!.proof)).toBe(false);
      const pending = await store.awaitingAnchor();
      expect(pending.map((b) => b.records.map((r) => r.id))).toEqual([[waiting.id]]);
    } finally {
      await store.close();
    }
  });
});
