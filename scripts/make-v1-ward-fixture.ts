/**
 * Makes test/fixtures/v1-ward.tar.gz: a data directory written by WardLedger with the log-based
 * record store (records/log.jsonl, before issue 12 phase B), and beside it what that store replays
 * from it (expected.json), so the migration can be tested against a ward the old version really
 * wrote — chain, keystores, profiles and log — long after the old store's code is gone.
 *
 * Run at the commit that adds it (the old store's last commit): `npx tsx scripts/make-v1-ward-fixture.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateVitals } from '../electron/core/clinical/vitals';
import { dedupeKey } from '../electron/core/devices/pendingReadings';
import { RecordStore } from '../electron/core/records/recordStore';
import { StationIngestQueue } from '../electron/core/records/stationIngestQueue';
import { openInternals } from '../test/support/pipelineInternals';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../test/support/tempCore';

const vitals = { respiratoryRate: 16, spo2: 96, supplementalOxygen: false, systolic: 122, diastolic: 78, pulse: 74, consciousness: 'A', temperature: { value: 37.1, unit: 'Cel' } } as const;
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'test', 'fixtures', 'v1-ward.tar.gz');

async function main(): Promise<void> {
  const dir = tempDir('wardledger-v1-');
  const ward = join(dir, 'ward');
  mkdirSync(ward);
  let core = await startCore(ward);
  const w = await staffedWard(core);
  const { callers, addresses, anon, itAdmin } = w;
  // A second patient, admitted too (two patients' histories interleave in the log).
  const second = { role: 'patient', name: 'Sam Second', age: 58, password: 'second-password' } as const;
  const reg = await anon.ok('identity/register', second);
  if (reg.status === 'pending') await itAdmin.ok('admin/approve', { address: reg.address });
  const secondCaller = new Caller(core);
  await secondCaller.login(second.name, second.password);

  await callers.nurse.ok('ward/admit', { patient: addresses.patient, bed: '3', responsibleDoctor: addresses.doctor });
  await callers.nurse.ok('ward/admit', { patient: reg.address, bed: '4', responsibleDoctor: addresses.doctor });
  const first = await callers.nurse.ok('records/addVitals', { patient: addresses.patient, vitals });
  await Promise.all([1, 2, 3].map((i) => callers.nurse.ok('records/addVitals', { patient: addresses.patient, vitals: { ...vitals, pulse: 70 + i } })));
  await callers.nurse.ok('records/addVitals', { patient: reg.address, vitals: { ...vitals, respiratoryRate: 22, spo2: 93 } });
  await callers.doctor.ok('records/addNote', { patient: addresses.patient, text: 'Settled overnight.' });
  await callers.doctor.ok('records/addDiagnosis', { patient: reg.address, text: 'Community-acquired pneumonia', code: 'J18.9' });
  await callers.doctor.ok('records/amend', { recordId: first.id, reason: 'Wrong pulse typed', vitals: { ...vitals, pulse: 64 } });
  await callers.patient.ok('consent/grant', { grantee: addresses.insurer });
  await callers.doctor.ok('records/history', { patient: addresses.patient });
  await callers.patient.ok('consent/revoke', { grantee: addresses.insurer });
  await secondCaller.ok('consent/grant', { grantee: addresses.otherDoctor });
  await callers.otherDoctor.ok('records/history', { patient: reg.address });
  await core.stop();

  // Station readings through the core's own pipeline: one large batch, then small concurrent ones
  // (so some anchor trees are the signature tree and some mix several); a nurse-assigned device
  // reading with its dedupe key.
  const internals = await openInternals(ward);
  const queue = new StationIngestQueue(internals.stationWriter, () => internals.stationWallet, 150);
  const reading = (i: number, patient: string) => {
    const v = validateVitals({ spo2: 90 + (i % 10), pulse: 60 + (i % 40) });
    if (!v.ok) throw new Error('bad sample');
    return queue.submit({
      patient,
      content: { vitals: v.value, device: { driver: 'contec-cms50e', model: 'CMS50E', serial: 'SIM-OX-1', deviceRecordId: String(i), receivedAt: new Date().toISOString() } },
      authorName: 'CMS50E SIM-OX-1',
      dedupeKey: dedupeKey('SIM-OX-1', String(i)),
    });
  };
  await Promise.all(Array.from({ length: 400 }, (_, i) => reading(i, i % 5 === 0 ? reg.address : addresses.patient)));
  const nurse = await internals.actor(w.people.nurse.name, w.people.nurse.password);
  const v = validateVitals({ systolic: 131, diastolic: 84, pulse: 77 });
  if (!v.ok) throw new Error('bad sample');
  await internals.writer.create(nurse, addresses.patient, 'vitals', { vitals: v.value, device: { driver: 'omron-hem790it', model: 'HEM-790IT', serial: 'SIM-BP-1', deviceRecordId: '17', receivedAt: new Date().toISOString() } }, { dedupeKey: dedupeKey('SIM-BP-1', '17') });
  await internals.close();

  // A second open after a restart (more audits and memos), then stopped for good.
  core = await startCore(ward);
  const again = new Caller(core);
  await again.login(w.people.doctor.name, w.people.doctor.password);
  await again.ok('records/history', { patient: addresses.patient });
  await core.stop();

  // What the old store replays from it.
  const old = new RecordStore(ward);
  old.open();
  const expected = {
    madeBy: 'scripts/make-v1-ward-fixture.ts with the log-based RecordStore',
    accounts: { ...w.people, second },
    addresses: { ...addresses, second: reg.address },
    records: [...old.records.values()],
    anchors: Object.fromEntries(old.anchors),
    byPatient: Object.fromEntries(old.byPatient),
    amendedBy: Object.fromEntries(old.amendedBy),
    scopes: Object.fromEntries(old.scopes),
    currentScope: Object.fromEntries(old.currentScope),
    scopesOfPatient: Object.fromEntries(old.scopesOfPatient),
    consents: old.consents,
    audits: old.audits,
    deviceKeys: [...old.deviceKeys],
    teamTags: Object.fromEntries(old.teamTags),
  };
  old.close();
  writeFileSync(join(dir, 'expected.json'), JSON.stringify(expected));
  execFileSync('tar', ['-czf', out, '-C', dir, '--owner=0', '--group=0', 'ward', 'expected.json']);
  removeDir(dir);
  process.stdout.write(`${out}: ${expected.records.length} records\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
