/**
 * Issue 9 item 8: a monitor's bed binding was lost on any restart, so unattended recording stopped
 * without a word. Bindings are kept (records/bedBindingStore.ts) by the monitor's driver and serial:
 * after a restart a bound oximeter resumes recording for the same patient as soon as it is
 * identified, the panel says it resumed, lists a binding whose monitor is not back yet, and a
 * patient discharged meanwhile ends it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevicesOverview } from '../../../electron/core/model/devices';
import type { WardCore } from '../../../electron/core/shellContract';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';
import { until } from '../../support/until';

describe('bed bindings across restarts', () => {
  let dir: string;
  let core: WardCore;
  let people: Awaited<ReturnType<typeof staffedWard>>['people'];
  let patient: string;
  let nurse: Caller;
  let doctor: Caller;

  const restart = async (simulate: string[]) => {
    await core.stop();
    core = await startCore(dir, { simulate });
    nurse = new Caller(core);
    await nurse.login(people.nurse.name, people.nurse.password);
    doctor = new Caller(core);
    await doctor.login(people.doctor.name, people.doctor.password);
  };
  const list = () => nurse.ok('devices/list', {}) as Promise<DevicesOverview>;
  const oximeter = (o: DevicesOverview) => o.devices.find((d) => d.driver === 'beurer-po80');
  const stationRecords = async () => (await doctor.ok('records/history', { patient })).records.filter((r) => r.author.role === 'station').length;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir, { simulate: ['oximeter'] });
    const w = await staffedWard(core);
    people = w.people;
    patient = w.addresses.patient;
    nurse = w.callers.nurse;
    doctor = w.callers.doctor;
    await nurse.ok('ward/admit', { patient, bed: '6', responsibleDoctor: w.addresses.doctor });
    const o = await until(list, (x) => oximeter(x)?.live?.spo2 != null, 'live oximeter values');
    await nurse.ok('devices/bind', { deviceId: oximeter(o)!.id, patient, intervalSeconds: 5 });
    await until(list, (x) => (oximeter(x)?.binding?.recorded ?? 0) >= 1, 'a first bound reading');
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('resumes recording for the same bed after a restart, and says so', async () => {
    const before = await stationRecords();
    await restart(['oximeter']);
    const o = await until(list, (x) => (oximeter(x)?.binding?.recorded ?? 0) >= 1, 'the binding to resume and record');
    expect(oximeter(o)!.binding).toMatchObject({ patient, bed: '6', intervalSeconds: 5, boundBy: 'Florence Nurse', resumed: { byPort: false } });
    expect(o.waitingBindings).toEqual([]);
    expect(await stationRecords()).toBeGreaterThan(before);
  });

  it('lists a binding whose monitor is not back yet, and resumes it when it is plugged in', async () => {
    await restart(['freestyle-neo']); // simulation on, the oximeter not plugged in
    const waiting = await until(list, (x) => x.waitingBindings.length > 0, 'the waiting binding');
    expect(waiting.waitingBindings).toEqual([expect.objectContaining({ model: 'Beurer PO80', serial: 'PO80-DEMO-0042', patient, bed: '6', boundBy: 'Florence Nurse' })]);
    await nurse.ok('devices/simulate', { simulator: 'oximeter' }); // another port (sim path) this time
    const o = await until(list, (x) => oximeter(x)?.binding?.resumed != null, 'the binding to resume');
    expect(o.waitingBindings).toEqual([]);
  });

  it('ends the binding when the monitor is unplugged, and when the patient is discharged while closed', async () => {
    // Unplugging ends it: the monitor may go to another bed.
    const o = await list();
    await nurse.ok('devices/unplugSimulated', { deviceId: oximeter(o)!.id });
    await nurse.ok('devices/simulate', { simulator: 'oximeter' });
    const replugged = await until(list, (x) => oximeter(x)?.status === 'streaming', 'the oximeter again');
    expect(oximeter(replugged)!.binding).toBeNull();
    expect(replugged.waitingBindings).toEqual([]);

    // Bound again, then the patient is discharged while the monitor is away: no recording resumes.
    await nurse.ok('devices/bind', { deviceId: oximeter(replugged)!.id, patient, intervalSeconds: 5 });
    await restart(['freestyle-neo']);
    await until(list, (x) => x.waitingBindings.length === 1, 'the waiting binding');
    await nurse.ok('ward/discharge', { patient });
    expect((await list()).waitingBindings).toEqual([expect.objectContaining({ bed: null })]);
    await nurse.ok('devices/simulate', { simulator: 'oximeter' });
    const after = await until(list, (x) => oximeter(x)?.status === 'streaming' && x.waitingBindings.length === 0, 'the monitor back, unbound');
    expect(oximeter(after)!.binding).toBeNull();
    expect(oximeter(after)!.message).toMatch(/discharged/);
  });
});
