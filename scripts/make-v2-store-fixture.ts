/**
 * Writes test/fixtures/v2-store-ward.tar.gz: a ward data directory written by the ward store as it
 * was before issue 12's byte cuts (main at 904656d): every record enqueued in the consortium
 * outbox as it was written (no outbox state), content sealed as canonical JSON, station batches
 * joined into a nurse's anchor tree. Run it from a checkout of that commit (it uses that commit's
 * code and test support): `npx tsx scripts/make-v2-store-fixture.ts /abs/path/v2-store-ward.tar.gz`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateVitals } from '../electron/core/clinical/vitals';
import { storePath, WardStore } from '../electron/core/storage/wardStore';
import { openInternals } from '../test/support/pipelineInternals';
import { staffedWard, startCore, tempDir } from '../test/support/tempCore';

const out = process.argv[2];
if (!out) throw new Error('usage: make-v2-store-fixture.ts OUT.tar.gz');
const root = tempDir('wardledger-v2-fixture-');
const dataDir = join(root, 'ward');
mkdirSync(dataDir);

const core = await startCore(dataDir);
const w = await staffedWard(core);
const patient = w.addresses.patient;
await w.callers.nurse.ok('ward/admit', { patient, bed: '3', responsibleDoctor: w.addresses.doctor });
for (const pulse of [71, 74, 77]) await w.callers.nurse.ok('records/addVitals', { patient, vitals: { pulse, spo2: 97, supplementalOxygen: false }, missingReason: 'Spot check' });
await w.callers.nurse.ok('records/addVitals', { patient, vitals: { respiratoryRate: 16, spo2: 96, supplementalOxygen: false, systolic: 124, pulse: 72, consciousness: 'A', temperature: { value: 36.8, unit: 'Cel' } } });
await core.stop();

// Station readings: one large batch waiting in its anchor window when a nurse saves (so it is
// anchored in the nurse's tree), and readings one at a time, gathered.
const g = await openInternals(dataDir, { anchorWindowMs: 3000 });
const reading = (i: number, serial: string) => {
  const v = validateVitals({ spo2: 94 + (i % 6), pulse: 60 + (i % 40) });
  if (!v.ok) throw new Error('bad sample');
  return { patient, content: { vitals: v.value, device: { driver: 'contec-cms50e', model: 'CMS50E', serial, deviceRecordId: String(i), receivedAt: new Date().toISOString() } }, authorName: `CMS50E ${serial}`, dedupeKey: `${serial}|${i}` };
};
const large = await Promise.all(Array.from({ length: 200 }, (_, i) => g.ingest.submit(reading(i, 'FIX-OX-1'))));
const nurse = await g.actor(w.people.nurse.name, w.people.nurse.password);
await g.writer.create(nurse, patient, 'note', { note: 'Settled overnight; observations reviewed.' });
const single = [];
for (let i = 0; i < 3; i++) single.push(await g.ingest.submit(reading(i, 'FIX-OX-2')));
await g.anchorQueue.flush();
await Promise.all([...large, ...single].map((a) => a.anchored));
await g.close();

const store = await WardStore.open(storePath(dataDir), { create: false });
const outbox = (await store.outbox({ limit: 10_000 })).map((o) => o.record.id);
const counts = await store.counts();
await store.close();
writeFileSync(join(root, 'expected.json'), JSON.stringify({ madeBy: '904656d', accounts: w.people, addresses: w.addresses, records: counts.records, outbox }, null, 1));
execFileSync('tar', ['-czf', out, '-C', root, 'ward', 'expected.json']);
console.log(`wrote ${out}: ${counts.records} records, ${outbox.length} in the outbox`);
