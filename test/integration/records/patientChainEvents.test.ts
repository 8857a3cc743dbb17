/**
 * A patient's first check against the ward chain after a start reads the chain's consent changes
 * and audits only since the ward's kept events (records/patientChainEvents.ts), not from the ward's
 * setup: a node reads every block of a log query, and a year of a ward is a million blocks. What is
 * kept must never let an edited store hide an event: each way of editing it makes the check read
 * from the setup (or from the last point it can vouch for), and audit entries deleted from the
 * store are still restored. Real ganache, real store; the reads the check makes are recorded on the
 * real contracts (nothing is answered for them).
 */
import { cpSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardContracts } from '../../../electron/core/chain/wardContracts';
import { ChainCheck } from '../../../electron/core/records/chainCheck';
import { openInternals, type PipelineInternals } from '../../support/pipelineInternals';
import { deleteAudits } from '../../support/storeTampering';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

type Ward = Awaited<ReturnType<typeof staffedWard>>;
interface Read {
  from: number;
  to: number;
  patient: boolean;
}
interface KeptEntry {
  block: number;
  grantees: string[];
  audits: Array<{ block: number; actor: string }>;
  tag: string;
}

describe("a patient's kept chain events", () => {
  const dirs: string[] = [];
  let fixture: string;
  let people: Ward['people'];
  let addresses: Ward['addresses'];

  /** A copy of the stopped fixture. */
  const copy = () => {
    const dir = tempDir();
    dirs.push(dir);
    cpSync(fixture, dir, { recursive: true });
    return dir;
  };

  /**
   * The copy opened without starting, with a ChainCheck over the real contracts that records the
   * ranges of the consent and audit log queries (`patient`: one patient's, else the ward's).
   */
  const opened = async (dir: string, body: (g: PipelineInternals, check: ChainCheck, reads: Read[], ref: string) => Promise<void>) => {
    const g = await openInternals(dir);
    const reads: Read[] = [];
    const contracts = g.contracts();
    const recording = Object.assign(Object.create(contracts) as WardContracts, {
      consentChanges: (from: number, to: number, patient?: string) => {
        reads.push({ from, to, patient: !!patient });
        return contracts.consentChanges(from, to, patient);
      },
      accessesAudited: (from: number, to: number, ref?: string) => {
        reads.push({ from, to, patient: !!ref });
        return contracts.accessesAudited(from, to, ref);
      },
    });
    try {
      const check = new ChainCheck(() => g.store, () => recording, g.identity, g.patients, () => g.station().privateKey);
      await body(g, check, reads, g.patients.refOf(addresses.patient).toLowerCase());
      await check.settled();
    } finally {
      await g.close();
    }
  };
  /** Start, check and keep the ward's events (the refresh after a start), stop. */
  const keepEvents = (dir: string) =>
    opened(dir, async (_g, check) => {
      await check.atStart();
      await check.eventsKept();
    });
  const readsOfPatient = (reads: Read[]) => reads.filter((r) => r.patient);

  beforeAll(async () => {
    fixture = tempDir();
    const c = await startCore(fixture);
    const w = await staffedWard(c);
    people = w.people;
    addresses = w.addresses;
    await w.callers.nurse.ok('ward/admit', { patient: addresses.patient, bed: '4', responsibleDoctor: addresses.doctor });
    await w.callers.nurse.ok('records/addVitals', { patient: addresses.patient, vitals: { pulse: 72, supplementalOxygen: false }, missingReason: 'Spot check' });
    const patient = new Caller(c);
    await patient.login(people.patient.name, people.patient.password);
    await patient.ok('consent/grant', { grantee: addresses.insurer });
    await patient.ok('consent/revoke', { grantee: addresses.insurer });
    for (let i = 0; i < 3; i++) await w.callers.doctor.ok('records/history', { patient: addresses.patient });
    await c.stop();
  });
  afterAll(() => {
    for (const d of [fixture, ...dirs]) if (d) removeDir(d);
  });

  it('kept at a start: the next first check reads only the blocks after them, and restores audit entries deleted before them', async () => {
    const dir = copy();
    let setup = 0;
    await opened(dir, async (g, check, reads) => {
      setup = g.identity.wardConfig.registryBlock;
      await check.atStart();
      const before = reads.length;
      await check.eventsKept();
      // The first refresh reads the ward's events from the setup, once for all patients.
      expect(reads.slice(before)).toEqual([expect.objectContaining({ from: setup, patient: false }), expect.objectContaining({ from: setup, patient: false })]);
    });
    // Another start's refresh over a block with no events of the patient: their entry is carried to the new mark unread.
    await opened(dir, async (g, check) => {
      await g.node.provider.send('evm_mine', []);
      await check.atStart();
      await check.eventsKept();
    });
    const deleted = await deleteAudits(dir, addresses.patient, (a) => a.action === 0);
    expect(deleted).toBe(3);
    await opened(dir, async (g, check, reads) => {
      const newest = await g.contracts().blockNumber();
      await check.atStart();
      const before = reads.length;
      const result = await check.patient(addresses.patient);
      expect(result.auditRestored).toBe(deleted);
      // Nothing of the patient's is read below the kept events' block (before: two reads from the setup).
      const patientReads = readsOfPatient(reads.slice(before));
      expect(patientReads.every((r) => r.from > newest)).toBe(true);
      expect(setup).toBeLessThan(newest);
    });
  });

  it("an entry edited (an audit taken out, its tag kept) is not believed: the patient's events are read from the setup, and the deleted entries restored", async () => {
    const dir = copy();
    await keepEvents(dir);
    await opened(dir, async (g, _check, _reads, ref) => {
      const entry = (await g.store.state<KeptEntry>(`chainEvents:${ref}`))!;
      expect(entry.audits).toHaveLength(3);
      await g.store.write((w) => w.state(`chainEvents:${ref}`, { ...entry, audits: entry.audits.slice(1) }));
    });
    const deleted = await deleteAudits(dir, addresses.patient, (a) => a.action === 0);
    await opened(dir, async (g, check, reads) => {
      await check.atStart();
      const before = reads.length;
      expect((await check.patient(addresses.patient)).auditRestored).toBe(deleted);
      expect(readsOfPatient(reads.slice(before)).map((r) => r.from)).toEqual([g.identity.wardConfig.registryBlock, g.identity.wardConfig.registryBlock]);
    });
  });

  it("a listed patient's entry deleted: read from the setup; the entry deleted and the mark's listing too: the mark is not believed either", async () => {
    for (const alsoTheMark of [false, true]) {
      const dir = copy();
      await keepEvents(dir);
      await opened(dir, async (g, _check, _reads, ref) => {
        const mark = (await g.store.state<{ listed: Record<string, string | null> }>('chainEventsWard'))!;
        expect(Object.keys(mark.listed)).toContain(ref);
        const { [ref]: _gone, ...others } = mark.listed;
        await g.store.write((w) => {
          w.state(`chainEvents:${ref}`, null);
          if (alsoTheMark) w.state('chainEventsWard', { ...mark, listed: others });
        });
      });
      const deleted = await deleteAudits(dir, addresses.patient, (a) => a.action === 0);
      await opened(dir, async (g, check, reads) => {
        await check.atStart();
        const before = reads.length;
        expect((await check.patient(addresses.patient)).auditRestored).toBe(deleted);
        expect(readsOfPatient(reads.slice(before)).map((r) => r.from)).toEqual([g.identity.wardConfig.registryBlock, g.identity.wardConfig.registryBlock]);
      });
    }
  });

  it('an older entry put back is a true beginning: the check reads on from its block and restores what came after it', async () => {
    const dir = copy();
    await keepEvents(dir);
    let older: KeptEntry | undefined;
    await opened(dir, async (g, _check, _reads, ref) => {
      older = await g.store.state<KeptEntry>(`chainEvents:${ref}`);
    });
    // Two more reads, kept by another start's refresh.
    const c = await startCore(dir);
    const doctor = new Caller(c);
    await doctor.login(people.doctor.name, people.doctor.password);
    for (let i = 0; i < 2; i++) await doctor.ok('records/history', { patient: addresses.patient });
    await c.stop();
    await keepEvents(dir);
    await opened(dir, async (g, _check, _reads, ref) => {
      const newer = (await g.store.state<KeptEntry>(`chainEvents:${ref}`))!;
      expect(newer.audits.length).toBeGreaterThanOrEqual(older!.audits.length + 2);
      await g.store.write((w) => w.state(`chainEvents:${ref}`, older));
    });
    const deleted = await deleteAudits(dir, addresses.patient, (a) => a.action === 0);
    expect(deleted).toBe(5);
    await opened(dir, async (g, check, reads) => {
      await check.atStart();
      const before = reads.length;
      expect((await check.patient(addresses.patient)).auditRestored).toBe(deleted);
      expect(readsOfPatient(reads.slice(before)).map((r) => r.from)).toEqual([older!.block + 1, older!.block + 1]);
    });
  });

  it("a grant only the chain still has is found through the kept consent changes (the store's grant table no longer names the grantee)", async () => {
    const dir = copy();
    const c = await startCore(dir);
    const patient = new Caller(c);
    await patient.login(people.patient.name, people.patient.password);
    await patient.ok('consent/grant', { grantee: addresses.insurer });
    await c.stop();
    await keepEvents(dir);
    await opened(dir, async (g, check, reads) => {
      await check.atStart();
      // The store revokes behind the chain's back: the grant table no longer names the insurer.
      await g.store.write((w) => w.consent({ t: 'consent', patient: addresses.patient, grantee: addresses.insurer, action: 'revoke', at: Date.now(), tx: '' }));
      expect((await g.store.grants(addresses.patient)).has(addresses.insurer)).toBe(false);
      // A block after the kept events: the check reads it and adds what it holds to what was kept.
      await g.node.provider.send('evm_mine', []);
      const before = reads.length;
      const result = await check.patient(addresses.patient);
      expect(result.consentMissing).toBe(1);
      const patientReads = readsOfPatient(reads.slice(before));
      expect(patientReads).toHaveLength(2);
      expect(patientReads.every((r) => r.from > g.identity.wardConfig.registryBlock)).toBe(true);
    });
  });
});
