/**
 * Issue 9 item 5: edits of the local store go unnoticed, though the ward chain holds what is needed
 * to notice them. Each attack of the issue, translated to the ward store (test/support/storeTampering.ts),
 * is made on a stopped ward; at the restart the check against the chain (records/chainCheck.ts)
 * must name it, and what the app enforces and shows must be the chain's:
 *  - a record's keys deleted, and the tail cut (records after some point gone, member lists too);
 *  - a record copied under a second key (it appeared twice);
 *  - a revoke moved above its grant (the revoked insurer read again);
 *  - audit entries deleted (reads vanished from the patient's access log).
 * The ward: a first start checks and leaves a checkpoint; everything tampered with was written
 * after it, except where a test says so. Real ganache, real store, one copy of the ward per test.
 */
import { cpSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WardContracts } from '../../../electron/core/chain/wardContracts';
import { RESTORED_REASON } from '../../../electron/core/records/auditTrail';
import { ChainCheck } from '../../../electron/core/records/chainCheck';
import type { WardCore } from '../../../electron/core/shellContract';
import { openInternals, type PipelineInternals } from '../../support/pipelineInternals';
import { deleteAudits, deleteRecords, duplicateRecord, moveRevokeAboveGrant } from '../../support/storeTampering';
import { admin, Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

type Ward = Awaited<ReturnType<typeof staffedWard>>;

describe('the store is checked against the ward chain at start and when a patient is opened', () => {
  const dirs: string[] = [];
  let fixture: string;
  let people: Ward['people'];
  let addresses: Ward['addresses'];
  /** The patient's records, oldest first; the first one was written before the checkpoint. */
  const ids: string[] = [];
  let readsByDoctor = 0;
  let core: WardCore | null = null;

  const login = async (c: WardCore, who: keyof Ward['people']) => {
    const caller = new Caller(c);
    await caller.login(people[who].name, people[who].password);
    return caller;
  };
  /** A copy of the stopped ward, altered by `tamper`, started again. */
  const tamperedWard = async (tamper: (dir: string) => Promise<unknown>) => {
    const dir = tempDir();
    dirs.push(dir);
    cpSync(fixture, dir, { recursive: true });
    await tamper(dir);
    core = await startCore(dir);
    const itAdmin = new Caller(core);
    await itAdmin.login(admin.name, admin.password);
    return { core, itAdmin, status: async () => (await itAdmin.ok('admin/storeStatus', {})).chainCheck! };
  };

  /**
   * A copy of the stopped ward with its first record (written before the checkpoint: only the
   * sweep reaches its batch) deleted, opened without starting, for a ChainCheck made by the test.
   */
  const withOldRecordDeleted = async (body: (g: PipelineInternals, checkOf: (contracts: WardContracts, sweepBudgetMs?: number) => ChainCheck) => Promise<void>) => {
    const dir = tempDir();
    dirs.push(dir);
    cpSync(fixture, dir, { recursive: true });
    await deleteRecords(dir, [ids[0]!]);
    const g = await openInternals(dir);
    try {
      await body(g, (contracts, sweepBudgetMs) => new ChainCheck(() => g.store, () => contracts, g.identity, g.patients, () => g.station().privateKey, sweepBudgetMs));
    } finally {
      await g.close();
    }
  };

  beforeAll(async () => {
    fixture = tempDir();
    let c = await startCore(fixture);
    const w = await staffedWard(c);
    people = w.people;
    addresses = w.addresses;
    await w.callers.nurse.ok('ward/admit', { patient: addresses.patient, bed: '4', responsibleDoctor: addresses.doctor });
    const vitals = (pulse: number) => ({ patient: addresses.patient, vitals: { pulse, supplementalOxygen: false }, missingReason: 'Spot check' });
    ids.push((await w.callers.nurse.ok('records/addVitals', vitals(71))).id);
    await c.stop();
    // The restart checks the store and leaves its checkpoint: what follows is checked incrementally.
    c = await startCore(fixture);
    const nurse = await login(c, 'nurse');
    for (const pulse of [72, 73, 74]) ids.push((await nurse.ok('records/addVitals', vitals(pulse))).id);
    const patient = await login(c, 'patient');
    await patient.ok('consent/grant', { grantee: addresses.insurer });
    expect((await (await login(c, 'insurer')).ok('records/history', { patient: addresses.patient })).records).toHaveLength(4);
    await patient.ok('consent/revoke', { grantee: addresses.insurer });
    const doctor = await login(c, 'doctor');
    for (let i = 0; i < 2; i++) {
      expect((await doctor.ok('records/history', { patient: addresses.patient })).storeCheck.warning).toBeNull();
      readsByDoctor++;
    }
    await c.stop();
  });
  afterEach(async () => {
    await core?.stop();
    core = null;
  });
  afterAll(() => {
    for (const d of [fixture, ...dirs]) if (d) removeDir(d);
  });

  it('an untouched copy agrees with the chain: nothing found, no banner', async () => {
    const { core, status } = await tamperedWard(async () => undefined);
    const report = await status();
    expect(report).toMatchObject({ batches: [], consent: [], auditRestored: 0, findings: [] });
    expect(report.batchesChecked).toBeGreaterThan(0);
    const h = await (await login(core, 'doctor')).ok('records/history', { patient: addresses.patient });
    expect(h.records.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(h.storeCheck).toMatchObject({ missingRecords: 0, extraCopies: 0, consentCorrected: 0, auditRestored: 0, warning: null });
  });

  it("a record's keys deleted: its batch is named with the record missing, and the patient's record carries a warning", async () => {
    const { core, status } = await tamperedWard((dir) => deleteRecords(dir, [ids[2]!]));
    const report = await status();
    expect(report.batches).toEqual([expect.objectContaining({ leafCount: 1, found: 0, missing: 1, problem: 'records', patients: [{ patient: addresses.patient, missing: 1 }] })]);
    expect(report.findings[0]).toMatch(/^Anchor batch \d+: 1 record of 1 anchored on the ward chain is missing from this workstation's store \(1 patient known\)\. Restore the store from a backup\.$/);
    const h = await (await login(core, 'doctor')).ok('records/history', { patient: addresses.patient });
    expect(h.records).toHaveLength(3);
    expect(h.storeCheck.missingRecords).toBe(1);
    expect(h.storeCheck.warning).toMatch(/^1 record of this patient anchored on the ward chain is missing from this workstation's store: what is shown is incomplete\. Restore the store from a backup/);
  });

  it('a record written before the last checkpoint, deleted: the sweep over older batches finds it at the next start', async () => {
    const { core, status } = await tamperedWard((dir) => deleteRecords(dir, [ids[0]!]));
    const report = await status();
    expect(report.fromBlock).toBeGreaterThan(0);
    expect(report.batches).toEqual([expect.objectContaining({ missing: 1, patients: [{ patient: addresses.patient, missing: 1 }] })]);
    const h = await (await login(core, 'doctor')).ok('records/history', { patient: addresses.patient });
    expect(h.storeCheck.missingRecords).toBe(1);
  });

  it("a patient opened while the sweep runs is not held up by it; what the sweep then finds missing of theirs is counted at their next open", async () => {
    await withOldRecordDeleted(async (g, checkOf) => {
      // The real contracts, with the sweep's log reads held at a gate once the start's check is done.
      let gated = false;
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const contracts = g.contracts();
      const held = Object.assign(Object.create(contracts) as WardContracts, {
        batchesAnchored: async (from: number, to: number) => {
          if (gated) await gate;
          return contracts.batchesAnchored(from, to);
        },
      });
      const check = checkOf(held);
      expect((await check.atStart()).batches).toEqual([]);
      gated = true;
      // Before: the patient's check waited for the sweep (here: for ever).
      const during = await check.patient(addresses.patient);
      expect(during.missingRecords).toBe(0); // the deleted record's batch is the sweep's to find
      open();
      expect((await check.report())!.batches).toEqual([expect.objectContaining({ missing: 1, patients: [{ patient: addresses.patient, missing: 1 }] })]);
      expect((await check.patient(addresses.patient)).missingRecords).toBe(1);
    });
  });

  it('the sweep gives way to a history page being decrypted, then finishes', async () => {
    await withOldRecordDeleted(async (g, checkOf) => {
      const check = checkOf(g.contracts());
      let open!: () => void;
      const decrypting = new Promise<void>((resolve) => (open = resolve));
      check.giveWayTo(decrypting);
      await check.atStart();
      // The report waits for the sweep, which waits for the page.
      const report = check.report();
      const early = await Promise.race([report.then(() => 'swept'), new Promise((r) => setTimeout(() => r('waiting'), 500))]);
      expect(early).toBe('waiting');
      open();
      expect((await report)!.batches).toEqual([expect.objectContaining({ missing: 1, patients: [{ patient: addresses.patient, missing: 1 }] })]);
    });
  });

  it('the sweep keeps to its budget within a slice of blocks: with none, one older batch a start, round until the deleted record is found', async () => {
    await withOldRecordDeleted(async (g, checkOf) => {
      const checkedPerStart: number[] = [];
      let found: unknown[] = [];
      for (let start = 0; start < 12 && found.length === 0; start++) {
        const check = checkOf(g.contracts(), 0);
        await check.atStart();
        const report = (await check.report())!;
        checkedPerStart.push(report.batchesChecked);
        found = report.batches;
      }
      // Before: a whole slice of 500 blocks a start (every batch of this small ward at once).
      expect(checkedPerStart.every((n) => n === 1)).toBe(true);
      expect(checkedPerStart.length).toBeGreaterThan(1);
      expect(found).toEqual([expect.objectContaining({ missing: 1, patients: [{ patient: addresses.patient, missing: 1 }] })]);
    });
  });

  it("a patient's check asks the chain nothing about batches whose roots the station anchored (known from its receipts)", async () => {
    const dir = tempDir();
    dirs.push(dir);
    cpSync(fixture, dir, { recursive: true });
    for (const known of [false, true]) {
      const g = await openInternals(dir);
      try {
        const contracts = g.contracts();
        const byRoot: string[] = [];
        const recording = Object.assign(Object.create(contracts) as WardContracts, {
          batchesWithRoots: (roots: readonly string[], from: number, to: number) => {
            byRoot.push(...roots);
            return contracts.batchesWithRoots(roots, from, to);
          },
          anchorOf: (root: string) => {
            byRoot.push(root);
            return contracts.anchorOf(root);
          },
        });
        const check = new ChainCheck(() => g.store, () => recording, g.identity, g.patients, () => g.station().privateKey, undefined, known ? (r) => g.roots.isKnown(r) : undefined);
        // No start check: nothing else (the sweep) finds the batches complete first.
        expect(await check.patient(addresses.patient)).toMatchObject({ missingRecords: 0, extraCopies: 0 });
        // Without the roots known: each of the patient's four batches is asked by root.
        expect(byRoot).toHaveLength(known ? 0 : ids.length);
        await check.settled();
      } finally {
        await g.close();
      }
    }
  });

  it('a clean stop moves the checkpoint past what the run anchored (the next start does not read it again); a record of that run deleted while stopped is still found, by the sweep', async () => {
    const dir = tempDir();
    dirs.push(dir);
    cpSync(fixture, dir, { recursive: true });
    const running = await startCore(dir);
    const itAdmin = new Caller(running);
    await itAdmin.login(admin.name, admin.password);
    const atStart = (await itAdmin.ok('admin/storeStatus', {})).chainCheck!;
    const written = (await (await login(running, 'nurse')).ok('records/addVitals', { patient: addresses.patient, vitals: { pulse: 75, supplementalOxygen: false }, missingReason: 'Spot check' })).id;
    await running.stop();
    await deleteRecords(dir, [written]);
    core = await startCore(dir);
    const again = new Caller(core);
    await again.login(admin.name, admin.password);
    const report = (await again.ok('admin/storeStatus', {})).chainCheck!;
    // Before: every start checked from the block after the previous start's check (atStart.toBlock + 1).
    expect(report.fromBlock).toBeGreaterThan(atStart.toBlock + 1);
    expect(report.batches).toEqual([expect.objectContaining({ leafCount: 1, found: 0, missing: 1, patients: [{ patient: addresses.patient, missing: 1 }] })]);
  });

  it('the tail cut, member lists too: each batch is named with what it lacks, and every patient is warned', async () => {
    const { core, status } = await tamperedWard((dir) => deleteRecords(dir, ids.slice(2), { memberLists: true }));
    const report = await status();
    expect(report.batches).toHaveLength(2);
    for (const b of report.batches) expect(b).toMatchObject({ leafCount: 1, found: 0, missing: 1, patients: [] });
    const h = await (await login(core, 'doctor')).ok('records/history', { patient: addresses.patient });
    expect(h.records.map((r) => r.id).sort()).toEqual(ids.slice(0, 2).sort());
    expect(h.storeCheck).toMatchObject({ missingRecords: 0, missingUnattributed: 2 });
    expect(h.storeCheck.warning).toMatch(/^2 records anchored on the ward chain are missing from this workstation's store and whose they were is no longer known/);
  });

  it('a record copied under a second key is shown once, and the copy is reported', async () => {
    const { core } = await tamperedWard((dir) => duplicateRecord(dir, ids[0]!));
    const h = await (await login(core, 'doctor')).ok('records/history', { patient: addresses.patient });
    expect(h.records.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(h.storeCheck.extraCopies).toBe(1);
    expect(h.storeCheck.warning).toMatch(/^1 extra copy of this patient's records was found in this workstation's store/);
  });

  it('a revoke moved above its grant: the grant table follows the chain again, and the revoked insurer is refused', async () => {
    const { core, status } = await tamperedWard((dir) => moveRevokeAboveGrant(dir, addresses.patient, addresses.insurer));
    const report = await status();
    expect(report.consent).toEqual([{ patient: addresses.patient, grantee: addresses.insurer, chain: 'not granted', store: 'granted', corrected: true }]);
    expect(report.findings).toEqual([expect.stringMatching(/although the patient revoked .* the grant was revoked here too, and access now follows the chain/)]);
    const insurer = await login(core, 'insurer');
    await expect(insurer.fails('records/history', { patient: addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    await expect(insurer.ok('records/myPatients', {})).resolves.toEqual([]);
  });

  it('a grant revoked on the chain behind a running workstation: the history is refused, though its decryption had started, and the attempt is audited', async () => {
    // The insurer is granted again, through the core, and reads.
    const dir = tempDir();
    dirs.push(dir);
    cpSync(fixture, dir, { recursive: true });
    core = await startCore(dir);
    await (await login(core, 'patient')).ok('consent/grant', { grantee: addresses.insurer });
    expect((await (await login(core, 'insurer')).ok('records/history', { patient: addresses.patient })).records).toHaveLength(4);
    await core.stop();
    core = null;
    const g = await openInternals(dir);
    try {
      const patient = await g.actor(people.patient.name, people.patient.password);
      const insurer = await g.actor(people.insurer.name, people.insurer.password);
      const contracts = g.contracts();
      // After this workstation opened and checked its store, the patient's key revokes on the ward
      // chain directly (another workstation of the ward, say): this store still has the grant, so the
      // page is decrypted on the store's word while the patient's check asks the chain.
      const from = (await contracts.blockNumber()) + 1;
      await contracts.revoke(patient.wallet.connect(g.node.provider), addresses.insurer);
      expect(g.store.hasGrant(addresses.patient, addresses.insurer)).toBe(true);
      await expect(g.chart.history(insurer, addresses.patient)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(g.store.hasGrant(addresses.patient, addresses.insurer)).toBe(false);
      // The decryption started on the insurer's behalf is an access: its audit is on the chain (an
      // access recorded that returned nothing, never one that returned records unrecorded).
      const ref = g.patients.refOf(addresses.patient).toLowerCase();
      const deadline = Date.now() + 30_000;
      let audited: Awaited<ReturnType<typeof contracts.accessesAudited>> = [];
      while (!audited.length && Date.now() < deadline) {
        audited = (await contracts.accessesAudited(from, await contracts.blockNumber(), ref)).filter((a) => a.actor === addresses.insurer);
        if (!audited.length) await new Promise((r) => setTimeout(r, 100));
      }
      expect(audited).toEqual([expect.objectContaining({ actor: addresses.insurer, action: 0, breakGlass: false })]);
    } finally {
      await g.close();
    }
  });

  it("deleted audit entries: restored from the chain at start, and back in the patient's access log with what the chain holds", async () => {
    let deleted = 0;
    const { core, status } = await tamperedWard(async (dir) => (deleted = await deleteAudits(dir, addresses.patient, (a) => a.action === 0)));
    expect(deleted).toBe(readsByDoctor + 1); // the doctor's reads and the insurer's
    const report = await status();
    expect(report.auditRestored).toBe(deleted);
    expect(report.findings).toEqual([`${deleted} access-log entries were missing from this workstation's store and were restored from the ward chain (the written reasons are not available locally).`]);
    const log = (await (await login(core, 'patient')).ok('audit/list', {})).entries.filter((e) => e.action === 'read');
    expect(log).toHaveLength(deleted);
    expect(log.filter((e) => e.actor.name === people.doctor.name)).toHaveLength(readsByDoctor);
    expect(log.filter((e) => e.actor.name === people.insurer.name)).toHaveLength(1);
    for (const e of log) expect(e).toMatchObject({ breakGlass: false, reason: RESTORED_REASON });
    for (const e of log) expect(e.wardBlock).toBeGreaterThan(0);
  });

  it('audit entries deleted before the last checkpoint: restored when the access log is opened, with a banner', async () => {
    // One start checks the copy through the reads' blocks; the entries are deleted after it, so the
    // next start (incremental from its checkpoint) does not look at them: opening the log does.
    const { core: first } = await tamperedWard(async () => undefined);
    await first.stop();
    core = null;
    const dir = dirs.at(-1)!;
    const deleted = await deleteAudits(dir, addresses.patient, (a) => a.action === 0);
    core = await startCore(dir);
    const itAdmin = new Caller(core);
    await itAdmin.login(admin.name, admin.password);
    expect((await itAdmin.ok('admin/storeStatus', {})).chainCheck).toMatchObject({ auditRestored: 0, findings: [] });
    const page = await (await login(core, 'patient')).ok('audit/list', {});
    expect(page.entries.filter((e) => e.action === 'read')).toHaveLength(deleted);
    expect(page.storeCheck).toMatchObject({ auditRestored: deleted });
    expect(page.storeCheck?.warning).toMatch(new RegExp(`^${deleted} access-log entries of this patient had been deleted from this workstation's store and were restored from the ward chain`));
  });
});
