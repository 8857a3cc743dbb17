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
import type { RecordStore } from '../records/recordStore';
import type { Admissions } from './admissions';
import type { Census } from './census';
import { byAttention, needsAttention } from './observationStatus';

export class PatientLists {
  constructor(
    private readonly admissions: Admissions,
    private readonly store: RecordStore,
    private readonly census: Census,
    private readonly people: People,
    private readonly audit: AuditTrail,
  ) {}

  async patientsOf(actor: Actor): Promise<PatientSummary[]> {
    const names = this.people.namesFor(actor);
    const addresses = new Set<string>();
    if (actor.role === 'doctor') for (const a of this.admissions.patientsOf(actor.address)) addresses.add(a.patient);
    for (const c of this.store.consents) if (this.store.activeGrantees(c.patient).has(actor.address)) addresses.add(c.patient);
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
        needsAttention: observations ? needsAttention(observations) : false,
      });
    }
    // What the list shows (names, and for doctors the observations) is audited as shown.
    await this.audit.recordShown(actor, out.map((p) => p.address));
    return out.sort(byAttention);
  }
}
