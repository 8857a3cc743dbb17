/**
 * Transfer of care between two running wards over the consortium (records/careTransfer.ts): two
 * real cores (each its own embedded ganache ward chain and record store) and anvil behind the
 * Besu proxy, 1 s blocks. Ward A writes records, some while the consortium is down; a nurse
 * transfers the patient to ward B while it is still down (queued, never an error); when the node is
 * back, A's sync publishes the waiting records with grants for B and the transfer sends the scope
 * grants, the note and share grants for what was published before. B's sync pulls them: the
 * incoming transfer names the patient, B admits them and reads A's whole history, each record
 * opened with the granted keys and badged "from" A, once. Admission registers the patient on B for
 * writing: B's nurse records vitals and its doctor a note, under B's own key scopes whose readers
 * are the patient (their key from the note) and B's care team. Nothing on the consortium chain
 * names the patient; a ward removed from the directory is refused.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeWard } from '../../../electron/core/consortium/admin';
import { wardCardFromDataDir } from '../../../electron/core/consortium/syncAccount';
import type { WardCore } from '../../../electron/core/shellContract';
import { startConsortium, type TestConsortium } from '../../support/consortiumChain';
import { newWard } from '../../support/consortiumFixtures';
import { observationContent } from '../../../electron/core/clinical/vitalsAssessment';
import type { CoreGraph } from '../../../electron/core/graph';
import { startGraphCore } from '../../support/graphCore';
import { removeDir, staffedWard, tempDir } from '../../support/tempCore';
import { joinConsortium } from '../../support/consortiumWards';
import { until } from '../../support/until';

const SLOW = 600_000;
const engine = { idleMs: 300, failureRetryMs: 300, pollMs: 100, requestTimeoutMs: 2000 };
const person = { name: 'Marguerite Okonkwo-Lindqvist', dob: '1951-03-17', hospitalNumber: 'HN7734021' };

describe('transfer of care between two wards over the consortium', () => {
  let c: TestConsortium;
  const dirs: string[] = [];
  let coreA: WardCore;
  /** Ward A's object graph: its station writes a monitor reading (a new key scope) after the transfer. */
  let graphA: CoreGraph;
  let coreB: WardCore;
  /** Ward B's object graph: the key scopes of the records it writes for the transferred patient. */
  let graphB: CoreGraph;
  let A: Awaited<ReturnType<typeof staffedWard>>;
  let B: Awaited<ReturnType<typeof staffedWard>>;
  let accountB: string;
  let patient: string;
  const written: string[] = [];

  beforeAll(async () => {
    c = await startConsortium({ blockTime: 1 });
    dirs.push(tempDir(), tempDir());
    ({ core: coreA, graph: graphA } = await startGraphCore(dirs[0]!, { consortiumEngine: engine }));
    ({ core: coreB, graph: graphB } = await startGraphCore(dirs[1]!, { consortiumEngine: engine }));
    A = await staffedWard(coreA, 'Ward 2 Medical');
    B = await staffedWard(coreB, 'Ward 9 Surgery');
    await joinConsortium(c, [[dirs[0]!, A], [dirs[1]!, B]]);
    accountB = wardCardFromDataDir(dirs[1]!).account;
  }, SLOW);
  afterAll(async () => {
    c?.proxy.setOffline(false);
    await coreA?.stop();
    await coreB?.stop();
    await c?.close();
    for (const d of dirs) removeDir(d);
  });

  it('queues a transfer made while the consortium is down, and B receives the whole history once, readable and verified', async () => {
    const nurseA = A.callers.nurse;
    const row = await nurseA.ok('ward/registerAndAdmit', { ...person, bed: '4', responsibleDoctor: A.addresses.doctor });
    patient = row.patient.address;
    for (let i = 0; i < 3; i++) written.push((await nurseA.ok('records/addVitals', { patient, vitals: { pulse: 70 + i, spo2: 97 }, missingReason: 'Spot check' })).id);
    const synced = (w: typeof A) => until(() => w.itAdmin.ok('consortium/syncNow', {}), (s) => s.queue === 0 && s.connection.status === 'online', 'the outbox to be published', 60_000);
    await synced(A);

    // The directory is kept while online (the transfer dialog works offline from it).
    await until(() => nurseA.ok('transfer/targets', {}), (t) => t.asOf !== null, 'the directory to be read');
    // The consortium goes down: records wait, the transfer is queued and says so.
    c.proxy.setOffline(true);
    for (let i = 0; i < 4; i++) written.push((await nurseA.ok('records/addVitals', { patient, vitals: { pulse: 90 + i, spo2: 94 }, missingReason: 'Spot check' })).id);
    expect((await A.itAdmin.ok('consortium/syncNow', {})).connection.status).toBe('offline');
    const targets = await nurseA.ok('transfer/targets', {});
    expect(targets.online).toBe(false);
    expect(targets.wards.map((w) => w.name)).toEqual(['Ward 9 Surgery']);
    const queued = await nurseA.ok('transfer/out', { patient, ward: accountB, reason: 'Needs surgical review of the abdomen' });
    expect(queued).toMatchObject({ status: 'queued', to: { name: 'Ward 9 Surgery' }, sharesGranted: 0 });
    expect(queued.message).toContain('will be sent when the consortium is reachable');
    // Audited on A's chain: who, to which ward.
    const log = await A.itAdmin.ok('audit/list', { patient });
    expect(JSON.stringify(log)).toContain('Transfer of care to Ward 9 Surgery');

    // Back online: the waiting records go out with grants for B, the transfer with its own.
    c.proxy.setOffline(false);
    expect(await synced(A)).toMatchObject({ queue: 0, held: [] });
    await until(() => nurseA.ok('transfer/outgoing', { patient }), (list) => list[0]?.status === 'sent', 'the queued transfer to be sent', 60_000);
    const sent = (await nurseA.ok('transfer/outgoing', { patient }))[0]!;
    expect(sent.sharesGranted).toBeGreaterThanOrEqual(1); // the share published before the transfer

    // B pulls; its care team sees the incoming transfer.
    const statusB = await B.itAdmin.ok('consortium/syncNow', {});
    expect(statusB.quarantine).toEqual([]);
    const nurseB = B.callers.nurse;
    // B's engine runs rounds of its own: a sync may end a round begun before A's last batch.
    const incoming = await until(async () => (await B.itAdmin.ok('consortium/syncNow', {}), nurseB.ok('transfer/incoming', {})), (l) => l[0]?.records === written.length, 'all of A\'s records on B', 60_000);
    expect(incoming).toHaveLength(1);
    expect(incoming[0]).toMatchObject({ patient, from: { name: 'Ward 2 Medical' }, ...person, reason: 'Needs surgical review of the abdomen', records: written.length, admittedAt: null });
    expect(incoming[0]!.scopes).toBeGreaterThanOrEqual(1);
    expect(incoming[0]!.by).toContain('Florence Nurse');

    // Before admission B's nurse may not read the patient; after it, the whole history.
    expect(await nurseB.fails('records/history', { patient })).toMatchObject({ code: 'FORBIDDEN' });
    const admitted = await nurseB.ok('transfer/admit', { patient, bed: '12', responsibleDoctor: B.addresses.doctor });
    expect(admitted).toMatchObject({ bed: '12', patient: { name: person.name, hospitalNumber: person.hospitalNumber } });
    expect(await nurseB.ok('transfer/incoming', {})).toEqual([]);
    const board = await nurseB.ok('ward/census', {});
    expect(JSON.stringify(board)).toContain(person.name);

    const history = await nurseB.ok('records/history', { patient });
    const ids = history.records.map((r) => r.id);
    expect([...ids].sort()).toEqual([...written].sort()); // every record, none twice
    for (const r of history.records) {
      expect(r.content, `record ${r.id} opened with the granted key`).not.toBeNull();
      expect(r.provenance.consortium).toMatchObject({ included: true, from: { name: 'Ward 2 Medical' } });
      expect(r.provenance.signatureValid).toBe(true);
    }
    const pulses = history.records.map((r) => (r.content as { vitals?: { pulse?: number } }).vitals?.pulse).sort();
    expect(pulses).toEqual([70, 71, 72, 90, 91, 92, 93]);

    // Admission on B is audited with the ward it came from.
    const auditB = await B.itAdmin.ok('audit/list', { patient });
    expect(JSON.stringify(auditB)).toContain('Admitted on transfer of care from Ward 2 Medical');

    // Registered on B at admission: B's nurse records vitals, its (responsible) doctor a note, in
    // the same history as A's records, under B's own key scope (not one of A's granted scopes),
    // whose readers are the patient's own key (from the transfer note) and B's care team.
    const vitalsB = await nurseB.ok('records/addVitals', { patient, vitals: { pulse: 101, spo2: 95 }, missingReason: 'Spot check' });
    const noteB = await B.callers.doctor.ok('records/addNote', { patient, text: 'Seen on Ward 9: for laparoscopy in the morning.' });
    const withB = await nurseB.ok('records/history', { patient });
    expect(withB.records.map((r) => r.id)).toEqual(expect.arrayContaining([vitalsB.id, noteB.id, ...written]));
    for (const mine of [vitalsB, noteB]) {
      const r = withB.records.find((x) => x.id === mine.id)!;
      expect(r.content).not.toBeNull();
      expect(r.provenance.consortium?.from ?? null).toBeNull(); // written here (B may have published it already), not received
      const stored = (await graphB.store.entry(r.id))!.record;
      const scope = (await graphB.store.scope(stored.cipher.scopeId))!;
      expect(scope, 'a scope of ward B\'s own store').toBeDefined();
      expect(scope.keys.recipients.map((k) => k.recipient).sort()).toEqual([(await graphA.patients.keyOf(patient)).publicKey, graphB.identity.wardConfig.team.publicKey].sort());
    }
    expect(withB.records.find((r) => r.id === noteB.id)!.author).toMatchObject({ name: 'Grace Hopper', role: 'doctor' });

    // A record written on A after the transfer reaches B with its batch's grant (standing recipient).
    const later = (await nurseA.ok('records/addVitals', { patient, vitals: { pulse: 77, spo2: 98 }, missingReason: 'Spot check' })).id;
    await synced(A);
    const again = await until(async () => (await B.itAdmin.ok('consortium/syncNow', {}), nurseB.ok('records/history', { patient })), (h) => h.records.length === written.length + 3, 'the later record on B', 60_000);
    expect(again.records.map((r) => r.id).sort()).toEqual([...written, later, vitalsB.id, noteB.id].sort());
    // A's staff are named as they signed, in their role (B's directory does not know them).
    expect(again.records.find((r) => r.id === later)!.author).toMatchObject({ name: 'Florence Nurse', role: 'nurse' });

    // A monitor reading on A opens a new station key scope after the transfer: it is granted to B's
    // team when it is made, so B reads the reading too.
    const at = new Date().toISOString();
    const device = { driver: 'contec-cms50e', model: 'CMS50E', serial: 'T-OX-1', deviceRecordId: '1', receivedAt: at };
    const { records: [reading] } = await graphA.stationWriter.ingest(graphA.station(), [
      { patient, authorName: 'CMS50E T-OX-1 (bed 4)', content: observationContent({ vitals: { spo2: 95, pulse: 88 } }, 1, { kind: 'device', measuredAt: at, device }) },
    ]);
    await synced(A);
    const withReading = await until(
      async () => (await B.itAdmin.ok('consortium/syncNow', {}), nurseB.ok('records/history', { patient })),
      (h) => h.records.some((r) => r.id === reading!.id && r.content !== null),
      'the monitor reading readable on B',
      60_000,
    );
    expect(withReading.records.find((r) => r.id === reading!.id)!.provenance.consortium).toMatchObject({ from: { name: 'Ward 2 Medical' } });
  }, SLOW);

  it('puts nothing that names the patient on the consortium chain, transfer grants included', async () => {
    const client = c.client(c.admin.privateKey, join(c.dir, 'admin'));
    const head = await client.blockNumber();
    const logs: Array<{ topics: string[]; data: string; transactionHash: string }> = [];
    for await (const page of client.logs({ address: [c.ledger, c.directory] }, 0, head)) logs.push(...page.logs);
    const inputs: string[] = [];
    for (const h of new Set(logs.map((l) => l.transactionHash))) inputs.push((await c.anvil.rpc<{ input: string }>('eth_getTransactionByHash', [h])).input);
    const haystack = Buffer.concat([...logs.flatMap((l) => [...l.topics, l.data]), ...inputs].map((h) => Buffer.from(h.replace(/^0x/, ''), 'hex')));
    const needles = [Buffer.from(patient.slice(2), 'hex'), ...[person.name, person.name.split(' ')[0]!, person.hospitalNumber, person.dob, 'surgical review'].map((s) => Buffer.from(s, 'utf8')), ...written.map((id) => Buffer.from(id.slice(2), 'hex'))];
    expect(logs.length).toBeGreaterThan(4);
    for (const n of needles) expect(haystack.indexOf(n), `found on chain: ${n.toString('hex')}`).toBe(-1);
  }, SLOW);

  it('refuses a transfer to a ward removed from the directory, with a clear error', async () => {
    const gone = newWard('Ward 3 Closed');
    await c.addWard(gone);
    expect((await A.callers.doctor.ok('transfer/targets', {})).wards.map((w) => w.name).sort()).toEqual(['Ward 3 Closed', 'Ward 9 Surgery']);
    await removeWard(c.client(c.admin.privateKey, join(c.dir, 'admin')), gone.sync.address);
    const err = await A.callers.nurse.fails('transfer/out', { patient, ward: gone.sync.address, reason: 'Bed available on Ward 3' });
    expect(err).toMatchObject({ code: 'CONFLICT' });
    expect(err.message).toContain('not a member of the hospital consortium');
    expect((await A.callers.nurse.ok('transfer/targets', {})).wards.map((w) => w.name)).toEqual(['Ward 9 Surgery']);

    // Queued offline to a ward the kept directory still lists, removed before the node is back:
    // the transfer is not sent, and says why.
    const later = newWard('Ward 4 Closing');
    await c.addWard(later);
    expect((await A.callers.nurse.ok('transfer/targets', {})).wards.map((w) => w.name)).toContain('Ward 4 Closing');
    await removeWard(c.client(c.admin.privateKey, join(c.dir, 'admin')), later.sync.address);
    c.proxy.setOffline(true);
    try {
      await until(() => A.itAdmin.ok('consortium/syncNow', {}), (s) => s.connection.status === 'offline', 'ward A offline');
      const queued = await A.callers.nurse.ok('transfer/out', { patient, ward: later.sync.address, reason: 'Step-down bed on Ward 4' });
      expect(queued.status).toBe('queued');
    } finally {
      c.proxy.setOffline(false);
    }
    const refused = await until(
      async () => (await A.itAdmin.ok('consortium/syncNow', {}), (await A.callers.nurse.ok('transfer/outgoing', { patient })).find((t) => t.to.name === 'Ward 4 Closing')!),
      (t) => t.status !== 'queued',
      'the queued transfer to be settled',
      60_000,
    );
    expect(refused).toMatchObject({ status: 'failed', message: expect.stringContaining('no longer a member of the hospital consortium') });
    // Its patient is no standing recipient for that ward: the transfer to Ward 9 Surgery stands alone.
    expect((await A.callers.nurse.ok('transfer/outgoing', { patient })).filter((t) => t.status === 'sent').map((t) => t.to.name)).toEqual(['Ward 9 Surgery']);
    // The outgoing transfers are shown only to those who may read the patient.
    expect(await A.callers.otherDoctor.ok('transfer/outgoing', { patient })).toEqual([]);
  }, SLOW);
});
