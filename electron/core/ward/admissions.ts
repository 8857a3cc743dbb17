/**
 * Who is on the ward: admissions (bed, responsible doctor, NEWS2 scale) in admissions.json.
 * It holds account addresses and bed labels only — names, ages and vitals stay encrypted.
 * Discharged episodes are kept (nothing is deleted), and so is every change of care relationship
 * with the ward-chain transaction that made it (the patient's access log lists them). Changes are
 * made through CareChanges (careChanges.ts), which decides who may make them and puts them on the
 * chain first.
 */
import { join } from 'node:path';
import { ethers } from 'ethers';
import { z } from 'zod';
import { readJson, writeJsonDurable } from '../platform/atomicFile';
import { WardError } from '../model/errors';
import type { CareChange } from '../model/ward';

export interface Admission {
  patient: string;
  bed: string;
  admittedAt: number;
  admittedBy: string;
  responsibleDoctor: string | null;
  news2Scale: 1 | 2;
  /** Who set Scale 2 and when (a clinician's recorded decision). */
  scaleSetBy: string | null;
  dischargedAt: number | null;
  dischargedBy: string | null;
  /** The ward-chain transaction of the admission (absent for admissions made before care was on the chain). */
  tx?: string;
}

interface AdmissionsFile {
  v: 1;
  episodes: Admission[];
  /** Every change of care relationship, oldest first (absent in files written before). */
  changes?: CareChange[];
}

/** Where and when the ward chain recorded a change. */
export interface OnChain {
  tx: string;
  block: number;
  at: number;
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const admissionsFile = z.object({
  v: z.literal(1),
  episodes: z.array(
    z.object({
      patient: address,
      bed: z.string(),
      admittedAt: z.number(),
      responsibleDoctor: address.nullable(),
      news2Scale: z.union([z.literal(1), z.literal(2)]),
      dischargedAt: z.number().nullable(),
    }),
  ),
  changes: z
    .array(
      z.object({
        patient: address,
        change: z.enum(['admit', 'assign-doctor', 'discharge']),
        by: address,
        doctor: address.nullable(),
        bed: z.string().nullable(),
        at: z.number(),
        tx: z.string(),
        block: z.number(),
      }),
    )
    .optional(),
});

export class Admissions {
  private file: AdmissionsFile;

  constructor(private readonly dataDir: string) {
    this.file = readJson<AdmissionsFile>(
      this.path,
      admissionsFile,
      "The ward's admissions file (admissions.json: beds and responsible doctors; records are kept elsewhere)",
    ) ?? { v: 1, episodes: [] };
  }

  private get path(): string {
    return join(this.dataDir, 'admissions.json');
  }

  private save(): void {
    writeJsonDurable(this.path, this.file);
  }

  /** Current admissions, by bed order. */
  current(): Admission[] {
    return this.file.episodes.filter((e) => e.dischargedAt === null).sort((a, b) => a.bed.localeCompare(b.bed, undefined, { numeric: true }));
  }

  currentOf(patient: string): Admission | null {
    const p = ethers.getAddress(patient);
    return this.file.episodes.find((e) => e.patient === p && e.dischargedAt === null) ?? null;
  }

  /** Whether the patient was ever admitted here (nurses may read records of current admissions only). */
  everAdmitted(patient: string): boolean {
    const p = ethers.getAddress(patient);
    return this.file.episodes.some((e) => e.patient === p);
  }

  /** Changes of care relationship of one patient (or of the whole ward), oldest first. */
  changesOf(patient: string | null): CareChange[] {
    const all = this.file.changes ?? [];
    return patient ? all.filter((c) => c.patient === ethers.getAddress(patient)) : [...all];
  }

  /** Refuse an admission that could not be written (checked before its transaction is sent). */
  requireAdmittable(patient: string, bed: string): void {
    if (this.currentOf(patient)) throw new WardError('CONFLICT', 'This patient is already admitted to the ward.');
    const taken = this.current().find((e) => e.bed.toLowerCase() === bed.toLowerCase());
    if (taken) throw new WardError('CONFLICT', `Bed ${bed} is already occupied.`, { fields: { bed: `Bed ${bed} is already occupied.` } });
  }

  private record(change: CareChange): void {
    this.file.changes = [...(this.file.changes ?? []), change];
  }

  admit(patient: string, bed: string, by: string, responsibleDoctor: string | null, chain: OnChain): Admission {
    const p = ethers.getAddress(patient);
    this.requireAdmittable(p, bed);
    const episode: Admission = {
      patient: p,
      bed,
      admittedAt: chain.at,
      admittedBy: by,
      responsibleDoctor: responsibleDoctor ? ethers.getAddress(responsibleDoctor) : null,
      news2Scale: 1,
      scaleSetBy: null,
      dischargedAt: null,
      dischargedBy: null,
      tx: chain.tx,
    };
    this.file.episodes.push(episode);
    this.record({ patient: p, change: 'admit', by, doctor: episode.responsibleDoctor, bed, ...chain });
    this.save();
    return episode;
  }

  private requireCurrent(patient: string): Admission {
    const a = this.currentOf(patient);
    if (!a) throw new WardError('NOT_FOUND', 'This patient is not admitted to the ward.');
    return a;
  }

  assignDoctor(patient: string, doctor: string, by: string, chain: OnChain): Admission {
    const a = this.requireCurrent(patient);
    a.responsibleDoctor = ethers.getAddress(doctor);
    this.record({ patient: a.patient, change: 'assign-doctor', by, doctor: a.responsibleDoctor, bed: null, ...chain });
    this.save();
    return a;
  }

  setScale(patient: string, scale: 1 | 2, by: string): Admission {
    const a = this.requireCurrent(patient);
    a.news2Scale = scale;
    a.scaleSetBy = by;
    this.save();
    return a;
  }

  discharge(patient: string, by: string, chain: OnChain): void {
    const a = this.requireCurrent(patient);
    a.dischargedAt = chain.at;
    a.dischargedBy = by;
    this.record({ patient: a.patient, change: 'discharge', by, doctor: null, bed: null, ...chain });
    this.save();
  }

  /**
   * Bring a current admission in line with the ward chain (the chain is the truth): ended when the
   * chain has the patient discharged, the responsible doctor the chain's. Returns whether it changed.
   */
  alignWithChain(patient: string, chain: { admitted: boolean; responsibleDoctor: string | null }): boolean {
    const a = this.currentOf(patient);
    if (!a) return false;
    if (!chain.admitted) {
      a.dischargedAt = Date.now();
      a.dischargedBy = null;
    } else if (a.responsibleDoctor !== chain.responsibleDoctor) {
      a.responsibleDoctor = chain.responsibleDoctor;
    } else return false;
    this.save();
    return true;
  }

  /** Patients a doctor is responsible for now. */
  patientsOf(doctor: string): Admission[] {
    const d = ethers.getAddress(doctor);
    return this.current().filter((a) => a.responsibleDoctor === d);
  }
}
