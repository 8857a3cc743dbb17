/**
 * Issue 8 parts 1–2 and issue 7 item 5 through the API, on the real ward chain: one vitals path
 * for every way a set arrives, a board and doctor's list that keep the last complete NEWS2 set,
 * escalations, drafts, and meter readings kept at the time they were measured.
 *
 * NEWS2 facts come from the RCP 2017 NEWS2 chart (shared/reference/CLINICAL.md): on Scale 2, SpO2
 * 95–96 % on oxygen scores 2 and 93 % or more on air scores 0 (unknown oxygen: not scorable);
 * supplemental oxygen scores 2; RR 18, SBP 122, pulse 74, alert and 37.1 °C score 0. Monitoring
 * frequency (RCP 2017 clinical response): aggregate ≥ 7 → continuous (due every 15 min here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevicesOverview } from '../../../electron/core/model/devices';
import type { RecordView } from '../../../electron/core/model/records';
import type { VitalsInput } from '../../../electron/core/model/vitals';
import { startGraphCore, type GraphCore } from '../../support/graphCore';
import { editStoredRecord } from '../../support/storedRecords';
import { Caller, removeDir, staffedWard, tempDir } from '../../support/tempCore';
import { until } from '../../support/until';

/** A Date as the device's local wall-clock time, as meters keep it. */
function local(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const fullOnOxygen: VitalsInput = {
  respiratoryRate: 18,
  spo2: 96,
  supplementalOxygen: true,
  oxygenDevice: 'nasal-cannula',
  oxygenFlow: 2,
  systolic: 122,
  diastolic: 78,
  pulse: 74,
  consciousness: 'A',
  temperature: { value: 37.1, unit: 'Cel' },
};
const high: VitalsInput = { respiratoryRate: 26, spo2: 90, supplementalOxygen: true, oxygenDevice: 'simple-mask', oxygenFlow: 5, systolic: 95, diastolic: 60, pulse: 125, consciousness: 'A', temperature: { value: 38.5, unit: 'Cel' } };

describe('one vitals path, and a board that never hides deterioration', () => {
  let dir: string;
  let gc: GraphCore;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  let patient: string;
  let second: string;
  /** Harriet High's one-time activation code (she was registered on admission). */
  let secondCode: string;
  const list = () => w.callers.nurse.ok('devices/list', {}) as Promise<DevicesOverview>;
  const rowOf = async (who: string) => (await w.callers.nurse.ok('ward/census', {})).find((r) => r.patient.address === who)!;
  const history = async (who: string) => (await w.callers.doctor.ok('records/history', { patient: who })).records;

  /** Bind a simulated PO 80 reading SpO2/pulse to a patient until one reading is recorded, then unplug it. */
  async function recordFromBoundOximeter(who: string, spo2: number, pulse: number): Promise<RecordView> {
    const id = await gc.graph.devices.plugSimulator('po80', { samples: [{ pulse, spo2 }], intervalMs: 200, serialNumber: `PO-${spo2}-${pulse}` });
    await until(list, (o) => o.devices.some((d) => d.id === id && d.status === 'streaming' && d.live?.spo2 === spo2), 'live oximeter values');
    const before = (await history(who)).filter((r) => r.author.role === 'station').length;
    await w.callers.nurse.ok('devices/bind', { deviceId: id, patient: who, intervalSeconds: 5 });
    await until(list, (o) => (o.devices.find((d) => d.id === id)?.binding?.recorded ?? 0) >= 1, 'a bound reading', 30_000);
    await w.callers.nurse.ok('devices/unbind', { deviceId: id });
    await gc.graph.devices.unplugSimulator(id);
    const bound = (await history(who)).filter((r) => r.author.role === 'station');
    expect(bound.length).toBeGreaterThan(before);
    return bound[bound.length - 1]!;
  }

  beforeAll(async () => {
    dir = tempDir();
    // Simulators plugged with chosen contents (the graph's demo flag only enables simulation).
    gc = await startGraphCore(dir, { demo: true });
    w = await staffedWard(gc.core);
    patient = w.addresses.patient;
    await w.callers.nurse.ok('ward/admit', { patient, bed: '5', responsibleDoctor: w.addresses.doctor });
    await w.callers.doctor.ok('ward/setNews2Scale', { patient, scale: 2, reason: 'Confirmed hypercapnic respiratory failure (COPD)' });
    const admitted = await w.callers.nurse.ok('ward/registerAndAdmit', { name: 'Harriet High', dob: '1946-05-05', hospitalNumber: 'OB000080', bed: '6', responsibleDoctor: w.addresses.doctor });
    second = admitted.patient.address;
    secondCode = admitted.activationCode;
  }, 180_000);
  afterAll(async () => {
    await gc?.core.stop();
    removeDir(dir);
  });

  it('gives the same vitals the same stored score, with its scale, on every path and every screen (issue 8.3)', async () => {
    const { nurse, doctor } = w.callers;
    // Nurse entry of a full set on oxygen, taken ten minutes ago.
    const takenAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const entered = await nurse.ok('records/addVitals', { patient, vitals: fullOnOxygen, takenAt });
    expect(entered.content!.news2).toMatchObject({ scale: 2, complete: true, aggregate: 4, band: 'low', subScores: { spo2: 2, airOrOxygen: 2 } });
    expect(entered.measuredAt).toBe(takenAt);
    // An amendment with the same values: the same score, at the original's time.
    const amended = await doctor.ok('records/amend', { recordId: entered.id, reason: 'Re-entered after checking the chart', vitals: fullOnOxygen });
    expect(amended.content!.news2).toEqual(entered.content!.news2);
    expect(amended.measuredAt).toBe(takenAt);

    // A bound oximeter (station ingest) and a nurse typing the same SpO2 and pulse.
    const bound = await recordFromBoundOximeter(patient, 96, 74);
    const typed = await nurse.ok('records/addVitals', { patient, vitals: { spo2: 96, pulse: 74 }, missingReason: 'Spot check between full sets' });
    expect(bound.content!.news2).toEqual(typed.content!.news2);
    // Scale 2, SpO2 96 % with oxygen not known: SpO2 cannot be scored, on either path.
    expect(typed.content!.news2).toMatchObject({ scale: 2, complete: false, subScores: { pulse: 0 } });
    expect(typed.content!.news2!.missing).toContain('spo2');

    // A meter's memory assigned by a nurse (device assignment) and the same values typed.
    const now = new Date();
    const omron = await gc.graph.devices.plugSimulator('omron', { readings: [{ systolic: 128, diastolic: 82, pulse: 71, time: local(now) }] });
    const pending = await until(list, (o) => o.pending.some((p) => p.deviceId === omron && p.kind === 'blood-pressure'), 'the BP download');
    const reading = pending.pending.find((p) => p.deviceId === omron && p.kind === 'blood-pressure')!;
    await nurse.ok('devices/assign', { readingIds: [reading.id], patient, confirmTimes: true });
    await gc.graph.devices.unplugSimulator(omron);
    const typedBp = await nurse.ok('records/addVitals', { patient, vitals: { systolic: 128, diastolic: 82, pulse: 71 }, missingReason: 'BP check' });
    const assigned = (await history(patient)).find((r) => r.content?.device?.driver?.includes('omron'))!;
    expect(assigned.content!.news2).toEqual(typedBp.content!.news2);
    expect(assigned.content!.news2!.scale).toBe(2);

    // Every screen shows the score as stored: the board, the doctor's home, the patient list, the history.
    const row = await rowOf(patient);
    expect(row.news2Scale).toBe(2);
    expect(row.observations!.lastComplete).toMatchObject({ recordId: amended.id, correction: true, measuredAt: takenAt });
    expect(row.observations!.lastComplete!.news2).toEqual(entered.content!.news2);
    const home = (await doctor.ok('doctor/home', {})).patients.find((p) => p.address === patient)!;
    const mine = (await doctor.ok('records/myPatients', {})).find((p) => p.address === patient)!;
    const doctorsRow = await doctor.ok('ward/census', {}).then((rows) => rows.find((r) => r.patient.address === patient)!);
    for (const seen of [home.observations, mine.observations, doctorsRow.observations]) {
      expect(seen!.lastComplete).toEqual(row.observations!.lastComplete);
      expect(seen!.newerReading?.news2).toEqual(row.observations!.newerReading?.news2);
    }
    const h = await history(patient);
    expect(h.find((r) => r.id === entered.id)!.superseded).toBe(true);
    expect(h.find((r) => r.id === amended.id)!.superseded).toBe(false);
    for (const r of h.filter((x) => x.content?.vitals)) expect(r.content!.news2!.scale).toBe(2);

    // The export carries the score with its scale (SNOMED CT 1104051000000101 total score) and verifies.
    const exp = await doctor.ok('export/fhir', { patient });
    const scores = (exp.bundle as { entry: Array<{ resource: Record<string, unknown> }> }).entry
      .map((e) => e.resource)
      .filter((r) => (r.code as { coding?: Array<{ code: string }> } | undefined)?.coding?.some((c) => c.code === '1104051000000101'));
    expect(scores.map((s) => [s.valueInteger, (s.component as Array<{ valueInteger: number }>)[0]!.valueInteger])).toEqual([
      [4, 2],
      [4, 2],
    ]);
    const report = await doctor.ok('verify/fhir', { bundle: exp.bundle });
    expect(report.failed, JSON.stringify(report.items.filter((i) => !i.ok))).toBe(0);
  });

  it('keeps the last complete set, its band and its due time when a monitor or a partial set comes after it (issue 8.1)', async () => {
    const { nurse, doctor } = w.callers;
    // A high score taken 20 minutes ago: continuous monitoring → due 15 minutes after it, so overdue.
    const takenAt = new Date(Date.now() - 20 * 60_000).toISOString();
    const set = await nurse.ok('records/addVitals', { patient: second, vitals: high, takenAt });
    expect(set.content!.news2).toMatchObject({ complete: true, band: 'high' });
    expect(set.content!.news2!.aggregate).toBeGreaterThanOrEqual(7);
    const overdueBefore = (await nurse.ok('ward/census', {})).filter((r) => r.observations!.overdue).length;

    await recordFromBoundOximeter(second, 97, 74);
    await nurse.ok('records/addVitals', { patient: second, vitals: { pulse: 80 }, missingReason: 'Pulse only, patient asleep' });
    const row = await rowOf(second);
    expect(row.observations).toMatchObject({
      lastComplete: { recordId: set.id, news2: { band: 'high' } },
      newerReading: { source: 'entered', vitals: { pulse: 80 } },
      risk: 'high',
      dueAt: new Date(Date.parse(takenAt) + 15 * 60_000).toISOString(),
      overdue: true,
    });
    expect((await nurse.ok('ward/census', {})).filter((r) => r.observations!.overdue).length).toBe(overdueBefore);
    // The doctor's list says the same, and puts this patient first.
    const mine = await doctor.ok('doctor/home', {});
    expect(mine.patients[0]).toMatchObject({ address: second, needsAttention: true, observations: { risk: 'high', overdue: true, lastComplete: { recordId: set.id } } });
  });

  it('asks for an escalation after a worrying score, records who was informed, and exports it verified (issue 8.4)', async () => {
    const { nurse, insurer } = w.callers;
    const before = await rowOf(second);
    expect(before.observations!.escalationDue).toBe(true);
    const setId = before.observations!.lastComplete!.recordId;
    const informedAt = new Date(Date.now() - 60_000).toISOString();
    const esc = await nurse.ok('records/addEscalation', {
      patient: second,
      forRecord: setId,
      informed: { name: 'Grace Hopper', role: 'Doctor', address: w.addresses.doctor },
      informedAt,
      response: 'Reviewing now; start sepsis screen',
    });
    expect(esc).toMatchObject({ kind: 'escalation', provenance: { status: 'verified' }, content: { escalation: { forRecord: setId, informedAt, informed: { name: 'Grace Hopper' } } } });
    const after = await rowOf(second);
    expect(after.observations).toMatchObject({ escalationDue: false, escalation: { recordId: esc.id, informed: 'Grace Hopper (Doctor)' } });
    await expect(nurse.fails('records/addEscalation', { patient: second, forRecord: esc.id, informed: { name: 'X Y', role: 'Doctor' }, informedAt, response: 'n/a' })).resolves.toMatchObject({
      code: 'BAD_INPUT',
    });
    await expect(
      nurse.fails('records/addEscalation', { patient: second, forRecord: setId, informed: { name: 'X Y', role: 'Doctor' }, informedAt: new Date(Date.now() + 3600_000).toISOString(), response: 'n/a' }),
    ).resolves.toMatchObject({ code: 'BAD_INPUT', details: { fields: { informedAt: expect.stringMatching(/future/) } } });

    // The export writes it as a Communication; verification covers it (an edited response fails).
    const patientCaller = new Caller(gc.core);
    // First login: hospital number, the activation code from admission, and her own password.
    patientCaller.token = (await patientCaller.ok('session/login', { name: 'OB000080', password: secondCode, newPassword: 'patient-password' })).token;
    await patientCaller.ok('consent/grant', { grantee: w.addresses.insurer });
    const exp = await insurer.ok('export/fhir', { patient: second });
    const bundle = exp.bundle as { entry: Array<{ resource: Record<string, unknown> }> };
    const comm = bundle.entry.find((e) => e.resource.resourceType === 'Communication')!.resource;
    expect(comm).toMatchObject({ status: 'completed', sent: informedAt, payload: [{ contentString: 'Reviewing now; start sepsis screen' }] });
    // The oxygen the high set was taken on: flow LOINC 3151-8 in L/min on the supplemental-oxygen observation.
    const oxygen = bundle.entry.map((e) => e.resource).find((r) => Array.isArray(r.component) && (r.component as Array<{ code: { coding: Array<{ code: string }> } }>).some((c) => c.code.coding.some((x) => x.code === '3151-8')))!;
    expect(oxygen.component).toEqual(expect.arrayContaining([expect.objectContaining({ valueQuantity: expect.objectContaining({ value: 5, code: 'L/min', system: 'http://unitsofmeasure.org' }) })]));
    expect((await insurer.ok('verify/fhir', { bundle })).failed).toBe(0);
    const edited = JSON.parse(JSON.stringify(bundle));
    edited.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Communication').resource.payload[0].contentString = 'No response needed';
    const bad = await insurer.ok('verify/fhir', { bundle: edited });
    expect(bad.items.find((i) => i.recordId === esc.id)).toMatchObject({ ok: false, integrity: false });
    const editedFlow = JSON.parse(JSON.stringify(bundle));
    const o2 = editedFlow.entry.find((e: { resource: { id: string } }) => e.resource.id === oxygen.id).resource;
    o2.component.find((c: { code: { coding: Array<{ code: string }> } }) => c.code.coding.some((x) => x.code === '3151-8')).valueQuantity.value = 1;
    expect((await insurer.ok('verify/fhir', { bundle: editedFlow })).ok).toBe(false);
  });

  it('flags a patient without a responsible doctor', async () => {
    const r = await w.callers.nurse.ok('ward/registerAndAdmit', { name: 'Nobody Assigned', dob: '1981-07-07', hospitalNumber: 'OB000045', bed: '7' });
    expect(r.responsibleDoctor).toBeNull();
    expect((await rowOf(r.patient.address)).responsibleDoctor).toBeNull();
  });

  it('keeps a draft for the session through a lock and a reload, not for anyone else, and learns a save after a reload (drafts)', async () => {
    const { nurse, doctor } = w.callers;
    const form = { respiratoryRate: '18', pulse: '300', confirmed: 'pulse' };
    await nurse.ok('drafts/put', { patient, form });
    // A reload keeps the session token: a new page with the same token finds the draft.
    const reloaded = new Caller(gc.core);
    reloaded.token = nurse.token;
    expect((await reloaded.ok('drafts/get', { patient })).draft).toMatchObject({ state: 'editing', form });
    // Nobody else sees it.
    expect((await doctor.ok('drafts/get', { patient })).draft).toBeNull();
    // Locked: the last keystrokes are still kept, but nothing is read back until unlocked.
    await nurse.ok('session/lock', {});
    await nurse.ok('drafts/put', { patient, form: { ...form, pulse: '301' } });
    await expect(nurse.fails('drafts/get', { patient })).resolves.toMatchObject({ code: 'LOCKED' });
    await nurse.ok('session/unlock', { password: w.people.nurse.password });
    expect((await nurse.ok('drafts/get', { patient })).draft?.form.pulse).toBe('301');

    // A save, and the same submission sent again after a reload: one record, and the draft says it was saved.
    const submissionId = '11111111-2222-4333-8444-555555555555';
    const input = { patient, submissionId, vitals: { respiratoryRate: 18, pulse: 72 }, missingReason: 'Quick check' };
    const saving = nurse.ok('records/addVitals', input);
    const during = (await reloaded.ok('drafts/get', { patient })).draft;
    expect(['saving', 'saved']).toContain(during!.state);
    const first = await saving;
    const count = (await history(patient)).length;
    const again = await reloaded.ok('records/addVitals', input);
    expect(again.id).toBe(first.id);
    expect((await history(patient)).length).toBe(count);
    expect((await reloaded.ok('drafts/get', { patient })).draft).toMatchObject({ state: 'saved', saved: { recordId: first.id, escalate: false } });
    // A refused save leaves the draft "failed" with the reason, never stuck "saving".
    await reloaded.fails('records/addVitals', { patient, submissionId: '21111111-2222-4333-8444-555555555555', vitals: { pulse: 72 } });
    expect((await reloaded.ok('drafts/get', { patient })).draft).toMatchObject({ state: 'failed', error: expect.stringMatching(/missing/) });

    // Logging out ends the session and its drafts.
    await nurse.ok('drafts/put', { patient, form });
    await nurse.ok('session/logout', {});
    await nurse.login(w.people.nurse.name, w.people.nurse.password);
    expect((await nurse.ok('drafts/get', { patient })).draft).toBeNull();
  });

  it('records a meter’s memory at the time each reading was measured, corrected for the meter clock, and flags old readings (issue 7.5)', async () => {
    const { nurse, doctor } = w.callers;
    const { itAdmin } = w;
    await itAdmin.ok('settings/update', { maxReadingAgeDays: 1 });
    // Five FreeStyle readings over two days, on a meter whose clock runs 90 minutes fast.
    const drift = 90 * 60;
    // Whole minutes: the meter stores its readings to the minute.
    const truth = [44, 36, 28, 20, 2].map((h) => new Date(Math.floor((Date.now() - h * 3600_000) / 60_000) * 60_000));
    const readings = truth.map((t, i) => ({ kind: 'glucose' as const, value: 100 + i * 10, time: local(new Date(t.getTime() + drift * 1000)), id: 700 + i }));
    // The ward's acceptance limit is set in days; the first three readings are older than one.
    const id = await gc.graph.devices.plugSimulator('freestyle-neo', { serial: 'NEOTIME-00001', readings, clockDriftSeconds: drift });
    const o = await until(list, (x) => x.pending.filter((p) => p.deviceId === id).length === 5, 'the meter download');
    const mine = o.pending.filter((p) => p.deviceId === id).sort((a, b) => a.measuredAt!.localeCompare(b.measuredAt!));
    // A FreeStyle meter tells its clock to the minute ($time? answers "H,M", docs/devices.md), so
    // the measured drift, and the corrected times, are right to within that minute.
    const near = (iso: string | null, t: Date) => iso !== null && Math.abs(Date.parse(iso) - t.getTime()) <= 61_000;
    expect(mine.every((p, i) => near(p.measuredAt, truth[i]!)), JSON.stringify(mine.map((p) => p.measuredAt))).toBe(true);
    expect(mine.every((p) => p.clockDriftSeconds !== null && Math.abs(p.clockDriftSeconds - drift) <= 61)).toBe(true);
    // Older than one day: the first three; all five were measured before this admission.
    expect(mine.map((p) => p.olderThanLimit)).toEqual([true, true, true, false, false]);
    const refused = await nurse.fails('devices/assign', { readingIds: mine.map((p) => p.id), patient });
    expect(refused.details).toMatchObject({ confirmTimes: { olderThanLimit: mine.slice(0, 3).map((p) => p.id), beforeAdmission: expect.arrayContaining([mine[0]!.id]) } });
    expect(refused.message).toMatch(/older than 1 days/);
    await nurse.ok('devices/assign', { readingIds: mine.map((p) => p.id), patient, confirmTimes: true });
    await gc.graph.devices.unplugSimulator(id);

    const h = (await history(patient)).filter((r) => r.content?.device?.serial === 'NEOTIME-00001').sort((a, b) => a.measuredAt.localeCompare(b.measuredAt));
    expect(h.map((r) => r.measuredAt)).toEqual(mine.map((p) => p.measuredAt));
    for (const [i, r] of h.entries()) {
      expect(near(r.content!.measuredAt!, truth[i]!)).toBe(true);
      expect(r.content!.device).toMatchObject({ deviceTime: readings[i]!.time, receivedAt: expect.any(String) });
      expect(r.content!.device!.clockDriftSeconds).toBe(mine[i]!.clockDriftSeconds);
      // Recorded (signed) now, measured then: the upload time is not the clinical time.
      expect(Date.parse(r.createdAt) - Date.parse(r.measuredAt)).toBeGreaterThan(3600_000);
    }
    // FHIR effectiveDateTime is the measured time; Provenance.recorded the upload.
    const exp = await doctor.ok('export/fhir', { patient });
    const glucose = (exp.bundle as { entry: Array<{ resource: Record<string, unknown> }> }).entry
      .map((e) => e.resource)
      .filter((r) => (r.code as { coding?: Array<{ code: string }> } | undefined)?.coding?.some((c) => c.code === '41653-7'));
    expect(glucose.map((g) => g.effectiveDateTime).sort()).toEqual(h.map((r) => r.measuredAt));
    expect((await doctor.ok('verify/fhir', { bundle: exp.bundle })).failed).toBe(0);
    // A glucose reading is no NEWS2 set: the board's observation clock is unchanged.
    expect((await rowOf(patient)).observations!.lastComplete?.news2.complete).toBe(true);
    await itAdmin.ok('settings/update', { maxReadingAgeDays: 7 });
  });

  it('shows a damaged latest record on the board and in the doctor’s list, with the last verified set, after a restart (issue 8.2)', async () => {
    const { nurse } = w.callers;
    const older = await nurse.ok('records/addVitals', { patient: second, vitals: high });
    const latest = await nurse.ok('records/addVitals', { patient: second, vitals: { ...high, pulse: 90 } });
    await gc.core.stop();
    await editStoredRecord(dir, latest.id, (r) => {
      const ct = r.cipher.ct;
      r.cipher.ct = ct.slice(0, 20) + (ct[20] === '0' ? '1' : '0') + ct.slice(21);
    });

    gc = await startGraphCore(dir, { demo: true });
    const n = new Caller(gc.core);
    await n.login(w.people.nurse.name, w.people.nurse.password);
    const row = (await n.ok('ward/census', {})).find((r) => r.patient.address === second)!;
    expect(row.observations!.lastComplete!.recordId).toBe(older.id);
    expect(row.observations!.unverified).toEqual([expect.objectContaining({ recordId: latest.id, status: 'tampered', kind: 'vitals', problem: expect.stringMatching(/altered/) })]);
    const d = new Caller(gc.core);
    await d.login(w.people.doctor.name, w.people.doctor.password);
    const listed = (await d.ok('doctor/home', {})).patients.find((p) => p.address === second)!;
    expect(listed).toMatchObject({ needsAttention: true, observations: { unverified: [expect.objectContaining({ recordId: latest.id })] } });
    const h = await d.ok('records/history', { patient: second });
    expect(h.records.find((r) => r.id === latest.id)!.provenance.status).toBe('tampered');
    // Restore the manager for afterAll.
    w.callers.nurse = n;
  });
});
