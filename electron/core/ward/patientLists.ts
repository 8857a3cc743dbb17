/**
 * The patients on a doctor's or insurer's home page: a doctor's are those admitted in their care
 * and those who shared their record with them, deteriorating and overdue patients first, each
 * with the same observation status the ward board shows; an insurer's are those who shared
 * (without vitals, which insurers read from the record itself).
 */
import type { Actor } from '../identity/actor';
import { personRef, type People } from '../identity/people';
import type { AuditTrail } from '../records/auditTrail';
import type { PatientSummary } from '../model/ward';
import type { AccessPolicy } from '../records/access';
import type { RecordReader } from '../records/recordReader';
import type { Admissions } from './admissions';
import type { Census } from './census';
import { byAttention, needsAttention } from './observationStatus';

export class PatientLists {
  constructor(
    private readonly admissions: Admissions,
    private readonly access: AccessPolicy,
    private readonly reader: RecordReader,
    private readonly census: Census,
    private readonly people: People,
    private readonly audit: AuditTrail,
  ) {}

  async patientsOf(actor: Actor): Promise<PatientSummary[]> {
    const names = this.people.namesFor(actor);
    const addresses = new Set<string>();
    if (actor.role === 'doctor') for (const a of this.admissions.patientsOf(actor.address)) addresses.add(a.patient);
    for (const p of await this.access.grantorsOf(actor.address)) addresses.add(p);
    const out: PatientSummary[] = [];
    for (const p of addresses) {
      const admission = this.admissions.currentOf(p);
      // Observations are timed from an admission: a shared record of a patient not on the ward has none to show.
      const observations = actor.role !== 'insurer' && admission ? await this.census.status(actor, admission) : null;
      out.push({
        ...(await names.person(p)),
        bed: admission?.bed ?? null,
        news2Scale: admission?.news2Scale ?? 1,
        responsibleDoctor: admission?.responsibleDoctor ? personRef(await names.person(admission.responsibleDoctor)) : null,
        observations,
        latestVitalsAt: await this.latestVitalsAt(p),
        needsAttention: observations ? needsAttention(observations) : false,
      });
    }
    // What the list shows (names, and for doctors the observations) is audited as shown.
    await this.audit.recordShown(actor, out.map((p) => p.address));
    return out.sort(byAttention);
  }

  /** From the store's vitals index (the measured time is public metadata): nothing is decrypted for the list. */
  private async latestVitalsAt(patient: string): Promise<string | null> {
    const at = await this.reader.latestVitalsAt(patient);
    return at === null ? null : new Date(at).toISOString();
  }
}
