/**
 * Issue 9 item 3 (break-glass bypassed by changing a care relationship) and item 9 (the ward board
 * shows more than the viewer may open, unaudited), through the API on a real ward chain:
 *  - a doctor refused a patient's history cannot make himself that patient's responsible doctor,
 *    neither through the core nor by sending the transaction himself;
 *  - a relationship made to read (a self-assignment, a nurse's admit → read → discharge) is
 *    allowed where the rules allow it, and flagged in the patient's access log, with every change
 *    of care relationship listed there and recorded on the chain as a CareChanged event;
 *  - the ward board shows in full only the rows the viewer may open, and what it shows is audited.
 */
import { ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLedger } from '../../../contracts/generated/artifacts';
import type { AuditEntry } from '../../../electron/core/model/records';
import type { WardCore } from '../../../electron/core/shellContract';
import { openInternals } from '../../support/pipelineInternals';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

const ledger = new ethers.Interface(AccessLedger.abi as unknown as ethers.InterfaceAbi);
const pulse = (n: number) => ({ pulse: n, supplementalOxygen: false });

describe('care relationships and what the board shows', () => {
  let dir: string;
  let core: WardCore;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  /** Patients with their own logins (to read their access log). */
  const patients: Record<string, { address: string; caller: Caller }> = {};

  async function newPatient(key: string): Promise<string> {
    const name = `Care ${key}`;
    const { address } = await w.anon.ok('identity/register', { role: 'patient', name, age: 58, password: 'patient-password' });
    const caller = new Caller(core);
    await caller.login(name, 'patient-password');
    patients[key] = { address, caller };
    return address;
  }
  const accessLog = (key: string) => patients[key]!.caller.ok('audit/list', { patient: null }).then((page) => page.entries);

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    w = await staffedWard(core);
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '1', responsibleDoctor: w.addresses.doctor });
    await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: pulse(80), missingReason: 'Spot check' });
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('a doctor refused a history cannot make himself responsible for another doctor’s patient', async () => {
    const other = w.callers.otherDoctor;
    await expect(other.fails('records/history', { patient: w.addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN', details: { breakGlassAvailable: true } });
    const refused = await other.fails('ward/assignDoctor', { patient: w.addresses.patient, doctor: w.addresses.otherDoctor });
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toContain('Grace Hopper');
    await expect(other.fails('records/history', { patient: w.addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    await expect(other.fails('ward/discharge', { patient: w.addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    // Nor can he put device readings or a bound monitor into that record.
    await expect(other.fails('devices/assign', { readingIds: ['00000000-0000-4000-8000-000000000000'], patient: w.addresses.patient })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    const board = await w.callers.nurse.ok('ward/census', {});
    expect(board.find((r) => r.bed === '1')!.responsibleDoctor!.name).toBe('Grace Hopper');
  });

  it('flags a doctor who takes on a patient with a history, reads, and hands back', async () => {
    const q = await newPatient('Quinn');
    await w.callers.nurse.ok('ward/admit', { patient: q, bed: '2' });
    await w.callers.nurse.ok('records/addVitals', { patient: q, vitals: pulse(90), missingReason: 'Spot check' });
    const other = w.callers.otherDoctor;
    await expect(other.fails('records/history', { patient: q })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    // Grace Hopper cannot hand Quinn to a colleague: Quinn has no responsible doctor, and she is not a nurse.
    await expect(w.callers.doctor.fails('ward/assignDoctor', { patient: q, doctor: w.addresses.otherDoctor })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    await other.ok('ward/assignDoctor', { patient: q, doctor: w.addresses.otherDoctor });
    const h = await other.ok('records/history', { patient: q });
    expect(h.breakGlass).toBe(false);
    await other.ok('ward/assignDoctor', { patient: q, doctor: w.addresses.doctor });

    const log = await accessLog('Quinn');
    const by = (action: AuditEntry['action'], name: string) => log.filter((e) => e.action === action && e.actor.name === name);
    expect(by('admit', 'Florence Nurse')).toEqual([expect.objectContaining({ reason: 'Admitted to bed 2; responsible doctor: none yet', flag: null })]);
    const assignments = by('assign-doctor', 'Other Doctor').sort((a, b) => a.at.localeCompare(b.at));
    expect(assignments.map((e) => e.reason)).toEqual(['Responsible doctor now Other Doctor', 'Responsible doctor now Grace Hopper']);
    expect(assignments[0]!.flag).toMatch(/made themself the responsible doctor/i);
    expect(assignments[1]!.flag).toMatch(/lasted \d+ min: Other Doctor made it, read the record, and it ended/);
    expect(by('read', 'Other Doctor')).toEqual([expect.objectContaining({ breakGlass: false, flag: expect.stringMatching(/care relationship the reader made themself, which ended \d+ min later/) })]);
    for (const e of [...assignments, ...by('admit', 'Florence Nurse')]) {
      expect(e.wardTx).toMatch(/^0x[0-9a-f]{64}$/);
      expect(e.wardBlock).toBeGreaterThan(0);
    }
  });

  it('flags a nurse who re-admits a discharged patient, reads and discharges again', async () => {
    const r = await newPatient('Rae');
    await w.callers.nurse.ok('ward/admit', { patient: r, bed: '3', responsibleDoctor: w.addresses.doctor });
    await w.callers.nurse.ok('records/addVitals', { patient: r, vitals: pulse(70), missingReason: 'Spot check' });
    await w.callers.doctor.ok('ward/discharge', { patient: r });
    await expect(w.callers.nurse.fails('records/history', { patient: r })).resolves.toMatchObject({ code: 'FORBIDDEN' });
    await w.callers.nurse.ok('ward/admit', { patient: r, bed: '3' });
    await w.callers.nurse.ok('records/history', { patient: r });
    await w.callers.nurse.ok('ward/discharge', { patient: r });

    const log = await accessLog('Rae');
    const discharges = log.filter((e) => e.action === 'discharge').sort((a, b) => a.at.localeCompare(b.at));
    expect(discharges.map((e) => e.actor.name)).toEqual(['Grace Hopper', 'Florence Nurse']);
    // The doctor's discharge ended an admission the nurse made, with no read by her meanwhile: not flagged.
    expect(discharges[0]!.flag).toBeNull();
    expect(discharges[1]!.flag).toMatch(/lasted \d+ min: Florence Nurse made it, read the record, and it ended/);
    expect(log.filter((e) => e.action === 'read' && e.actor.name === 'Florence Nurse')).toEqual([expect.objectContaining({ flag: expect.stringMatching(/ended \d+ min later/) })]);
    expect(log.filter((e) => e.action === 'admit')).toHaveLength(2);
  });

  it('shows a doctor the bed, not the patient, for a patient he may not open; audits what it shows', async () => {
    const before = (await w.callers.patient.ok('audit/list', { patient: null })).entries.filter((e) => e.action === 'list');
    const mine = (await w.callers.doctor.ok('ward/census', {})).find((r) => r.bed === '1')!;
    expect(mine).toMatchObject({ restricted: false, patient: { name: 'Pat Patient', age: 67 }, observations: { newerReading: { vitals: { pulse: 80 } } } });
    const notMine = (await w.callers.otherDoctor.ok('ward/census', {})).find((r) => r.bed === '1')!;
    expect(notMine).toMatchObject({ restricted: true, patient: { address: w.addresses.patient, age: -1 }, observations: null });
    expect(JSON.stringify(notMine)).not.toContain('Pat Patient');
    expect(notMine.responsibleDoctor!.name).toBe('Grace Hopper');
    const nurseRow = (await w.callers.nurse.ok('ward/census', {})).find((r) => r.bed === '1')!;
    expect(nurseRow).toMatchObject({ restricted: false, patient: { name: 'Pat Patient' } });

    const shown = (await w.callers.patient.ok('audit/list', { patient: null })).entries.filter((e) => e.action === 'list');
    // Everyone shown the row in full, once each (within the hour); the doctor it was hidden from is not listed.
    expect(before.map((e) => e.actor.name)).not.toContain('Grace Hopper');
    expect(shown.map((e) => e.actor.name).sort()).toEqual(['Florence Nurse', 'Grace Hopper']);
    expect(shown.every((e) => e.wardTx.startsWith('0x') && e.wardBlock > 0 && e.flag === null)).toBe(true);
    // A board refreshed within the hour is not audited again.
    await w.callers.nurse.ok('ward/census', {});
    await w.callers.doctor.ok('ward/census', {});
    expect((await w.callers.patient.ok('audit/list', { patient: null })).entries.filter((e) => e.action === 'list')).toHaveLength(shown.length);
    // The reply to an admission shows no more than the board would.
    const s = await newPatient('Sol');
    const admitted = await w.callers.otherDoctor.ok('ward/admit', { patient: s, bed: '4', responsibleDoctor: w.addresses.doctor });
    expect(admitted).toMatchObject({ restricted: true, observations: null });
  });

  it('puts every change on the ward chain, sent by who made it, and the chain refuses a self-assignment sent directly', async () => {
    const log = await accessLog('Quinn');
    await core.stop();
    const g = await openInternals(dir);
    try {
      const changes = log.filter((e) => e.action === 'admit' || e.action === 'assign-doctor' || e.action === 'discharge');
      expect(changes.length).toBe(3);
      for (const e of changes) {
        const receipt = (await g.node.provider.getTransactionReceipt(e.wardTx))!;
        expect(receipt.from).toBe(e.actor.address);
        const events = receipt.logs.map((l) => ledger.parseLog(l)).filter((x) => x?.name === 'CareChanged');
        expect(events).toHaveLength(1);
        expect(events[0]!.args.patientRef).toBe(g.patients.refOf(patients['Quinn']!.address));
        expect(Number(events[0]!.args.change)).toBe({ admit: 0, 'assign-doctor': 1, discharge: 2 }[e.action as 'admit']);
      }
      // Other Doctor, with his own key, straight to the contract: refused by the chain itself.
      const other = await g.actor(w.people.otherDoctor.name, w.people.otherDoctor.password);
      await expect(g.contracts().assignDoctor(other.wallet.connect(g.node.provider), g.patients.refOf(w.addresses.patient), other.address)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      expect(await g.contracts().careOf(g.patients.refOf(w.addresses.patient))).toEqual({ admitted: true, responsibleDoctor: w.addresses.doctor });
    } finally {
      await g.close();
    }
  });
});
