/**
 * `--demo`: on the first start of an empty data directory, seed a living ward so a newcomer sees
 * it at once — staff, patients in beds, and three days of plausible vitals (one patient
 * deteriorating), all through the real pipeline (signed, encrypted, anchored). The accounts are
 * printed so the newcomer can log in as each role.
 */
import type { Role } from '../model/people';
import { observationContent } from '../clinical/vitalsAssessment';
import type { VitalsInput } from '../model/vitals';
import type { Approvals } from '../identity/approvals';
import type { IdentityService } from '../identity/identityService';
import type { Actor } from '../identity/actor';
import type { RecordWriter } from '../records/recordWriter';
import type { CareChanges } from '../ward/careChanges';

export const demoPassword = 'demo-password';

export const demoAccounts: Array<{ name: string; age: number; role: Role }> = [
  { name: 'Ada Admin', age: 44, role: 'it-admin' },
  { name: 'Dr Grace Hopper', age: 52, role: 'doctor' },
  { name: 'Nora Nurse', age: 31, role: 'nurse' },
  { name: 'Ivan Insurer', age: 47, role: 'insurer' },
  { name: 'Peter Patient', age: 71, role: 'patient' },
  { name: 'Mary Major', age: 58, role: 'patient' },
  { name: 'Sam Steady', age: 39, role: 'patient' },
];

/** A deterministic pseudo-random walk, so the demo looks the same every time. */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

function vitalsAt(step: number, steps: number, deteriorating: boolean, r: () => number): VitalsInput {
  const t = deteriorating ? Math.max(0, (step - steps * 0.6) / (steps * 0.4)) : 0; // worsens in the last 40 %
  const j = (spread: number) => (r() - 0.5) * spread;
  const onOxygen = t > 0.6;
  return {
    respiratoryRate: Math.round(16 + 8 * t + j(3)),
    spo2: Math.round(97 - 6 * t + j(2)),
    supplementalOxygen: onOxygen,
    ...(onOxygen ? { oxygenDevice: 'nasal-cannula' as const, oxygenFlow: 2 } : {}),
    systolic: Math.round(124 - 28 * t + j(8)),
    diastolic: Math.round(76 - 12 * t + j(6)),
    pulse: Math.round(74 + 38 * t + j(8)),
    consciousness: t > 0.9 ? 'C' : 'A',
    temperature: { value: Math.round((36.8 + 1.6 * t + j(0.4)) * 10) / 10, unit: 'Cel' },
  };
}

export async function seedDemoWard(deps: { identity: IdentityService; approvals: Approvals; writer: RecordWriter; care: CareChanges }): Promise<void> {
  const { identity, approvals, writer, care } = deps;
  const [adminSpec, ...others] = demoAccounts;
  await identity.setupWard({ wardName: 'Ward 7 North (demo)', name: adminSpec!.name, age: adminSpec!.age, password: demoPassword });
  const admin = await identity.login(adminSpec!.name, demoPassword);
  const address: Record<string, string> = {};
  for (const a of others) {
    const reg = await identity.register({ ...a, password: demoPassword });
    if (reg.status === 'pending') await approvals.decide(admin.wallet, reg.address, 'approve');
    address[a.name] = reg.address;
  }
  const nurseLogin = await identity.login('Nora Nurse', demoPassword);
  const nurse: Actor = { address: nurseLogin.wallet.address, name: 'Nora Nurse', role: 'nurse', wallet: nurseLogin.wallet, teamKey: identity.teamKeyFor(nurseLogin.wallet, 'nurse') };
  const doctor = address['Dr Grace Hopper']!;
  const patients: Array<[string, string, boolean]> = [
    ['Peter Patient', '1A', true],
    ['Mary Major', '1B', false],
    ['Sam Steady', '2A', false],
  ];
  const steps = 18; // every 4 hours over three days
  const start = Date.now() - steps * 4 * 3600_000;
  for (const [i, [name, bed, deteriorating]] of patients.entries()) {
    const admission = await care.admit(nurse, address[name]!, bed, doctor, { admittedAt: start - 3600_000 });
    const r = rng(7 + i);
    for (let step = 0; step < steps; step++) {
      // Each set is entered as it was taken then, through the one vitals path, on the patient's scale.
      const takenAt = start + step * 4 * 3600_000 + i * 600_000;
      const content = observationContent({ vitals: vitalsAt(step, steps, deteriorating, r) }, admission.news2Scale, { kind: 'entered', now: takenAt });
      await writer.create(nurse, address[name]!, 'vitals', content, { createdAt: takenAt });
    }
  }
}

export function demoBanner(): string {
  return [
    'Demo ward seeded. Log in with password "demo-password" as:',
    ...demoAccounts.map((a) => `  ${a.name.padEnd(18)} (${a.role})`),
  ].join('\n');
}
