/**
 * A patient shares their record with one clinician of another ward (records/crossWardShares.ts),
 * the same way a transfer of care goes: two real cores (each its own embedded ganache ward chain and
 * record store) and anvil behind the Besu proxy, 1 s blocks.
 *
 * Ward B's IT lists its doctor in the consortium directory (the name patients choose them by).
 * On ward A the patient picks that doctor by name and ward and shares: audited on A's chain, the
 * patient's scopes re-wrapped for the doctor's key and published as grants. On B that doctor sees
 * "shared with you from Ward 2 Medical" and opens every record, verified and badged "from" A; no
 * one else on B can open them, and the doctor cannot write there. Records A writes later reach the
 * doctor (standing recipient) until the patient revokes; what was granted before stays readable.
 * Scopes made while A's consortium link was down are granted when the engine starts again (keys
 * the workstation holds) or at a reader's next login. Nothing on the consortium chain names or
 * links the patient.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wardCardFromDataDir } from '../../../electron/core/consortium/syncAccount';
import { observationContent } from '../../../electron/core/clinical/vitalsAssessment';
import type { CoreGraph } from '../../../electron/core/graph';
import type { WardCore } from '../../../electron/core/shellContract';
import { startConsortium, type TestConsortium } from '../../support/consortiumChain';
import { startGraphCore } from '../../support/graphCore';
import { removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';
import { consortiumSettings, joinConsortium } from '../../support/consortiumWards';
import { until } from '../../support/until';

const SLOW = 600_000;
const engine = { idleMs: 300, failureRetryMs: 300, pollMs: 100, requestTimeoutMs: 2000 };

describe("a patient shares with a clinician of another ward over the consortium", () => {
  let c: TestConsortium;
  const dirs: string[] = [];
  let coreA: WardCore;
  let graphA: CoreGraph;
  let coreB: WardCore;
  let A: Awaited<ReturnType<typeof staffedWard>>;
  let B: Awaited<ReturnType<typeof staffedWard>>;
  let patient: string;
  const written: string[] = [];
  const settings = () => consortiumSettings(c);
  const syncedA = () => until(() => A.itAdmin.ok('consortium/syncNow', {}), (s) => s.queue === 0 && s.connection.status === 'online', 'A\'s outbox to be published', 60_000);
  /** B pulls until the doctor's history satisfies `ok`. */
  const onB = (ok: (ids: Map<string, boolean>) => boolean, what: string) =>
    until(
      async () => {
        await B.itAdmin.ok('consortium/syncNow', {});
        const h = await B.callers.doctor.ok('records/history', { patient });
        return new Map(h.records.map((r) => [r.id, r.content !== null]));
      },
      ok,
      what,
      60_000,
    );

  beforeAll(async () => {
    c = await startConsortium({ blockTime: 1 });
    dirs.push(tempDir(), tempDir());
    ({ core: coreA, graph: graphA } = await startGraphCore(dirs[0]!, { consortiumEngine: engine }));
    coreB = await startCore(dirs[1]!, { consortiumEngine: engine });
    A = await staffedWard(coreA, 'Ward 2 Medical');
    B = await staffedWard(coreB, 'Ward 9 Surgery');
    await joinConsortium(c, [[dirs[0]!, A], [dirs[1]!, B]]);
    patient = A.addresses.patient;
    await A.callers.nurse.ok('ward/admit', { patient, bed: '3', responsibleDoctor: A.addresses.doctor });
    for (let i = 0; i < 3; i++) written.push((await A.callers.nurse.ok('records/addVitals', { patient, vitals: { pulse: 80 + i, spo2: 96 }, missingReason: 'Spot check' })).id);
    await syncedA();
  }, SLOW);
  afterAll(async () => {
    c?.proxy.setOffline(false);
    await coreA?.stop();
    await coreB?.stop();
    await c?.close();
    for (const d of dirs) removeDir(d);
  });

  it('lists a ward\'s clinician in the directory by name (IT), and refuses what is not theirs to list', async () => {
    const before = await B.itAdmin.ok('consortium/people', {});
    expect(before.online).toBe(true);
    expect(before.staff.map((s) => [s.name, s.role, s.inDirectory])).toEqual([
      ['Florence Nurse', 'nurse', false],
      ['Grace Hopper', 'doctor', false],
      ['Other Doctor', 'doctor', false],
    ]);
    const after = await B.itAdmin.ok('consortium/addPerson', { person: B.addresses.doctor });
    expect(after.staff.find((s) => s.name === 'Grace Hopper')!.inDirectory).toBe(true);
    // Listed once: a second registration is refused with a clear error.
    expect(await B.itAdmin.fails('consortium/addPerson', { person: B.addresses.doctor })).toMatchObject({ code: 'CONFLICT' });
    // A patient or an insurer is never put in the directory.
    expect(await B.itAdmin.fails('consortium/addPerson', { person: B.addresses.patient })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await B.callers.doctor.fails('consortium/addPerson', { person: B.addresses.doctor })).toMatchObject({ code: 'FORBIDDEN' });
  }, SLOW);

  it('shares the patient\'s record with that clinician alone, verified and badged from the patient\'s ward', async () => {
    const pat = A.callers.patient;
    const people = await pat.ok('share/people', {});
    expect(people.online).toBe(true);
    // The patient's own ward's people are not offered (they share with them the usual way).
    expect(people.people.map((p) => [p.name, p.ward.name])).toEqual([['Grace Hopper (doctor)', 'Ward 9 Surgery']]);
    const shared = await pat.ok('share/out', { person: people.people[0]!.publicKey });
    expect(shared).toMatchObject({ status: 'sent', person: { name: 'Grace Hopper (doctor)' }, ward: { name: 'Ward 9 Surgery' } });
    expect(await pat.fails('share/out', { person: people.people[0]!.publicKey })).toMatchObject({ code: 'CONFLICT' });
    // Audited on the patient's ward chain; it is not a transfer of care.
    expect(JSON.stringify(await A.itAdmin.ok('audit/list', { patient }))).toContain('Shared by the patient with Grace Hopper (doctor), Ward 9 Surgery');
    expect(await A.callers.nurse.ok('transfer/outgoing', { patient })).toEqual([]);
    // Staff cannot share on the patient's behalf.
    expect(await A.callers.nurse.fails('share/out', { person: people.people[0]!.publicKey })).toMatchObject({ code: 'FORBIDDEN' });

    const doctorB = B.callers.doctor;
    const list = await until(async () => (await B.itAdmin.ok('consortium/syncNow', {}), doctorB.ok('share/withMe', {})), (l) => l[0]?.records === written.length, 'the shared records on B', 60_000);
    expect(list).toEqual([expect.objectContaining({ patient, name: 'Pat Patient', from: { account: wardCardFromDataDir(dirs[0]!).account, name: 'Ward 2 Medical' }, records: written.length })]);
    const history = await doctorB.ok('records/history', { patient });
    expect(history.patient.name).toBe('Pat Patient');
    // The record page is told the record is read-only here, and why (it hides its write actions).
    expect(history.readOnly).toMatch(/shared with you from another ward to read/);
    expect(history.records.map((r) => r.id).sort()).toEqual([...written].sort());
    for (const r of history.records) {
      expect(r.content, `record ${r.id} opened with the doctor's own key`).not.toBeNull();
      expect(r.provenance.consortium).toMatchObject({ included: true, from: { name: 'Ward 2 Medical' } });
      expect(r.provenance.signatureValid).toBe(true);
    }

    // No one else on ward B: another doctor, the nurse (care team) — not listed, not readable.
    expect(await B.callers.otherDoctor.ok('share/withMe', {})).toEqual([]);
    expect(await B.callers.otherDoctor.fails('records/history', { patient })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await B.callers.nurse.fails('records/history', { patient })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await B.callers.nurse.ok('share/withMe', {})).toEqual([]);
    // A share is no transfer of care: the care team has nothing incoming to admit.
    expect(await B.callers.nurse.ok('transfer/incoming', {})).toEqual([]);
    // Read-only on B: the doctor cannot write records for a patient of another ward.
    const write = await doctorB.fails('records/addVitals', { patient, vitals: { pulse: 70, spo2: 99 }, missingReason: 'Spot check' });
    expect(write).toMatchObject({ code: 'FORBIDDEN' });
    expect(write.message).toContain('shared with you from another ward');
  }, SLOW);

  it('grants later records (standing recipient), and scopes made while the consortium link was down once it is back', async () => {
    // A record written later reaches the doctor with its batch's grant.
    const later = (await A.callers.nurse.ok('records/addVitals', { patient, vitals: { pulse: 77, spo2: 98 }, missingReason: 'Spot check' })).id;
    await syncedA();
    await onB((ids) => ids.get(later) === true, 'the later record readable on B');

    // The link goes down (settings unreadable, engine stopped): a monitor reading opens a new
    // station scope that nothing can seal for the doctor then.
    const reading = async (spo2: number, serial: string) => {
      const at = new Date().toISOString();
      const device = { driver: 'contec-cms50e', model: 'CMS50E', serial, deviceRecordId: String(spo2), receivedAt: at };
      const { records } = await graphA.stationWriter.ingest(graphA.station(), [
        { patient, authorName: `CMS50E ${serial} (bed 3)`, content: observationContent({ vitals: { spo2, pulse: 88 } }, 1, { kind: 'device', measuredAt: at, device }) },
      ]);
      return records[0]!.id;
    };
    await graphA.consortium.stop();
    const first = await reading(95, 'S-1');
    // Back: the engine's start grants it with the scope key the workstation still holds.
    await A.itAdmin.ok('consortium/configure', settings());
    await syncedA();
    await onB((ids) => ids.get(first) === true, 'the reading made while the link was down readable on B');

    // Down again, and the workstation's keys dropped too (as after a restart): the engine's start
    // cannot open the new scope; the record arrives but stays closed until a reader logs in.
    await graphA.consortium.stop();
    graphA.keyring.closeAll();
    const second = await reading(93, 'S-2');
    graphA.keyring.closeAll();
    await A.itAdmin.ok('consortium/configure', settings());
    await syncedA();
    await onB((ids) => ids.get(second) === false, 'the second reading on B, not yet readable');
    await A.callers.nurse.ok('session/lock', {});
    await A.callers.nurse.ok('session/unlock', { password: A.people.nurse.password });
    await onB((ids) => ids.get(second) === true, 'the second reading readable on B after a reader\'s login on A');
  }, SLOW);

  it('revokes going forward: nothing new reaches the doctor, what was granted stays readable, and the patient is told so', async () => {
    const pat = A.callers.patient;
    const [share] = await pat.ok('share/list', {});
    const { share: stopped, notice } = await pat.ok('share/revoke', { id: share!.id });
    expect(stopped.status).toBe('revoked');
    expect(notice).toContain('will receive nothing new');
    expect(notice).toContain('stays readable');
    expect(JSON.stringify(await A.itAdmin.ok('audit/list', { patient }))).toContain('The patient stopped sharing with Grace Hopper (doctor)');
    expect(await pat.fails('share/revoke', { id: share!.id })).toMatchObject({ code: 'CONFLICT' });

    const before = await B.callers.doctor.ok('records/history', { patient });
    const after = (await A.callers.nurse.ok('records/addVitals', { patient, vitals: { pulse: 66, spo2: 99 }, missingReason: 'Spot check' })).id;
    await syncedA();
    // B keeps pulling; the new record's batch carries no grant for the doctor, so it never arrives.
    for (let i = 0; i < 3; i++) await B.itAdmin.ok('consortium/syncNow', {});
    const now = await B.callers.doctor.ok('records/history', { patient });
    expect(now.records.map((r) => r.id)).not.toContain(after);
    expect(now.records.map((r) => r.id).sort()).toEqual(before.records.map((r) => r.id).sort());
    expect(now.records.every((r) => r.content !== null)).toBe(true);
  }, SLOW);

  it('stops a standing share when the clinician\'s ward withdraws them from the directory, and tells the patient', async () => {
    const pat = A.callers.patient;
    const [doctor] = (await pat.ok('share/people', {})).people;
    const again = await pat.ok('share/out', { person: doctor!.publicKey }); // shared anew after the revoke
    expect(again.status).toBe('sent');
    await B.itAdmin.ok('consortium/removePerson', { person: B.addresses.doctor });
    expect((await pat.ok('share/people', {})).people).toEqual([]);
    await A.callers.nurse.ok('records/addVitals', { patient, vitals: { pulse: 64, spo2: 99 }, missingReason: 'Spot check' });
    await syncedA();
    const stopped = await until(async () => (await A.itAdmin.ok('consortium/syncNow', {}), (await pat.ok('share/list', {})).find((x) => x.id === again.id)!), (x) => x.status === 'failed', 'the share to be stopped', 60_000);
    expect(stopped.message).toContain('no longer in the hospital directory');
    expect(stopped.message).toContain('stays readable');
    // The record published before A noticed carried a grant; nothing later does.
    const later = (await A.callers.nurse.ok('records/addVitals', { patient, vitals: { pulse: 63, spo2: 99 }, missingReason: 'Spot check' })).id;
    await syncedA();
    for (let i = 0; i < 3; i++) await B.itAdmin.ok('consortium/syncNow', {});
    const ids = (await B.callers.doctor.ok('records/history', { patient })).records.map((r) => r.id);
    expect(ids).not.toContain(later);
  }, SLOW);

  it('puts nothing on the consortium chain that names or links the patient, the share\'s grants included', async () => {
    const client = c.client(c.admin.privateKey, join(c.dir, 'admin'));
    const head = await client.blockNumber();
    const logs: Array<{ topics: string[]; data: string; transactionHash: string }> = [];
    for await (const page of client.logs({ address: [c.ledger, c.directory] }, 0, head)) logs.push(...page.logs);
    const inputs: string[] = [];
    for (const h of new Set(logs.map((l) => l.transactionHash))) inputs.push((await c.anvil.rpc<{ input: string }>('eth_getTransactionByHash', [h])).input);
    const haystack = Buffer.concat([...logs.flatMap((l) => [...l.topics, l.data]), ...inputs].map((h) => Buffer.from(h.replace(/^0x/, ''), 'hex')));
    const history = await A.callers.patient.ok('records/history', { patient });
    const needles = [
      Buffer.from(patient.slice(2), 'hex'),
      Buffer.from('Pat Patient', 'utf8'),
      Buffer.from('Shared by the patient', 'utf8'),
      ...history.records.map((r) => Buffer.from(r.id.slice(2), 'hex')),
    ];
    expect(logs.length).toBeGreaterThan(4);
    for (const n of needles) expect(haystack.indexOf(n), `found on chain: ${n.toString('hex')}`).toBe(-1);
    // The clinician is in the directory by the name their ward published (staff, not patient, data).
    expect(haystack.indexOf(Buffer.from('Grace Hopper (doctor)', 'utf8'))).toBeGreaterThan(-1);
  }, SLOW);
});
