/**
 * Benchmark fixtures: a fresh core on a temp data directory with a staffed ward and one admitted
 * patient, and realistic varied vitals sets. Each benchmark owns its fixture and stops it.
 */
import type { ChainMember } from '../../electron/core/chain/registryClient';
import type { RecordContent } from '../../electron/core/model/records';
import type { VitalsInput } from '../../electron/core/model/vitals';
import { openInternals } from '../support/pipelineInternals';
import { timed } from './stats';
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

/**
 * The ward's patients, `total` in all: the staffed ward's own patient (admitted to bed 1A by the
 * caller) first, then patients 2…total registered and admitted by the nurse under the doctor to
 * beds 2A, 3A, … (`label`: their names, "<label> Patient n"; `code`: their hospital numbers'
 * prefix). Up to 59 patients (their birth years are 1942–1999).
 */
export async function admitPatients(ward: StaffedWard, total: number, label: string, code: string): Promise<string[]> {
  const patients = [ward.addresses.patient];
  for (let n = 2; n <= total; n++) {
    const row = await ward.callers.nurse.ok('ward/registerAndAdmit', {
      name: `${label} Patient ${n}`,
      dob: `19${40 + n}-0${1 + (n % 9)}-1${n % 10}`,
      hospitalNumber: `${code}${String(n).padStart(6, '0')}`,
      bed: `${n}A`,
      responsibleDoctor: ward.addresses.doctor,
    });
    patients.push(row.patient.address);
  }
  return patients;
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

/**
 * Seed a patient's vitals records through RecordWriter.create (the write path of addVitals), many
 * at a time, on the core's own object graph while the core is stopped. Through the API this would
 * take far too long; only the registry lookup of the patient is memoised (one chain read a record).
 */
export async function seedVitals(
  dir: string,
  patient: string,
  nurse: { name: string; password: string },
  o: { records: number; concurrency: number; record: (i: number) => { content: RecordContent; createdAt?: number } },
): Promise<{ ms: number; batches: number }> {
  const g = await openInternals(dir);
  try {
    const actor = await g.actor(nurse.name, nurse.password);
    const member = g.identity.member.bind(g.identity);
    const members = new Map<string, Promise<ChainMember | null>>();
    g.identity.member = (a: string) => members.get(a) ?? (members.set(a, member(a)), members.get(a)!);
    const write = (i: number) => {
      const { content, createdAt } = o.record(i);
      return g.writer.create(actor, patient, 'vitals', content, createdAt === undefined ? {} : { createdAt });
    };
    // The first record opens the patient's key scope; concurrent first writes would each open
    // one (writableScope has no in-flight guard), which a real ward with history never sees.
    await write(0);
    let next = 1;
    const { ms } = await timed(() =>
      Promise.all(
        Array.from({ length: o.concurrency }, async () => {
          while (next < o.records) await write(next++);
        }),
      ),
    );
    return { ms, batches: g.anchorQueue.stats.batches };
  } finally {
    await g.close();
  }
}
