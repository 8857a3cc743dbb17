/**
 * Reads a WardLedger FHIR export back into its records, for the insurer's verifier. Strict: any
 * structure buildFhirBundle would not produce is refused with WardError('BAD_INPUT'), and so is
 * content no signed record (Provenance) covers, because a verifier must never show unsigned
 * content alongside verified records. Schema validity is a separate check (validateFhirR4).
 */
import { WardError } from '../model/errors';
import { ACVPU } from '../model/vitals';
import { LOINC_SYSTEM, MEASUREMENTS, NEWS2_TOTAL_SCORE, SNOMED_SYSTEM, UCUM, UCUM_SYSTEM } from './codes';
import { OXYGEN_DEVICES, type Acvpu, type OxygenDevice } from '../model/vitals';
import { CS, EXPORT_RECORD_KINDS, EXT, FHIR_INSTANT, LOCAL_CODES, SID, SIG_FORMAT_EIP712 } from './fhirModel';
import type { ExportRecord, ExportRecordKind, JsonValue, ParsedFhirExport } from './fhirModel';
import { inCanonicalOrder, normaliseGlucose, normaliseTemperature } from './vitals';
import type { NormalisedVitals } from '../model/vitals';

type Json = Record<string, unknown>;

function fail(message: string): never {
  throw new WardError('BAD_INPUT', `This is not a valid WardLedger FHIR export: ${message}`);
}

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function obj(x: unknown, what: string): Json {
  if (!isObject(x)) fail(`${what} is missing or not an object.`);
  return x;
}
function arr(x: unknown, what: string): unknown[] {
  if (!Array.isArray(x) || x.length === 0) fail(`${what} is missing or empty.`);
  return x;
}
function str(x: unknown, what: string): string {
  if (typeof x !== 'string' || x.length === 0) fail(`${what} is missing or not text.`);
  return x;
}
function optStr(x: unknown, what: string): string | undefined {
  return x === undefined ? undefined : str(x, what);
}
function instant(x: unknown, what: string): string {
  const s = str(x, what);
  if (!FHIR_INSTANT.test(s)) fail(`${what} is not a date-time with seconds and time zone.`);
  return s;
}

/** The single coding of `concept` in `system`, if any. */
function codeIn(concept: unknown, system: string): string | undefined {
  if (!isObject(concept) || !Array.isArray(concept.coding)) return undefined;
  const hits = concept.coding.filter((c) => isObject(c) && c.system === system);
  if (hits.length > 1) fail(`a code lists two codings from ${system}.`);
  return hits.length === 1 ? optStr((hits[0] as Json).code, 'A coding code') : undefined;
}

/**
 * Parses an export bundle.
 * @param bundle parsed JSON of the bundle
 * @returns the pseudonymous patient and the records, in bundle order
 * @throws WardError('BAD_INPUT') naming what is wrong (never the clinical content)
 */
export function parseFhirExport(bundle: unknown): ParsedFhirExport {
  const b = obj(bundle, 'The bundle');
  if (b.resourceType !== 'Bundle') fail('the top-level resource is not a Bundle.');
  if (b.type !== 'collection') fail('the bundle type is not "collection".');
  const entries = arr(b.entry, 'Bundle.entry');

  const byUrl = new Map<string, Json>();
  entries.forEach((e, i) => {
    const entry = obj(e, `Entry ${i + 1}`);
    const url = str(entry.fullUrl, `Entry ${i + 1} fullUrl`);
    if (byUrl.has(url)) fail(`two entries share the fullUrl of entry ${i + 1}.`);
    const resource = obj(entry.resource, `Entry ${i + 1} resource`);
    str(resource.resourceType, `Entry ${i + 1} resourceType`);
    byUrl.set(url, resource);
  });

  const patients = [...byUrl].filter(([, r]) => r.resourceType === 'Patient');
  if (patients.length !== 1) fail('the bundle must contain exactly one Patient.');
  const [patientUrl, patientResource] = patients[0];
  const patient = readPatient(patientResource);

  const covered = new Set<string>();
  const records: ExportRecord[] = [];
  for (const [, resource] of byUrl) {
    if (resource.resourceType !== 'Provenance') continue;
    records.push(readRecord(resource, records.length + 1, { byUrl, patientUrl, covered }));
  }
  if (records.length === 0) fail('the bundle contains no signed record (Provenance).');
  const seenIds = new Set<string>();
  for (const r of records) {
    if (seenIds.has(r.recordId)) fail('two Provenance resources claim the same record id.');
    seenIds.add(r.recordId);
  }
  for (const [url, resource] of byUrl) {
    const t = resource.resourceType;
    if (t === 'Patient' || t === 'Device' || t === 'Provenance') continue;
    if (!covered.has(url)) fail(`a ${String(t)} is not covered by any signed record.`);
  }
  return { patient, records };
}

function readPatient(p: Json): ParsedFhirExport['patient'] {
  const ids = arr(p.identifier, 'Patient.identifier').filter((i) => isObject(i) && i.system === SID.patientPseudonym);
  if (ids.length !== 1) fail('the Patient has no single WardLedger pseudonymous identifier.');
  const id = str((ids[0] as Json).value, 'Patient identifier value');
  const name = Array.isArray(p.name) && p.name.length > 0 ? obj(p.name[0], 'Patient.name') : undefined;
  const display = name ? optStr(name.text, 'Patient name text') : undefined;
  return display !== undefined ? { id, display } : { id };
}

interface ParseContext {
  byUrl: Map<string, Json>;
  patientUrl: string;
  covered: Set<string>;
}

function readRecord(p: Json, n: number, ctx: ParseContext): ExportRecord {
  const where = `Record ${n}`;
  const ext = (url: string): Json | undefined => {
    const hits = (Array.isArray(p.extension) ? p.extension : []).filter((e) => isObject(e) && e.url === url);
    if (hits.length > 1) fail(`${where} repeats extension ${url}.`);
    return hits[0] as Json | undefined;
  };
  const recordId = str(ext(EXT.recordId)?.valueString, `${where} record id extension`);
  const kind = str(ext(EXT.recordKind)?.valueCode, `${where} record kind extension`) as ExportRecordKind;
  if (!EXPORT_RECORD_KINDS.includes(kind)) fail(`${where} has an unknown record kind.`);
  const anchorExt = ext(EXT.anchor);
  const anchor = anchorExt === undefined ? undefined : readAnchor(anchorExt.valueString, where);

  const recorded = instant(p.recorded, `${where} recorded time`);
  const effective = instant(p.occurredDateTime, `${where} effective time`);

  const agents = arr(p.agent, `${where} agent`);
  if (agents.length !== 1) fail(`${where} must have exactly one agent (the author).`);
  const agent = obj(agents[0], `${where} agent`);
  const address = readAddress(agent.who, `${where} author`);
  const roles = arr(agent.role, `${where} author role`);
  const role = codeIn(roles[0], CS.role) ?? fail(`${where} author role is not coded.`);
  const who = obj(agent.who, `${where} author`);
  const display = optStr(who.display, `${where} author display`);

  const signatures = arr(p.signature, `${where} signature`);
  if (signatures.length !== 1) fail(`${where} must carry exactly one signature.`);
  const sig = obj(signatures[0], `${where} signature`);
  if (sig.sigFormat !== SIG_FORMAT_EIP712) fail(`${where} signature format is not ${SIG_FORMAT_EIP712}.`);
  const data = str(sig.data, `${where} signature data`);
  if (readAddress(sig.who, `${where} signer`) !== address) fail(`${where} signer is not the author.`);
  if (instant(sig.when, `${where} signature time`) !== recorded) fail(`${where} signature time differs from the recorded time.`);

  let amends: string | undefined;
  let device: ExportRecord['device'];
  for (const [i, raw] of (Array.isArray(p.entity) ? p.entity : []).entries()) {
    const entity = obj(raw, `${where} entity ${i + 1}`);
    const what = obj(entity.what, `${where} entity ${i + 1} target`);
    if (entity.role === 'revision') {
      if (amends !== undefined) fail(`${where} amends more than one record.`);
      const id = obj(what.identifier, `${where} amended record identifier`);
      if (id.system !== SID.recordId) fail(`${where} amended record is not a WardLedger record id.`);
      amends = str(id.value, `${where} amended record id`);
    } else if (entity.role === 'source') {
      if (device !== undefined) fail(`${where} names more than one source device.`);
      device = readDevice(ctx.byUrl.get(str(what.reference, `${where} device reference`)), where);
    } else {
      fail(`${where} has an entity role WardLedger does not use.`);
    }
  }

  const content = readContent(p, recordId, where, ctx);
  return {
    recordId,
    kind,
    effective,
    recorded,
    author: { address, role, ...(display !== undefined ? { display } : {}) },
    ...content,
    ...(amends !== undefined ? { amends } : {}),
    ...(device !== undefined ? { device } : {}),
    signature: { sigFormat: SIG_FORMAT_EIP712, data },
    ...(anchor !== undefined ? { anchor } : {}),
  };
}

function readAddress(who: unknown, what: string): string {
  const id = obj(obj(who, what).identifier, `${what} identifier`);
  if (id.system !== SID.ethereumAddress) fail(`${what} is not identified by an Ethereum address.`);
  return str(id.value, `${what} address`);
}

function readAnchor(text: unknown, where: string): { [key: string]: JsonValue } {
  let value: unknown;
  try {
    value = JSON.parse(str(text, `${where} anchor`));
  } catch {
    fail(`${where} anchor is not JSON.`);
  }
  if (!isObject(value)) fail(`${where} anchor is not a JSON object.`);
  return value as { [key: string]: JsonValue };
}

function readDevice(resource: Json | undefined, where: string): NonNullable<ExportRecord['device']> {
  if (!resource || resource.resourceType !== 'Device') fail(`${where} source is not a Device in the bundle.`);
  const serial = str(resource.serialNumber, `${where} device serial number`);
  const names = arr(resource.deviceName, `${where} device name`).filter((d) => isObject(d) && d.type === 'model-name');
  if (names.length !== 1) fail(`${where} device has no single model name.`);
  return { model: str((names[0] as Json).name, `${where} device model`), serial };
}

type Content = Pick<ExportRecord, 'vitals' | 'note' | 'diagnosis' | 'news2' | 'escalation'>;

function readContent(p: Json, recordId: string, where: string, ctx: ParseContext): Content {
  const vitals: NormalisedVitals = {};
  const content: Content = {};
  const set = <K extends keyof NormalisedVitals>(key: K, value: NonNullable<NormalisedVitals[K]>): void => {
    if (vitals[key] !== undefined) fail(`${where} has two ${key} observations.`);
    vitals[key] = value;
  };

  for (const [i, raw] of arr(p.target, `${where} target`).entries()) {
    const url = str(obj(raw, `${where} target ${i + 1}`).reference, `${where} target ${i + 1} reference`);
    const resource = ctx.byUrl.get(url) ?? fail(`${where} target ${i + 1} is not in the bundle.`);
    if (ctx.covered.has(url)) fail(`${where} target ${i + 1} is already covered by another record.`);
    ctx.covered.add(url);
    const what = `${where} ${String(resource.resourceType)} ${i + 1}`;
    checkBelongs(resource, recordId, what, ctx.patientUrl);

    if (resource.resourceType === 'Condition') {
      if (content.diagnosis !== undefined) fail(`${where} has two diagnoses.`);
      content.diagnosis = readDiagnosis(resource, what);
      continue;
    }
    if (resource.resourceType === 'Communication') {
      if (content.escalation !== undefined) fail(`${where} has two escalations.`);
      content.escalation = readEscalation(resource, what);
      continue;
    }
    if (resource.resourceType !== 'Observation') fail(`${what} is not an Observation, Condition or Communication.`);

    const loinc = codeIn(resource.code, LOINC_SYSTEM);
    const local = codeIn(resource.code, CS.observation);
    if (local === LOCAL_CODES.clinicalNote.code) {
      if (content.note !== undefined) fail(`${where} has two notes.`);
      content.note = str(resource.valueString, `${what} note text`);
    } else if (local === LOCAL_CODES.supplementalOxygen.code) {
      if (typeof resource.valueBoolean !== 'boolean') fail(`${what} has no true/false value.`);
      set('supplementalOxygen', resource.valueBoolean);
      readOxygenComponents(resource, what, set);
    } else if (codeIn(resource.code, SNOMED_SYSTEM) === NEWS2_TOTAL_SCORE.code) {
      if (content.news2 !== undefined) fail(`${where} has two NEWS2 scores.`);
      content.news2 = readNews2(resource, what);
    } else if (loinc === MEASUREMENTS.respiratoryRate.loinc) {
      set('respiratoryRate', quantity(resource.valueQuantity, [UCUM.perMinute.code], what).value);
    } else if (loinc === MEASUREMENTS.spo2.loinc) {
      set('spo2', quantity(resource.valueQuantity, [UCUM.percent.code], what).value);
    } else if (loinc === MEASUREMENTS.pulse.loinc) {
      set('pulse', quantity(resource.valueQuantity, [UCUM.perMinute.code], what).value);
    } else if (loinc === MEASUREMENTS.bloodPressurePanel.loinc) {
      readBloodPressure(resource, what, set);
    } else if (loinc === MEASUREMENTS.temperature.loinc) {
      const q = quantity(resource.valueQuantity, [UCUM.celsius.code, UCUM.fahrenheit.code], what);
      set('temperature', normaliseTemperature(q.value, q.code as 'Cel' | '[degF]'));
    } else if (loinc === MEASUREMENTS.glucoseMass.loinc) {
      set('bloodGlucose', normaliseGlucose(quantity(resource.valueQuantity, [UCUM.mgPerDl.code], what).value, 'mg/dL'));
    } else if (loinc === MEASUREMENTS.glucoseMoles.loinc) {
      set('bloodGlucose', normaliseGlucose(quantity(resource.valueQuantity, [UCUM.mmolPerL.code], what).value, 'mmol/L'));
    } else if (loinc === MEASUREMENTS.consciousness.loinc) {
      const level = codeIn(resource.valueCodeableConcept, CS.acvpu);
      if (level === undefined || !(level in ACVPU)) fail(`${what} is not an ACVPU level.`);
      set('consciousness', level as Acvpu);
    } else {
      fail(`${what} has a code WardLedger does not export.`);
    }
  }
  if (Object.keys(vitals).length > 0) content.vitals = inCanonicalOrder(vitals);
  return content;
}

/** Every covered resource must name the record it belongs to and the bundle's patient. */
function checkBelongs(resource: Json, recordId: string, what: string, patientUrl: string): void {
  const ids = arr(resource.identifier, `${what} identifier`).filter((i) => isObject(i) && i.system === SID.recordId);
  if (ids.length !== 1 || (ids[0] as Json).value !== recordId) fail(`${what} does not carry its record id.`);
  if (obj(resource.subject, `${what} subject`).reference !== patientUrl) fail(`${what} is about a different patient.`);
}

function quantity(q: unknown, units: string[], what: string): { value: number; code: string } {
  const quantityObj = obj(q, `${what} value`);
  if (quantityObj.system !== UCUM_SYSTEM) fail(`${what} unit is not UCUM.`);
  const code = str(quantityObj.code, `${what} unit`);
  if (!units.includes(code)) fail(`${what} unit must be ${units.join(' or ')}.`);
  if (typeof quantityObj.value !== 'number' || !Number.isFinite(quantityObj.value)) fail(`${what} value is not a number.`);
  return { value: quantityObj.value, code };
}

function readBloodPressure(resource: Json, what: string, set: SetVital): void {
  const components = arr(resource.component, `${what} components`);
  for (const [i, raw] of components.entries()) {
    const c = obj(raw, `${what} component ${i + 1}`);
    const loinc = codeIn(c.code, LOINC_SYSTEM);
    const key = loinc === MEASUREMENTS.systolic.loinc ? 'systolic' : loinc === MEASUREMENTS.diastolic.loinc ? 'diastolic' : undefined;
    if (!key) fail(`${what} component ${i + 1} is not systolic or diastolic.`);
    if (c.valueQuantity === undefined && c.dataAbsentReason !== undefined) continue;
    set(key, quantity(c.valueQuantity, [UCUM.mmHg.code], `${what} ${key}`).value);
  }
}

type SetVital = <K extends keyof NormalisedVitals>(key: K, value: NonNullable<NormalisedVitals[K]>) => void;

/** How oxygen is given: the delivery device, flow (LOINC 3151-8) or FiO2 (LOINC 3150-0) components. */
function readOxygenComponents(resource: Json, what: string, set: SetVital): void {
  if (resource.component === undefined) return;
  for (const [i, raw] of arr(resource.component, `${what} components`).entries()) {
    const c = obj(raw, `${what} component ${i + 1}`);
    const loinc = codeIn(c.code, LOINC_SYSTEM);
    if (codeIn(c.code, CS.observation) === LOCAL_CODES.oxygenDevice.code) {
      const device = codeIn(c.valueCodeableConcept, CS.oxygenDevice);
      if (device === undefined || !Object.hasOwn(OXYGEN_DEVICES, device)) fail(`${what} oxygen device is not one WardLedger records.`);
      set('oxygenDevice', device as OxygenDevice);
    } else if (loinc === MEASUREMENTS.oxygenFlow.loinc) {
      set('oxygenFlow', quantity(c.valueQuantity, [UCUM.litresPerMinute.code], `${what} oxygen flow`).value);
    } else if (loinc === MEASUREMENTS.fio2.loinc) {
      set('fio2', quantity(c.valueQuantity, [UCUM.percent.code], `${what} FiO2`).value);
    } else {
      fail(`${what} component ${i + 1} is not an oxygen delivery detail.`);
    }
  }
}

function readNews2(resource: Json, what: string): NonNullable<ExportRecord['news2']> {
  const aggregate = resource.valueInteger;
  if (typeof aggregate !== 'number' || !Number.isInteger(aggregate)) fail(`${what} has no whole-number score.`);
  const scales = arr(resource.component, `${what} components`).filter((c) => codeIn(obj(c, `${what} component`).code, CS.observation) === LOCAL_CODES.news2Scale.code);
  if (scales.length !== 1) fail(`${what} does not name its SpO2 scale once.`);
  const scale = (scales[0] as Json).valueInteger;
  if (scale !== 1 && scale !== 2) fail(`${what} SpO2 scale is not 1 or 2.`);
  return { aggregate, scale };
}

function readEscalation(resource: Json, what: string): NonNullable<ExportRecord['escalation']> {
  const roles = (Array.isArray(resource.extension) ? resource.extension : []).filter((e) => isObject(e) && e.url === EXT.informedRole);
  if (roles.length !== 1) fail(`${what} does not name the role of the person informed once.`);
  const recipients = arr(resource.recipient, `${what} recipient`);
  if (recipients.length !== 1) fail(`${what} must name one person informed.`);
  const recipient = obj(recipients[0], `${what} recipient`);
  const address = recipient.identifier === undefined ? undefined : readAddress(recipient, `${what} recipient`);
  const about = arr(resource.about, `${what} about`);
  if (about.length !== 1) fail(`${what} must be about one record.`);
  const aboutId = obj(obj(about[0], `${what} about`).identifier, `${what} about identifier`);
  if (aboutId.system !== SID.recordId) fail(`${what} is not about a WardLedger record.`);
  const payload = arr(resource.payload, `${what} payload`);
  if (payload.length !== 1) fail(`${what} must carry one response.`);
  return {
    forRecord: str(aboutId.value, `${what} about record id`),
    informed: {
      name: str(recipient.display, `${what} recipient name`),
      role: str((roles[0] as Json).valueString, `${what} informed role`),
      ...(address !== undefined ? { address } : {}),
    },
    informedAt: instant(resource.sent, `${what} sent time`),
    response: str(obj(payload[0], `${what} payload`).contentString, `${what} response`),
  };
}

function readDiagnosis(resource: Json, what: string): NonNullable<ExportRecord['diagnosis']> {
  const code = obj(resource.code, `${what} code`);
  const text = str(code.text, `${what} text`);
  if (code.coding === undefined) return { text };
  const codings = arr(code.coding, `${what} coding`);
  if (codings.length !== 1) fail(`${what} must have at most one coding.`);
  const coding = obj(codings[0], `${what} coding`);
  const c = optStr(coding.code, `${what} code value`);
  const system = optStr(coding.system, `${what} code system`);
  return { ...(c !== undefined ? { code: c } : {}), ...(system !== undefined ? { system } : {}), text };
}
