/**
 * Who is on the ward: admissions (bed, responsible doctor, NEWS2 scale) in admissions.json.
 * It holds account addresses and bed labels only — names, ages and vitals stay encrypted.
 * Discharged episodes are kept (nothing is deleted).
 */
import { join } from 'node:path';
import { ethers } from 'ethers';
import { z } from 'zod';
import { readJson, writeJsonDurable } from '../platform/atomicFile';
import { WardError } from '../model/errors';

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
}

interface AdmissionsFile {
  v: 1;
  episodes: Admission[];
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

  admit(patient: string, bed: string, by: string, responsibleDoctor: string | null): Admission {
    const p = ethers.getAddress(patient);
    if (this.currentOf(p)) throw new WardError('CONFLICT', 'This patient is already admitted to the ward.');
    const taken = this.current().find((e) => e.bed.toLowerCase() === bed.toLowerCase());
    if (taken) throw new WardError('CONFLICT', `Bed ${bed} is already occupied.`, { fields: { bed: `Bed ${bed} is already occupied.` } });
    const episode: Admission = {
      patient: p,
      bed,
      admittedAt: Date.now(),
      admittedBy: by,
      responsibleDoctor: responsibleDoctor ? ethers.getAddress(responsibleDoctor) : null,
      news2Scale: 1,
      scaleSetBy: null,
      dischargedAt: null,
      dischargedBy: null,
    };
    this.file.episodes.push(episode);
    this.save();
    return episode;
  }

  private requireCurrent(patient: string): Admission {
    const a = this.currentOf(patient);
    if (!a) throw new WardError('NOT_FOUND', 'This patient is not admitted to the ward.');
    return a;
  }

  assignDoctor(patient: string, doctor: string): Admission {
    const a = this.requireCurrent(patient);
    a.responsibleDoctor = ethers.getAddress(doctor);
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

  discharge(patient: string, by: string): void {
    const a = this.requireCurrent(patient);
    a.dischargedAt = Date.now();
    a.dischargedBy = by;
    this.save();
  }

  /** Patients a doctor is responsible for now. */
  patientsOf(doctor: string): Admission[] {
    const d = ethers.getAddress(doctor);
    return this.current().filter((a) => a.responsibleDoctor === d);
  }
}
