/**
 * Builds a FHIR R4 Bundle (type 'collection') of one patient's signed records, for insurers and
 * other systems. Output is deterministic: same input, same bytes (ids are derived from record ids;
 * nothing reads the clock).
 *
 * Mapping and the choices behind it:
 *   - Each vital sign is an Observation (status final — corrected / entered-in-error for a
 *     correction and the original it corrects, see observationStatus — LOINC code, UCUM valueQuantity, subject,
 *     effectiveDateTime, meta.profile = vitalsigns + the specific profile). Blood pressure is the
 *     85354-9 panel with 8480-6/8462-4 components (a component not measured carries
 *     dataAbsentReason, as the bp profile requires both). Glucose is category `laboratory` in the
 *     unit it was measured in (41653-7 mg/dL or 14743-9 mmol/L). Temperature is exported as
 *     entered (Cel or [degF]): the canonical °C is derived from it by units.ts.
 *   - Consciousness: LOINC 67775-7 with valueCodeableConcept from a WardLedger ACVPU code system
 *     (A/C/V/P/U): no standard answer list covers NEWS2's "new confusion".
 *   - Supplemental oxygen: valueBoolean with a WardLedger code (NEWS2's "air or oxygen" has no
 *     LOINC code of its own), with components for how it is given, as the US Core Pulse Oximetry
 *     profile codes them: flow LOINC 3151-8 (UCUM L/min), inspired fraction LOINC 3150-0 (%), and
 *     the delivery device (SNOMED CT where the device has a code, a WardLedger code always).
 *   - NEWS2: a complete score is an Observation coded SNOMED CT 1104051000000101 (the NEWS2 total
 *     score; LOINC has none) with valueInteger and a component naming the SpO2 scale (1 or 2) it
 *     was computed on. A partial set has no NEWS2 score, so none is exported.
 *   - Escalation: a Communication (status completed, sent = when they were informed, recipient
 *     the person informed with their role, payload the response, about = the vitals record).
 *   - Times: effectiveDateTime is the time the observation was measured (signed in the record),
 *     Provenance.recorded the time it was signed.
 *   - Clinical note: Observation with valueString. Every FHIR consumer reads Observation;
 *     DocumentReference needs a base64 attachment and ClinicalImpression is rarely implemented.
 *   - Diagnosis: Condition (category encounter-diagnosis, code with the given coding and text),
 *     the resource insurers and claims systems expect for diagnoses. Clinical and verification
 *     status are left out: the record does not state them and we do not guess — except that a
 *     diagnosis corrected by another record of the export is verificationStatus
 *     `entered-in-error`, so a claims system never reads the original and its correction as two
 *     diagnoses (the Condition counterpart of Observation.status, see observationStatus).
 *   - Device: a Device resource (serial, model name), referenced from Observation.device and from
 *     Provenance.entity (role source).
 *   - Each record: one Provenance whose targets are the record's resources, with the author agent
 *     (role coded), the signature (ASTM author signature, sigFormat, base64 data), activity
 *     CREATE or UPDATE (amendment), entity `revision` naming the amended record id, and extensions
 *     for the WardLedger record id, kind, anchor details and, for a record published to the
 *     hospital consortium, its consortium place (canonical JSON).
 *   - People are referenced by identifier (Ethereum address), not by Practitioner resources, so
 *     the export carries no personal data beyond the optional display names.
 */
import { WardError } from '../model/errors';
import { canonicalString } from '../crypto/canonical';
import { LOINC_SYSTEM, MEASUREMENTS, NEWS2_TOTAL_SCORE, OBSERVATION_CATEGORY_SYSTEM, OXYGEN_DEVICE_SNOMED, SNOMED_SYSTEM, UCUM, UCUM_SYSTEM, profileUrl } from './codes';
import { ACVPU, OXYGEN_DEVICES, type NormalisedVitals } from '../model/vitals';
import type { MeasurementCode, VitalSignProfile } from './codes';
import {
  AUTHOR_SIGNATURE_CODE,
  CS,
  EXPORT_RECORD_KINDS,
  EXT,
  FHIR_INSTANT,
  HL7,
  LOCAL_CODES,
  SID,
  SIG_FORMAT_EIP712,
  deterministicUuid,
  urnUuid,
} from './fhirModel';
import type {
  BundleEntry,
  CodeableConcept,
  ExportPatient,
  ExportRecord,
  Extension,
  FhirBundle,
  FhirResource,
  Quantity,
  Reference,
} from './fhirModel';

export interface BuildBundleOptions {
  /** Bundle.timestamp (FHIR instant); omitted when not given so the output stays deterministic. */
  timestamp?: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** FHIR `string`: at least one non-whitespace-only character sequence. */
const FHIR_STRING = /^[ \r\n\t\S]+$/;
/** FHIR `code`: no leading/trailing or double whitespace. */
const FHIR_CODE = /^[^\s]+(\s[^\s]+)*$/;

const bad = (message: string): WardError => new WardError('BAD_INPUT', message);

/**
 * Builds the export bundle.
 * @param patient pseudonymous patient
 * @param records signed records of that patient, in the order they should appear
 * @throws WardError('BAD_INPUT') when a record is incomplete or not representable in FHIR
 */
export function buildFhirBundle(patient: ExportPatient, records: readonly ExportRecord[], options: BuildBundleOptions = {}): FhirBundle {
  requireString(patient?.id, 'The patient id');
  if (patient.display !== undefined) requireString(patient.display, 'The patient display name');
  if (options.timestamp !== undefined && !FHIR_INSTANT.test(options.timestamp)) {
    throw bad('The export timestamp must be an ISO-8601 date-time with seconds and time zone.');
  }
  const seen = new Set<string>();
  for (const r of records) {
    requireString(r?.recordId, 'A record id');
    if (seen.has(r.recordId)) throw bad('The export lists the same record twice.');
    seen.add(r.recordId);
  }

  // Records corrected by another record of this export (see observationStatus).
  const corrected = new Set(records.filter((r) => r.amends !== undefined).map((r) => r.amends!));
  const patientId = deterministicUuid(`patient:${patient.id}`);
  const entries: BundleEntry[] = [{ fullUrl: urnUuid(patientId), resource: patientResource(patientId, patient) }];
  const devices = new Map<string, string>();

  for (const record of records) {
    checkRecord(record);
    let deviceUrl: string | undefined;
    if (record.device) {
      const key = `${record.device.model}\u0000${record.device.serial}`;
      deviceUrl = devices.get(key);
      if (!deviceUrl) {
        const id = deterministicUuid(`device:${key}`);
        deviceUrl = urnUuid(id);
        devices.set(key, deviceUrl);
        entries.splice(devices.size, 0, { fullUrl: deviceUrl, resource: deviceResource(id, record.device) });
      }
    }
    const status = observationStatus(record, corrected);
    const ctx: RecordContext = { record, subject: { reference: urnUuid(patientId) }, author: authorReference(record), deviceUrl, status };
    const content = recordResources(ctx);
    entries.push(...content);
    const provenanceId = deterministicUuid(`record:${record.recordId}:provenance`);
    entries.push({ fullUrl: urnUuid(provenanceId), resource: provenanceResource(provenanceId, ctx, content) });
  }

  const bundleId = deterministicUuid(`bundle:${patient.id}:${records.map((r) => r.recordId).join(',')}`);
  return {
    resourceType: 'Bundle',
    id: bundleId,
    type: 'collection',
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
    entry: entries,
  };
}

interface RecordContext {
  record: ExportRecord;
  subject: Reference;
  author: Reference;
  deviceUrl?: string;
  status: ObservationStatus;
}

type ObservationStatus = 'final' | 'corrected' | 'entered-in-error';

/**
 * FHIR R4 Observation.status (http://hl7.org/fhir/R4/valueset-observation-status.html) of a
 * record's observations, so that an original and its correction are never two final readings for
 * a system that ignores Provenance: the correction is `corrected` ("modified to correct an error
 * in the test result", a kind of `amended`), and an original corrected by a record in the same
 * export is `entered-in-error` ("withdrawn following previous final release"; its signature still
 * verifies, and Provenance.entity `revision` links the two). An original whose correction is not
 * in the export stays `final`.
 */
function observationStatus(record: ExportRecord, corrected: ReadonlySet<string>): ObservationStatus {
  if (corrected.has(record.recordId)) return 'entered-in-error';
  return record.amends !== undefined ? 'corrected' : 'final';
}

// ---------------------------------------------------------------------------------------------
// Input checks
// ---------------------------------------------------------------------------------------------

function requireString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !FHIR_STRING.test(value)) throw bad(`${what} must be a non-empty text.`);
}

function requireNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`${what} must be a finite number.`);
  return value;
}

function checkRecord(r: ExportRecord): void {
  if (!EXPORT_RECORD_KINDS.includes(r.kind)) throw bad('A record has an unknown kind.');
  if (typeof r.effective !== 'string' || !FHIR_INSTANT.test(r.effective)) {
    throw bad('A record effective time must be an ISO-8601 date-time with seconds and time zone.');
  }
  if (typeof r.recorded !== 'string' || !FHIR_INSTANT.test(r.recorded)) {
    throw bad('A record recorded time must be an ISO-8601 date-time with seconds and time zone.');
  }
  requireString(r.author?.address, 'The author address');
  if (typeof r.author.role !== 'string' || !FHIR_CODE.test(r.author.role)) throw bad('The author role must be a code.');
  if (r.author.display !== undefined) requireString(r.author.display, 'The author display name');
  if (r.signature?.sigFormat !== SIG_FORMAT_EIP712) throw bad(`The signature format must be ${SIG_FORMAT_EIP712}.`);
  if (typeof r.signature.data !== 'string' || r.signature.data.length === 0 || !BASE64.test(r.signature.data)) {
    throw bad('The signature data must be base64.');
  }
  if (r.amends !== undefined) requireString(r.amends, 'The amended record id');
  if (r.note !== undefined) requireString(r.note, 'A note');
  if (r.diagnosis !== undefined) {
    requireString(r.diagnosis.text, 'The diagnosis text');
    if (r.diagnosis.code !== undefined && !FHIR_CODE.test(r.diagnosis.code)) throw bad('The diagnosis code must be a code.');
    if (r.diagnosis.system !== undefined) requireString(r.diagnosis.system, 'The diagnosis code system');
  }
  if (r.device !== undefined) {
    requireString(r.device.model, 'The device model');
    requireString(r.device.serial, 'The device serial number');
  }
  if (r.anchor !== undefined && (typeof r.anchor !== 'object' || r.anchor === null || Array.isArray(r.anchor))) {
    throw bad('The anchor details must be an object.');
  }
  if (r.consortium !== undefined && (typeof r.consortium !== 'object' || r.consortium === null || Array.isArray(r.consortium))) {
    throw bad('The consortium place must be an object.');
  }
  const hasVitals = r.vitals !== undefined && Object.keys(r.vitals).length > 0;
  if (!hasVitals && r.note === undefined && r.diagnosis === undefined && r.escalation === undefined) throw bad('A record has nothing to export.');
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

function patientResource(id: string, patient: ExportPatient): FhirResource {
  return {
    resourceType: 'Patient',
    id,
    identifier: [{ system: SID.patientPseudonym, value: patient.id }],
    ...(patient.display !== undefined ? { name: [{ text: patient.display }] } : {}),
  };
}

function deviceResource(id: string, device: { model: string; serial: string }): FhirResource {
  return {
    resourceType: 'Device',
    id,
    identifier: [{ system: SID.deviceSerial, value: device.serial }],
    serialNumber: device.serial,
    deviceName: [{ name: device.model, type: 'model-name' }],
  };
}

function authorReference(r: ExportRecord): Reference {
  return {
    identifier: { system: SID.ethereumAddress, value: r.author.address },
    ...(r.author.display !== undefined ? { display: r.author.display } : {}),
  };
}

function recordResources(ctx: RecordContext): BundleEntry[] {
  const { record } = ctx;
  const out: BundleEntry[] = [];
  const add = (part: string, build: (id: string) => FhirResource): void => {
    const id = deterministicUuid(`record:${record.recordId}:${part}`);
    out.push({ fullUrl: urnUuid(id), resource: build(id) });
  };
  const v = record.vitals;
  if (v) {
    if (v.respiratoryRate !== undefined) {
      const q = quantity(requireNumber(v.respiratoryRate, 'Respiratory rate'), UCUM.perMinute);
      add('respiratoryRate', (id) => vitalObservation(id, ctx, MEASUREMENTS.respiratoryRate, { valueQuantity: q }));
    }
    if (v.spo2 !== undefined) {
      const q = quantity(requireNumber(v.spo2, 'SpO2'), UCUM.percent);
      add('spo2', (id) => vitalObservation(id, ctx, MEASUREMENTS.spo2, { valueQuantity: q }));
    }
    if (v.supplementalOxygen !== undefined) {
      if (typeof v.supplementalOxygen !== 'boolean') throw bad('Supplemental oxygen must be true or false.');
      const onOxygen = v.supplementalOxygen;
      add('supplementalOxygen', (id) => supplementalOxygenObservation(id, ctx, onOxygen, v));
    }
    if (v.systolic !== undefined || v.diastolic !== undefined) {
      const sys = v.systolic === undefined ? undefined : requireNumber(v.systolic, 'Systolic pressure');
      const dia = v.diastolic === undefined ? undefined : requireNumber(v.diastolic, 'Diastolic pressure');
      add('bloodPressure', (id) => bloodPressureObservation(id, ctx, sys, dia));
    }
    if (v.pulse !== undefined) {
      const q = quantity(requireNumber(v.pulse, 'Pulse'), UCUM.perMinute);
      add('pulse', (id) => vitalObservation(id, ctx, MEASUREMENTS.pulse, { valueQuantity: q }));
    }
    if (v.consciousness !== undefined) {
      const level = v.consciousness;
      if (!(level in ACVPU)) throw bad('Consciousness must be one of A, C, V, P, U.');
      const value: CodeableConcept = { coding: [{ system: CS.acvpu, code: level, display: ACVPU[level] }], text: ACVPU[level] };
      add('consciousness', (id) => vitalObservation(id, ctx, MEASUREMENTS.consciousness, { valueCodeableConcept: value }));
    }
    if (v.temperature !== undefined) {
      const { value, unit } = v.temperature.entered ?? {};
      const ucum = unit === 'Cel' ? UCUM.celsius : unit === '[degF]' ? UCUM.fahrenheit : undefined;
      if (!ucum) throw bad('Temperature unit must be Cel or [degF].');
      const q = quantity(requireNumber(value, 'Temperature'), ucum);
      add('temperature', (id) => vitalObservation(id, ctx, MEASUREMENTS.temperature, { valueQuantity: q }));
    }
    if (v.bloodGlucose !== undefined) {
      const { value, unit } = v.bloodGlucose.entered ?? {};
      const code = unit === 'mg/dL' ? MEASUREMENTS.glucoseMass : unit === 'mmol/L' ? MEASUREMENTS.glucoseMoles : undefined;
      if (!code) throw bad('Blood glucose unit must be mg/dL or mmol/L.');
      const q = quantity(requireNumber(value, 'Blood glucose'), unit === 'mg/dL' ? UCUM.mgPerDl : UCUM.mmolPerL);
      add('bloodGlucose', (id) => vitalObservation(id, ctx, code, { valueQuantity: q }));
    }
  }
  if (record.news2 !== undefined) {
    const news2 = record.news2;
    add('news2', (id) => news2Observation(id, ctx, news2));
  }
  if (record.note !== undefined) {
    const note = record.note;
    add('note', (id) => noteObservation(id, ctx, note));
  }
  if (record.escalation !== undefined) {
    const escalation = record.escalation;
    add('escalation', (id) => escalationCommunication(id, ctx, escalation));
  }
  if (record.diagnosis !== undefined) {
    const diagnosis = record.diagnosis;
    add('diagnosis', (id) => conditionResource(id, ctx, diagnosis));
  }
  return out;
}

function quantity(value: number, unit: { code: string; display: string }): Quantity {
  return { value, unit: unit.display, system: UCUM_SYSTEM, code: unit.code };
}

function loincConcept(m: MeasurementCode): CodeableConcept {
  return { coding: [{ system: LOINC_SYSTEM, code: m.loinc, display: m.display }], text: m.display };
}

function categoryConcept(category: MeasurementCode['category'] | 'survey'): CodeableConcept[] {
  const display = category === 'vital-signs' ? 'Vital Signs' : category === 'survey' ? 'Survey' : 'Laboratory';
  return [{ coding: [{ system: OBSERVATION_CATEGORY_SYSTEM, code: category, display }] }];
}

function observationBase(
  id: string,
  ctx: RecordContext,
  code: CodeableConcept,
  profiles: VitalSignProfile[],
  category?: MeasurementCode['category'] | 'survey',
): FhirResource {
  return {
    resourceType: 'Observation',
    id,
    ...(profiles.length > 0 ? { meta: { profile: profiles.map(profileUrl) } } : {}),
    identifier: [{ system: SID.recordId, value: ctx.record.recordId }],
    status: ctx.status,
    ...(category ? { category: categoryConcept(category) } : {}),
    code,
    subject: ctx.subject,
    effectiveDateTime: ctx.record.effective,
    performer: [ctx.author],
    ...(ctx.deviceUrl ? { device: { reference: ctx.deviceUrl } } : {}),
  };
}

function vitalObservation(id: string, ctx: RecordContext, m: MeasurementCode, value: Record<string, unknown>): FhirResource {
  const profiles: VitalSignProfile[] = m.category === 'vital-signs' ? ['vitalsigns'] : [];
  if (m.profile) profiles.push(m.profile);
  return { ...observationBase(id, ctx, loincConcept(m), profiles, m.category), ...value };
}

function supplementalOxygenObservation(id: string, ctx: RecordContext, onOxygen: boolean, v: NormalisedVitals): FhirResource {
  const code: CodeableConcept = {
    coding: [{ system: CS.observation, code: LOCAL_CODES.supplementalOxygen.code, display: LOCAL_CODES.supplementalOxygen.display }],
    text: LOCAL_CODES.supplementalOxygen.display,
  };
  const component: Array<Record<string, unknown>> = [];
  if (v.oxygenDevice !== undefined) {
    const device = v.oxygenDevice;
    if (!(device in OXYGEN_DEVICES)) throw bad('The oxygen delivery device is not one WardLedger records.');
    const snomed = OXYGEN_DEVICE_SNOMED[device];
    component.push({
      code: { coding: [{ system: CS.observation, code: LOCAL_CODES.oxygenDevice.code, display: LOCAL_CODES.oxygenDevice.display }], text: LOCAL_CODES.oxygenDevice.display },
      valueCodeableConcept: {
        coding: [{ system: CS.oxygenDevice, code: device, display: OXYGEN_DEVICES[device] }, ...(snomed ? [{ system: SNOMED_SYSTEM, code: snomed.code, display: snomed.display }] : [])],
        text: OXYGEN_DEVICES[device],
      },
    });
  }
  if (v.oxygenFlow !== undefined) component.push({ code: loincConcept(MEASUREMENTS.oxygenFlow), valueQuantity: quantity(requireNumber(v.oxygenFlow, 'Oxygen flow'), UCUM.litresPerMinute) });
  if (v.fio2 !== undefined) component.push({ code: loincConcept(MEASUREMENTS.fio2), valueQuantity: quantity(requireNumber(v.fio2, 'FiO2'), UCUM.percent) });
  return { ...observationBase(id, ctx, code, ['vitalsigns'], 'vital-signs'), valueBoolean: onOxygen, ...(component.length ? { component } : {}) };
}

function news2Observation(id: string, ctx: RecordContext, news2: NonNullable<ExportRecord['news2']>): FhirResource {
  if (!Number.isInteger(news2.aggregate) || news2.aggregate < 0 || news2.aggregate > 20) throw bad('A NEWS2 score is a whole number from 0 to 20.');
  if (news2.scale !== 1 && news2.scale !== 2) throw bad('The NEWS2 scale must be 1 or 2.');
  const code: CodeableConcept = { coding: [{ system: NEWS2_TOTAL_SCORE.system, code: NEWS2_TOTAL_SCORE.code, display: NEWS2_TOTAL_SCORE.display }], text: 'NEWS2 total score' };
  return {
    ...observationBase(id, ctx, code, [], 'survey'),
    valueInteger: news2.aggregate,
    component: [
      {
        code: { coding: [{ system: CS.observation, code: LOCAL_CODES.news2Scale.code, display: LOCAL_CODES.news2Scale.display }], text: LOCAL_CODES.news2Scale.display },
        valueInteger: news2.scale,
      },
    ],
  };
}

function escalationCommunication(id: string, ctx: RecordContext, e: NonNullable<ExportRecord['escalation']>): FhirResource {
  requireString(e.informed?.name, 'The name of the person informed');
  requireString(e.informed.role, 'The role of the person informed');
  requireString(e.response, 'The escalation response');
  requireString(e.forRecord, 'The record the escalation is about');
  if (typeof e.informedAt !== 'string' || !FHIR_INSTANT.test(e.informedAt)) throw bad('The time they were informed must be an ISO-8601 date-time with seconds and zone.');
  return {
    resourceType: 'Communication',
    id,
    extension: [{ url: EXT.informedRole, valueString: e.informed.role }],
    identifier: [{ system: SID.recordId, value: ctx.record.recordId }],
    status: 'completed',
    subject: ctx.subject,
    about: [{ identifier: { system: SID.recordId, value: e.forRecord } }],
    sent: e.informedAt,
    recipient: [{ ...(e.informed.address ? { identifier: { system: SID.ethereumAddress, value: e.informed.address } } : {}), display: e.informed.name }],
    sender: ctx.author,
    payload: [{ contentString: e.response }],
  };
}

function bloodPressureObservation(id: string, ctx: RecordContext, systolic?: number, diastolic?: number): FhirResource {
  const component = (m: MeasurementCode, value?: number): Record<string, unknown> => ({
    code: loincConcept(m),
    ...(value !== undefined
      ? { valueQuantity: quantity(value, UCUM.mmHg) }
      : { dataAbsentReason: { coding: [{ system: HL7.dataAbsentReason, code: 'not-performed', display: 'Not Performed' }] } }),
  });
  const m = MEASUREMENTS.bloodPressurePanel;
  return {
    ...observationBase(id, ctx, loincConcept(m), ['vitalsigns', 'bp'], 'vital-signs'),
    component: [component(MEASUREMENTS.systolic, systolic), component(MEASUREMENTS.diastolic, diastolic)],
  };
}

function noteObservation(id: string, ctx: RecordContext, note: string): FhirResource {
  const code: CodeableConcept = {
    coding: [{ system: CS.observation, code: LOCAL_CODES.clinicalNote.code, display: LOCAL_CODES.clinicalNote.display }],
    text: LOCAL_CODES.clinicalNote.display,
  };
  return { ...observationBase(id, ctx, code, []), valueString: note };
}

function conditionResource(id: string, ctx: RecordContext, d: NonNullable<ExportRecord['diagnosis']>): FhirResource {
  const coding = d.code !== undefined || d.system !== undefined ? [{ ...(d.system !== undefined ? { system: d.system } : {}), ...(d.code !== undefined ? { code: d.code } : {}) }] : undefined;
  return {
    resourceType: 'Condition',
    id,
    identifier: [{ system: SID.recordId, value: ctx.record.recordId }],
    category: [{ coding: [{ system: HL7.conditionCategory, code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }] }],
    code: { ...(coding ? { coding } : {}), text: d.text },
    subject: ctx.subject,
    // R4 Condition.verificationStatus (required binding, http://hl7.org/fhir/R4/valueset-condition-ver-status.html).
    // Invariant con-5 forbids clinicalStatus beside entered-in-error; none is ever set here.
    ...(ctx.status === 'entered-in-error'
      ? { verificationStatus: { coding: [{ system: HL7.conditionVerificationStatus, code: 'entered-in-error', display: 'Entered in Error' }] } }
      : {}),
    recordedDate: ctx.record.recorded,
    recorder: ctx.author,
  };
}

function provenanceResource(id: string, ctx: RecordContext, targets: BundleEntry[]): FhirResource {
  const { record, author } = ctx;
  const extension: Extension[] = [
    { url: EXT.recordId, valueString: record.recordId },
    { url: EXT.recordKind, valueCode: record.kind },
  ];
  if (record.anchor !== undefined) extension.push({ url: EXT.anchor, valueString: canonicalString(record.anchor) });
  if (record.consortium !== undefined) extension.push({ url: EXT.consortium, valueString: canonicalString(record.consortium) });
  const entity: Array<Record<string, unknown>> = [];
  if (record.amends !== undefined) entity.push({ role: 'revision', what: { identifier: { system: SID.recordId, value: record.amends } } });
  if (ctx.deviceUrl) entity.push({ role: 'source', what: { reference: ctx.deviceUrl } });
  const update = record.amends !== undefined;
  return {
    resourceType: 'Provenance',
    id,
    extension,
    target: targets.map((t) => ({ reference: t.fullUrl })),
    occurredDateTime: record.effective,
    recorded: record.recorded,
    activity: {
      coding: [{ system: HL7.dataOperation, code: update ? 'UPDATE' : 'CREATE', display: update ? 'revise' : 'create' }],
    },
    agent: [
      {
        type: { coding: [{ system: HL7.participantType, code: 'author', display: 'Author' }] },
        role: [{ coding: [{ system: CS.role, code: record.author.role }], text: record.author.role }],
        who: author,
      },
    ],
    ...(entity.length > 0 ? { entity } : {}),
    signature: [
      {
        type: [{ system: HL7.signatureType, code: AUTHOR_SIGNATURE_CODE, display: "Author's Signature" }],
        when: record.recorded,
        who: author,
        sigFormat: record.signature.sigFormat,
        data: record.signature.data,
      },
    ],
  };
}
