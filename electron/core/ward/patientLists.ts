/**
 * The patients on a doctor's or insurer's home page: a doctor's are those admitted in their care
 * and those who shared their record with them; an insurer's are those who shared (without
 * vitals, which insurers read from the record itself).
 */
import { news2Of } from '../clinical/vitalsAssessment';
import type { Actor } from '../identity/actor';
import type { People } from '../identity/people';
import type { PatientSummary } from '../model/ward';
import type { RecordReader } from '../records/recordReader';
import type { AccessPolicy } from '../records/access';
import type { Admissions } from './admissions';

export class PatientLists {
  constructor(
    private readonly admissions: Admissions,
    private readonly access: AccessPolicy,
    private readonly reader: RecordReader,
    private readonly people: People,
  ) {}

  async patientsOf(actor: Actor): Promise<PatientSummary[]> {
    const names = this.people.namesFor(actor);
    const addresses = new Set<string>();
    if (actor.role === 'doctor') for (const a of this.admissions.patientsOf(actor.address)) addresses.add(a.patient);
    for (const p of await this.access.grantorsOf(actor.address)) addresses.add(p);
    const out: PatientSummary[] = [];
    for (const p of addresses) {
      const person = await names.person(p);
      const latest = actor.role === 'insurer' ? null : await this.reader.latestVitals(actor, p);
      const vitals = latest?.sealed?.content.vitals;
      out.push({
        ...person,
        bed: this.admissions.currentOf(p)?.bed ?? null,
        // Content without a stored NEWS2 (device readings) is scored on Scale 1 here; the board uses the patient's scale.
        latest: vitals ? { at: new Date(latest.record.createdAt).toISOString(), vitals, news2: news2Of({ vitals, news2: latest.sealed!.content.news2 }, 1) } : null,
      });
    }
    return out;
  }
}
