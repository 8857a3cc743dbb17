/** Handlers for the ward workflow, records, consent, audit, export and verification. */
import { ethers } from 'ethers';
import type { WardNode } from '../chain/wardNode';
import { computeNews2 } from '../clinical/news2';
import { validateVitals } from '../clinical/vitals';
import { WardError } from '../common/errors';
import type { IdentityService } from '../identity/identityService';
import type { Session, SessionManager } from '../identity/sessions';
import type { AuditTrail } from '../records/auditTrail';
import { revokeNotice, type ConsentService } from '../records/consentService';
import { exportBundle, verifyExport } from '../records/fhirExchange';
import type { Actor, RecordService } from '../records/recordService';
import type { RecordStore } from '../records/recordStore';
import type { Admission, Admissions } from '../ward/admissions';
import type { CensusRow, NormalisedVitals, OperationName, PersonRef, RecordContent } from './contract';
import { actorOf as actorOfSession } from './actor';
import type { Handlers } from './router';
import { censusRow, monitoringIntervalMinutes } from '../ward/census';

export interface ClinicalDeps {
  node: WardNode;
  identity: IdentityService;
  sessions: SessionManager;
  store: RecordStore;
  records: RecordService;
  consent: ConsentService;
  audit: AuditTrail;
  admissions: Admissions;
}

type ClinicalOps = Exclude<
  OperationName,
  | 'ward/status'
  | 'ward/setup'
  | 'identity/register'
  | 'session/login'
  | 'session/me'
  | 'session/touch'
  | 'session/lock'
  | 'session/unlock'
  | 'session/logout'
  | 'admin/pending'
  | 'admin/approve'
  | 'admin/reject'
  | 'admin/members'
  | 'settings/update'
  | 'doctor/home'
  | 'patient/home'
  | `devices/${string}`
>;

export { monitoringIntervalMinutes };

export function createClinicalHandlers(d: ClinicalDeps): Pick<Handlers, ClinicalOps> & { myPatients: (actor: Actor) => Promise<PatientSummary[]> } {
  const actorOf = (session: Session | null): Actor => actorOfSession(d.sessions, session);

  /** Names as this actor may see them: staff from the public directory, patients from sealed profiles. */
  const namer = (actor: Actor) => {
    const cache = new Map<string, PersonRef & { age: number }>();
    return async (address: string): Promise<PersonRef & { age: number }> => {
      const a = ethers.getAddress(address);
      const hit = cache.get(a);
      if (hit) return hit;
      const staff = d.identity.directory.staffName(a);
      let person: PersonRef & { age: number };
      if (staff) person = { address: a, name: staff.name, role: staff.role, age: -1 };
      else {
        let profile = null;
        for (const k of [actor.teamKey, actor.wallet.privateKey]) {
          if (!k || profile) continue;
          profile = await d.identity.readProfile(a, k);
        }
        person = profile ? { address: a, name: profile.name, role: profile.role, age: profile.age } : { address: a, name: `Patient ${a.slice(0, 8)}…`, role: 'patient', age: -1 };
      }
      cache.set(a, person);
      return person;
    };
  };

  const row = async (actor: Actor, a: Admission): Promise<CensusRow> => {
    const names = namer(actor);
    const latest = await d.records.latestVitals(actor, a.patient);
    return censusRow(a, await names(a.patient), a.responsibleDoctor ? await names(a.responsibleDoctor) : null, latest?.sealed ?? null, Date.now());
  };

  const vitalsOrFieldErrors = (input: unknown): NormalisedVitals => {
    const v = validateVitals(input);
    if (!v.ok) throw new WardError('BAD_INPUT', Object.values(v.errors)[0] ?? 'The vitals are not valid.', { fields: v.errors });
    return v.value;
  };

  const scaleOf = (patient: string): 1 | 2 => d.admissions.currentOf(patient)?.news2Scale ?? 1;

  const requireClinicalWriteAccess = (actor: Actor, patient: string): void => {
    const basis = d.records.accessBasis(actor, patient);
    if (basis === 'consent' && actor.role === 'insurer') throw new WardError('FORBIDDEN', 'Insurers cannot write records.');
  };

  const view = async (actor: Actor, id: string) => {
    const opened = await d.records.openOne(actor, id);
    const { age: _age, ...author } = await namer(actor)(opened.record.author);
    return d.records.toView(opened, () => author);
  };

  const myPatients = async (actor: Actor): Promise<PatientSummary[]> => {
    const names = namer(actor);
    const addresses = new Set<string>();
    if (actor.role === 'doctor') for (const a of d.admissions.patientsOf(actor.address)) addresses.add(a.patient);
    for (const c of d.store.consents) if (d.store.activeGrantees(c.patient).has(actor.address)) addresses.add(c.patient);
    const out: PatientSummary[] = [];
    for (const p of addresses) {
      const person = await names(p);
      const latest = actor.role === 'insurer' ? null : await d.records.latestVitals(actor, p);
      const adm = d.admissions.currentOf(p);
      out.push({
        ...person,
        bed: adm?.bed ?? null,
        latest: latest?.sealed?.content.vitals
          ? { at: new Date(latest.record.createdAt).toISOString(), vitals: latest.sealed.content.vitals, news2: latest.sealed.content.news2 ?? computeNews2(latest.sealed.content.vitals) }
          : null,
      });
    }
    return out;
  };

  const anchorsContract = () => d.identity.wardConfig.contracts.anchors;

  return {
    myPatients,

    'ward/census': async (ctx) => {
      const actor = actorOf(ctx.session);
      return Promise.all(d.admissions.current().map((a) => row(actor, a)));
    },

    'ward/unadmittedPatients': async (ctx) => {
      const actor = actorOf(ctx.session);
      const names = namer(actor);
      const members = await d.identity.registry.members();
      const patients = members.filter((m) => m.role === 'patient' && m.status === 'approved' && !d.admissions.currentOf(m.address));
      return Promise.all(patients.map((m) => names(m.address)));
    },

    'ward/doctors': async (ctx) => {
      const actor = actorOf(ctx.session);
      const names = namer(actor);
      const members = await d.identity.registry.members();
      const doctors = members.filter((m) => m.role === 'doctor' && m.status === 'approved');
      return Promise.all(doctors.map(async (m) => { const { age: _age, ...p } = await names(m.address); return p; }));
    },

    'ward/admit': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      const patient = await d.records.requirePatient(input.patient);
      if (input.responsibleDoctor) await requireDoctor(d.identity, input.responsibleDoctor);
      return row(actor, d.admissions.admit(patient.address, input.bed, actor.address, input.responsibleDoctor ?? null));
    },

    'ward/registerAndAdmit': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      if (input.responsibleDoctor) await requireDoctor(d.identity, input.responsibleDoctor);
      if (d.admissions.current().some((a) => a.bed.toLowerCase() === input.bed.toLowerCase())) {
        throw new WardError('CONFLICT', `Bed ${input.bed} is already occupied.`, { fields: { bed: `Bed ${input.bed} is already occupied.` } });
      }
      const reg = await d.identity.register({ role: 'patient', name: input.name, age: input.age, password: input.password });
      const admitted = await row(actor, d.admissions.admit(reg.address, input.bed, actor.address, input.responsibleDoctor ?? null));
      return reg.warning ? { ...admitted, warning: reg.warning } : admitted;
    },

    'ward/assignDoctor': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      await requireDoctor(d.identity, input.doctor);
      return row(actor, d.admissions.assignDoctor(input.patient, input.doctor));
    },

    'ward/setNews2Scale': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      requireClinicalWriteAccess(actor, input.patient);
      const a = d.admissions.setScale(input.patient, input.scale, actor.address);
      await d.records.create(actor, input.patient, 'note', { note: `NEWS2 SpO2 scale set to Scale ${input.scale}. Reason: ${input.reason}` });
      return row(actor, a);
    },

    'ward/discharge': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      d.admissions.discharge(input.patient, actor.address);
      return { discharged: true as const };
    },

    'vitals/preview': async (_ctx, input) => {
      const v = validateVitals(input.vitals);
      const scale = input.patient ? scaleOf(input.patient) : 1;
      if (!v.ok) {
        // Score what is valid so the nurse sees the NEWS2 building up while typing.
        const partial = validateVitals(stripInvalid(input.vitals, v.errors));
        return { valid: false, errors: v.errors, news2: partial.ok ? computeNews2(partial.value, { scale }) : null };
      }
      return { valid: true, errors: {}, news2: computeNews2(v.value, { scale }) };
    },

    'records/addVitals': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      requireClinicalWriteAccess(actor, input.patient);
      const vitals = vitalsOrFieldErrors(input.vitals);
      const content: RecordContent = { vitals, news2: computeNews2(vitals, { scale: scaleOf(input.patient) }) };
      const r = await d.records.create(actor, input.patient, 'vitals', content);
      return view(actor, r.id);
    },

    'records/addNote': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      requireClinicalWriteAccess(actor, input.patient);
      const r = await d.records.create(actor, input.patient, 'note', { note: input.text });
      return view(actor, r.id);
    },

    'records/addDiagnosis': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      requireClinicalWriteAccess(actor, input.patient);
      const r = await d.records.create(actor, input.patient, 'diagnosis', { diagnosis: { text: input.text, ...(input.code ? { code: input.code } : {}) } });
      return view(actor, r.id);
    },

    'records/amend': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      const original = d.records.recordOf(input.recordId);
      requireClinicalWriteAccess(actor, original.patient);
      const content: RecordContent = { reason: input.reason };
      if (input.vitals !== undefined) {
        content.vitals = vitalsOrFieldErrors(input.vitals);
        content.news2 = computeNews2(content.vitals, { scale: scaleOf(original.patient) });
      }
      if (input.note) content.note = input.note;
      if (input.diagnosis) content.diagnosis = { text: input.diagnosis.text, ...(input.diagnosis.code ? { code: input.diagnosis.code } : {}) };
      if (!content.vitals && !content.note && !content.diagnosis) {
        throw new WardError('BAD_INPUT', 'An amendment needs the corrected vitals, note or diagnosis.', { fields: { _: 'Give the corrected content.' } });
      }
      const r = await d.records.create(actor, original.patient, 'amendment', content, { amends: original.id });
      await d.audit.record(actor, original.patient, 'amend');
      return view(actor, r.id);
    },

    'records/history': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      const patient = ethers.getAddress(input.patient);
      const basis = d.records.accessBasis(actor, patient, input.breakGlassReason);
      const opened = await d.records.openAll(actor, patient);
      const names = namer(actor);
      const authors = new Map<string, PersonRef>();
      for (const o of opened) if (!authors.has(o.record.author)) { const { age: _age, ...p } = await names(o.record.author); authors.set(o.record.author, p); }
      const breakGlass = basis === 'break-glass';
      await d.audit.record(actor, patient, 'read', breakGlass ? { reason: input.breakGlassReason, breakGlass: true } : {});
      const me = await names(patient);
      return {
        patient: me,
        news2Scale: scaleOf(patient),
        records: opened.map((o) => d.records.toView(o, (a) => authors.get(a))),
        breakGlass,
      };
    },

    'records/myPatients': async (ctx) => myPatients(actorOf(ctx.session)),

    'consent/list': async (ctx) => {
      const actor = actorOf(ctx.session);
      const names = namer(actor);
      const members = await d.identity.registry.members();
      const candidates: PersonRef[] = [];
      for (const m of members) {
        if (m.status !== 'approved' || !['doctor', 'nurse', 'insurer'].includes(m.role)) continue;
        const { age: _age, ...p } = await names(m.address);
        candidates.push(p);
      }
      const cache = new Map(await Promise.all([...new Set(d.store.consents.filter((c) => c.patient === actor.address).map((c) => c.grantee))].map(async (g) => [g, await names(g)] as const)));
      return { grants: d.consent.grants(actor.address, (a) => cache.get(a)!), candidates };
    },

    'consent/grant': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      const r = await d.consent.grant(actor, input.grantee);
      const { age: _age, ...grantee } = await namer(actor)(r.grantee);
      return { grant: { grantee, grantedAt: new Date(r.at).toISOString(), revokedAt: null }, recordsShared: r.recordsShared };
    },

    'consent/revoke': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      const r = await d.consent.revoke(actor, input.grantee);
      const { age: _age, ...grantee } = await namer(actor)(input.grantee);
      const granted = d.consent.grants(actor.address, () => grantee).find((g) => g.grantee.address === grantee.address);
      return { grant: { grantee, grantedAt: granted?.grantedAt ?? new Date(r.at).toISOString(), revokedAt: new Date(r.at).toISOString() }, notice: revokeNotice };
    },

    'audit/list': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      let patient: string | null = input.patient ? ethers.getAddress(input.patient) : null;
      if (actor.role === 'patient') patient = actor.address;
      else if (actor.role === 'doctor') {
        if (!patient) throw new WardError('BAD_INPUT', 'Choose a patient to see their access log.', { fields: { patient: 'Choose a patient.' } });
        d.records.accessBasis(actor, patient);
      }
      const names = namer(actor);
      return d.audit.list(actor, patient, async (a) => { const { age: _age, ...p } = await names(a); return p; });
    },

    'export/fhir': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      const patient = ethers.getAddress(input.patient);
      d.records.accessBasis(actor, patient);
      const opened = await d.records.openAll(actor, patient);
      const person = await namer(actor)(patient);
      const patientRef = d.records.patientRefOf(patient);
      const bundle = exportBundle(patientRef, person.age >= 0 ? person.name : undefined, opened, (id) => d.store.anchors.get(id), {
        chainId: d.node.options.chainId,
        contract: anchorsContract(),
      });
      await d.audit.record(actor, patient, 'export');
      return { filename: `wardledger-${patientRef.slice(2, 10)}-${new Date().toISOString().slice(0, 10)}.fhir.json`, bundle };
    },

    'verify/fhir': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      const ours = { chainId: d.node.options.chainId, contract: ethers.getAddress(anchorsContract()) };
      const report = await verifyExport(input.bundle, async (chainId, contract, root) => {
        if (chainId !== ours.chainId || contract !== ours.contract) return null;
        return d.records.rootOnChain(root);
      });
      const patientId = (input.bundle as { entry?: Array<{ resource?: { resourceType?: string; id?: string; identifier?: Array<{ value?: string }> } }> })?.entry?.find(
        (e) => e.resource?.resourceType === 'Patient',
      )?.resource?.identifier?.[0]?.value;
      if (report.checked > 0 && typeof patientId === 'string' && /^0x[0-9a-f]{64}$/.test(patientId)) {
        await d.audit.record(actor, null, 'verify', { patientRef: patientId }).catch(() => undefined);
      }
      return report;
    },
  };
}

export interface PatientSummary extends PersonRef {
  age: number;
  bed: string | null;
  latest: CensusRow['latest'];
}

async function requireDoctor(identity: IdentityService, address: string): Promise<void> {
  const m = await identity.member(address);
  if (!m || m.role !== 'doctor' || m.status !== 'approved') {
    throw new WardError('BAD_INPUT', 'The responsible doctor must be an approved doctor of this ward.', { fields: { responsibleDoctor: 'Choose an approved doctor.' } });
  }
}

/** The vitals input without the fields that failed validation (for a live partial score). */
function stripInvalid(input: unknown, errors: Record<string, string>): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const copy: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const field of Object.keys(errors)) delete copy[field.split('.')[0]!];
  return copy;
}
