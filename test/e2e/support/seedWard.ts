/**
 * Fill a `wardledger serve --demo` ward to 30 beds through its loopback API, as a script would
 * (the launch secret in `x-wardledger-secret`): 27 more patients registered and admitted by the
 * demo nurse, most with one complete set at a chosen time, so the board has every band, overdue
 * and due patients, a missing escalation, and a patient without any set; and the widest rows a
 * board row must hold on one line: a long name, a missing escalation beside a newer partial set.
 */
import { unpackResult } from '../../../electron/core/model/replyPacking';

export interface SeededPatient {
  name: string;
  bed: string;
  /** Date of birth (YYYY-MM-DD) and hospital number, as admitted. */
  dob: string;
  hospitalNumber: string;
  /** Minutes before now the set was taken; null: no set. */
  takenMinutesAgo: number | null;
  vitals: Record<string, unknown> | null;
  /** Escalation recorded for a worrying set (else the board asks for it). */
  escalated: boolean;
  /** A partial set taken after the complete one (shown beside it, as "Since then: …"). */
  newer?: Record<string, unknown>;
}

/** The longest notes a row gets: a missing escalation and a newer partial reading (bed 4B). */
const newerPartial = { respiratoryRate: 20, spo2: 95, pulse: 98, temperature: { value: 37.9, unit: 'Cel' } };
/** A long name (bed 15B), which a board row cuts with an ellipsis and keeps whole in its text. */
export const longName = 'Board Patient 30 Anastasia Konstantinidou-Papadopoulou';

// Sub-scores per RCP NEWS2 Chart 1 (see /work/shared/reference/CLINICAL.md's table).
const calm = { respiratoryRate: 16, spo2: 97, supplementalOxygen: false, systolic: 124, diastolic: 76, pulse: 72, consciousness: 'A', temperature: { value: 36.8, unit: 'Cel' } }; // 0
const mild = { ...calm, respiratoryRate: 22, pulse: 95 }; // RR 22 → 2, pulse 95 → 1: 3, low
const singleThree = { ...calm, respiratoryRate: 26 }; // RR 26 → 3: 3 with a single 3, low–medium
const medium = { ...calm, respiratoryRate: 22, spo2: 94, systolic: 105, pulse: 95, temperature: { value: 38.4, unit: 'Cel' } }; // 2+1+1+1+1 = 6
const high = { ...medium, supplementalOxygen: true, oxygenDevice: 'nasal-cannula', oxygenFlow: 2, pulse: 115 }; // 2+1+2+1+2+1 = 9

function bedName(i: number): string {
  return `${Math.floor(i / 2) + 1}${i % 2 ? 'B' : 'A'}`;
}

/** The 27 patients added to the demo's three (beds 1A, 1B and 2A are the demo's). */
export function extraPatients(): SeededPatient[] {
  const plans: Array<[Record<string, unknown> | null, number | null, boolean]> = [
    [calm, 30, false],
    [mild, 60, false],
    [singleThree, 20, false],
    [medium, 30, true],
    [high, 10, false], // escalation not recorded
    [calm, 13 * 60, false], // 0 → 12-hourly: overdue
    [mild, 7 * 60, false], // 1–4 → 4–6-hourly: overdue
    [null, null, false], // admitted, no set yet
    [medium, 90, true], // hourly: overdue
  ];
  const out: SeededPatient[] = [];
  for (let i = 3; i < 30; i++) {
    const [vitals, taken, escalated] = plans[(i - 3) % plans.length]!;
    const name = i === 29 ? longName : `Board Patient ${String(i + 1).padStart(2, '0')}`;
    const bed = bedName(i);
    // A date of birth and a unique hospital number per bed (patients are admitted with both).
    const n = Number(bed.replace(/\D/g, ''));
    const letter = bed.replace(/\d/g, '').charCodeAt(0) || 65;
    const identifiers = { dob: `${1986 - (n % 50)}-0${1 + (n % 9)}-1${n % 10}`, hospitalNumber: `TB${String(n * 100 + letter).padStart(6, '0')}` };
    out.push({ name, bed, ...identifiers, takenMinutesAgo: taken, vitals, escalated, ...(i === 7 ? { newer: newerPartial } : {}) });
  }
  return out;
}

type Call = (operation: string, input: unknown, session?: string) => Promise<unknown>;

/** An API caller for the launch URL printed by `wardledger serve` (throws the ward's error message). */
export function apiCaller(launchUrl: string): Call {
  const url = new URL(launchUrl);
  const secret = url.searchParams.get('token') ?? '';
  return async (operation, input, session) => {
    const r = await fetch(new URL(`/api/${operation}`, url.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wardledger-secret': secret, ...(session ? { 'x-ward-session': session } : {}) },
      body: JSON.stringify(input),
    });
    const body = (await r.json()) as { ok: boolean; result?: unknown; error?: { message: string } };
    if (!body.ok) throw new Error(`${operation}: ${body.error?.message ?? r.status}`);
    // Packed as the renderer's HTTP bridge receives it (core/model/replyPacking.ts).
    return unpackResult(operation, body.result);
  };
}

/** Admit the extra patients as the demo nurse (to the demo doctor) and record their sets. */
export async function seedThirtyBeds(launchUrl: string, nurse = { name: 'Nora Nurse', password: 'demo-password' }, doctorName = 'Dr Grace Hopper'): Promise<SeededPatient[]> {
  const call = apiCaller(launchUrl);
  const { token } = (await call('session/login', nurse)) as { token: string };
  const doctors = (await call('ward/doctors', {}, token)) as Array<{ address: string; name: string }>;
  const doctor = doctors.find((d) => d.name === doctorName);
  if (!doctor) throw new Error(`No doctor "${doctorName}" on the ward.`);
  const patients = extraPatients();
  for (const p of patients) {
    const row = (await call('ward/registerAndAdmit', { name: p.name, dob: p.dob, hospitalNumber: p.hospitalNumber, bed: p.bed, responsibleDoctor: doctor.address }, token)) as {
      patient: { address: string };
    };
    if (!p.vitals || p.takenMinutesAgo === null) continue;
    const takenAt = new Date(Date.now() - p.takenMinutesAgo * 60_000).toISOString();
    const late = p.takenMinutesAgo >= 60 ? { lateEntryReason: 'Entered from the paper chart for the board test' } : {};
    const record = (await call('records/addVitals', { patient: row.patient.address, vitals: p.vitals, takenAt, ...late }, token)) as { id: string };
    if (p.escalated) {
      await call('records/addEscalation', { patient: row.patient.address, forRecord: record.id, informed: { name: doctorName, role: 'Responsible doctor', address: doctor.address }, informedAt: takenAt, response: 'Reviewed on the ward round' }, token);
    }
    if (p.newer) await call('records/addVitals', { patient: row.patient.address, vitals: p.newer, missingReason: 'Patient declined' }, token);
  }
  return patients;
}
