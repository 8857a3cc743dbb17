/** Test helper: a real core on a fresh temporary data directory, and a caller bound to it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../electron/core/core';
import type { InputOf, OperationName, OutputOf } from '../../electron/core/api/contract';
import type { CallResult, CoreConfig, StartupProgress, WardCore } from '../../electron/core/shellContract';
import type { VitalsInput } from '../../electron/core/model/vitals';

export function tempDir(prefix = 'wardledger-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A fast keystore cost for tests that are not about the keystore itself. */
export const testScryptN = 1024;

export async function startCore(dataDir: string, extra: Partial<CoreConfig> = {}, onProgress?: (p: StartupProgress) => void): Promise<WardCore> {
  // Real USB stays out of tests (results must not depend on what is plugged into the machine).
  const core = createCore({ dataDir, keystoreScryptN: testScryptN, lockCheckIntervalMs: 50, usb: false, devicePollMs: 100, ...extra });
  await core.start(onProgress);
  return core;
}

export class Caller {
  token: string | null = null;
  constructor(
    readonly core: WardCore,
    readonly channel = `test-${Math.random().toString(36).slice(2)}`,
  ) {}

  raw(operation: string, input: unknown): Promise<CallResult> {
    return this.core.call({ sessionToken: this.token, channel: this.channel }, operation, input);
  }

  /** Call and expect success. */
  async ok<N extends OperationName>(operation: N, input: InputOf<N>): Promise<OutputOf<N>> {
    const r = await this.raw(operation, input);
    if (!r.ok) throw new Error(`${operation} failed: ${r.error.code} ${r.error.message}`);
    return r.result as OutputOf<N>;
  }

  /** Call and expect a failure; returns the error. */
  async fails(operation: string, input: unknown): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
    const r = await this.raw(operation, input);
    if (r.ok) throw new Error(`${operation} unexpectedly succeeded`);
    return r.error;
  }

  async login(name: string, password: string): Promise<void> {
    const s = await this.ok('session/login', { name, password });
    this.token = s.token;
  }
}

/** A complete observation set as a nurse enters it through `records/addVitals` (NEWS2 0 at pulse 72). */
export function completeVitals(pulse: number): VitalsInput {
  return { respiratoryRate: 18, spo2: 97, supplementalOxygen: false, systolic: 122, diastolic: 78, pulse, consciousness: 'A', temperature: { value: 37.1, unit: 'Cel' } };
}

export const admin = { wardName: 'Ward 7 North', name: 'Ada Admin', age: 41, password: 'admin-password-1' };

/** A ward with an IT admin, an approved doctor and nurse, an insurer and a patient, all logged in. */
export async function staffedWard(core: WardCore, wardName = admin.wardName) {
  const anon = new Caller(core);
  await anon.ok('ward/setup', { ...admin, wardName });
  const itAdmin = new Caller(core);
  await itAdmin.login(admin.name, admin.password);
  const people = {
    doctor: { role: 'doctor', name: 'Grace Hopper', age: 52, password: 'doctor-password' },
    otherDoctor: { role: 'doctor', name: 'Other Doctor', age: 45, password: 'doctor-password-2' },
    nurse: { role: 'nurse', name: 'Florence Nurse', age: 33, password: 'nurse-password' },
    insurer: { role: 'insurer', name: 'Ivy Insurer', age: 40, password: 'insurer-password' },
    patient: { role: 'patient', name: 'Pat Patient', age: 67, password: 'patient-password' },
  } as const;
  const addresses: Record<keyof typeof people, string> = {} as never;
  const callers: Record<keyof typeof people, Caller> = {} as never;
  for (const [key, p] of Object.entries(people) as Array<[keyof typeof people, (typeof people)[keyof typeof people]]>) {
    const reg = await anon.ok('identity/register', p);
    addresses[key] = reg.address;
    if (reg.status === 'pending') await itAdmin.ok('admin/approve', { address: reg.address });
    callers[key] = new Caller(core);
    await callers[key].login(p.name, p.password);
  }
  return { anon, itAdmin, people, addresses, callers };
}

/** A staffed ward (staffedWard) in a new data directory, its patient admitted to bed 4 under the doctor, the core running. */
export async function admittedWard(): Promise<{ dir: string; core: WardCore; w: Awaited<ReturnType<typeof staffedWard>> }> {
  const dir = tempDir();
  const core = await startCore(dir);
  const w = await staffedWard(core);
  await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '4', responsibleDoctor: w.addresses.doctor });
  return { dir, core, w };
}

/** The same with the core stopped: for tests that go on with the pipeline's internals on it. */
export async function admittedWardOnDisk(): Promise<{ dir: string; w: Awaited<ReturnType<typeof staffedWard>> }> {
  const { dir, core, w } = await admittedWard();
  await core.stop();
  return { dir, w };
}
