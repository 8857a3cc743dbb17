/**
 * Benchmark fixtures: a fresh core on a temp data directory with a staffed ward and one admitted
 * patient, and realistic varied vitals sets. Each benchmark owns its fixture and stops it.
 */
import type { VitalsInput } from '../../electron/core/model/vitals';
import type { WardCore } from '../../electron/core/shellContract';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../support/tempCore';

export type StaffedWard = Awaited<ReturnType<typeof staffedWard>>;

export interface BenchWard {
  dir: string;
  core: WardCore;
  ward: StaffedWard;
  /** The admitted patient's address (nurse: care team; doctor: responsible doctor). */
  patient: string;
}

/** Start a fresh core, staff the ward and admit the patient under the doctor. */
export async function openBenchWard(): Promise<BenchWard> {
  const dir = tempDir('wardledger-bench-');
  const core = await startCore(dir);
  const ward = await staffedWard(core);
  const patient = ward.addresses.patient;
  await ward.callers.nurse.ok('ward/admit', { patient, bed: '1A', responsibleDoctor: ward.addresses.doctor });
  return { dir, core, ward, patient };
}

/** Stop the core (if still running) and delete its data directory. */
export async function closeBenchWard(w: { dir: string; core: WardCore | null }): Promise<void> {
  await w.core?.stop();
  removeDir(w.dir);
}

/** Restart a stopped ward's core on the same data directory and log a person in again. */
export async function restartAndLogin(dir: string, who: { name: string; password: string }): Promise<{ core: WardCore; caller: Caller }> {
  const core = await startCore(dir);
  return { core, caller: await loginAs(core, who) };
}

/** A new session for a person on a running core. */
export async function loginAs(core: WardCore, who: { name: string; password: string }): Promise<Caller> {
  const caller = new Caller(core);
  await caller.login(who.name, who.password);
  return caller;
}

/** The i-th of a deterministic, plausible, varied series of vitals sets (all fields filled). */
export function vitalsSet(i: number): VitalsInput {
  const wave = (period: number, amp: number) => Math.round(amp * Math.sin((2 * Math.PI * i) / period));
  return {
    respiratoryRate: 16 + wave(37, 4),
    spo2: 96 + wave(53, 3),
    supplementalOxygen: i % 17 === 0,
    ...(i % 17 === 0 ? { oxygenDevice: 'nasal-cannula' as const, oxygenFlow: 2 } : {}),
    systolic: 122 + wave(41, 18),
    diastolic: 78 + wave(43, 9),
    pulse: 74 + wave(29, 14),
    consciousness: 'A',
    temperature: { value: Math.round((37 + 0.6 * Math.sin(i / 11)) * 10) / 10, unit: 'Cel' },
    bloodGlucose: { value: Math.round((6 + 1.5 * Math.sin(i / 7)) * 10) / 10, unit: 'mmol/L' },
  };
}
