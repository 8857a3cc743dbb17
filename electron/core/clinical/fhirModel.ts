/**
 * Shared vocabulary of the FHIR export: the export input types, the WardLedger identifier systems,
 * extension and code-system URLs, the minimal FHIR R4 shapes we emit, and deterministic ids.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Escalation } from '../model/records';
import type { NormalisedVitals } from '../model/vitals';

// ---------------------------------------------------------------------------------------------
// Export input / parse output
// ---------------------------------------------------------------------------------------------

/** The patient of an export: a pseudonymous id only (no name or age unless `display` is given). */
export interface ExportPatient {
  /** Pseudonymous patient reference (e.g. the bytes32 patientRef). */
  id: string;
  /** Optional human label; leave out for exports that must stay pseudonymous. */
  display?: string;
}

export type ExportRecordKind = 'vitals' | 'observation' | 'note' | 'diagnosis' | 'amendment' | 'escalation';
export const EXPORT_RECORD_KINDS: readonly ExportRecordKind[] = ['vitals', 'observation', 'note', 'diagnosis', 'amendment', 'escalation'];

export interface ExportAuthor {
  /** Ethereum address of the signing key. */
  address: string;
  /** WardLedger role, e.g. 'nurse', 'doctor'. */
  role: string;
  display?: string;
}

export const SIG_FORMAT_EIP712 = 'application/eip712+json';

export interface ExportSignature {
  sigFormat: typeof SIG_FORMAT_EIP712;
  /** Base64 of the signature together with the EIP-712 typed data it signs. */
  data: string;
}

/** JSON value carried opaquely (anchor details). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface ExportDiagnosis {
  /** Code in `system` (e.g. an ICD-10 or SNOMED CT code), if coded. */
  code?: string;
  /** Code system URI of `code`, e.g. 'http://hl7.org/fhir/sid/icd-10'. */
  system?: string;
  text: string;
}

/** One signed WardLedger record, as exported. At least one of vitals, note, diagnosis, escalation is present. */
export interface ExportRecord {
  recordId: string;
  kind: ExportRecordKind;
  /** Clinically relevant time (ISO-8601 with seconds and zone): the signed measured time of an observation. */
  effective: string;
  /** When the record was signed and recorded (ISO-8601 with seconds and zone). */
  recorded: string;
  author: ExportAuthor;
  vitals?: NormalisedVitals;
  /** A complete NEWS2 score as signed: its aggregate and the SpO2 scale it was computed on. */
  news2?: { aggregate: number; scale: 1 | 2 };
  note?: string;
  diagnosis?: ExportDiagnosis;
  /** Who was informed of a worrying score, when, and their response (kind 'escalation'). */
  escalation?: Escalation;
  /** Record id this record corrects (kind 'amendment'). */
  amends?: string;
  /** Device the vitals came from. */
  device?: { model: string; serial: string };
  signature: ExportSignature;
  /** Anchor details (ward chain, block, Merkle proof...) for re-checking. */
  anchor?: { [key: string]: JsonValue };
  /** Where the record is on the hospital consortium chain (batch, root, block, proofs), for re-checking; only for published records. */
  consortium?: { [key: string]: JsonValue };
}

export interface ParsedFhirExport {
  patient: ExportPatient;
  records: ExportRecord[];
}

// ---------------------------------------------------------------------------------------------
// URLs and code systems
// ---------------------------------------------------------------------------------------------

export const WARDLEDGER_FHIR_BASE = 'https://wardledger.example/fhir';

/** Identifier systems. */
export const SID = {
  recordId: `${WARDLEDGER_FHIR_BASE}/sid/record-id`,
  patientPseudonym: `${WARDLEDGER_FHIR_BASE}/sid/patient-pseudonym`,
  ethereumAddress: `${WARDLEDGER_FHIR_BASE}/sid/ethereum-address`,
  deviceSerial: `${WARDLEDGER_FHIR_BASE}/sid/device-serial`,
} as const;

/** Extensions on Provenance (R4 Provenance has no `identifier`). */
export const EXT = {
  recordId: `${WARDLEDGER_FHIR_BASE}/StructureDefinition/record-id`,
  recordKind: `${WARDLEDGER_FHIR_BASE}/StructureDefinition/record-kind`,
  /** Anchor details as canonical JSON text (sorted keys), so the verifier gets them byte-exact. */
  anchor: `${WARDLEDGER_FHIR_BASE}/StructureDefinition/anchor`,
  /** The record's place on the hospital consortium chain as canonical JSON (records/exportConsortium.ts). */
  consortium: `${WARDLEDGER_FHIR_BASE}/StructureDefinition/consortium-place`,
  /** On an escalation's Communication: the role of the person informed. */
  informedRole: `${WARDLEDGER_FHIR_BASE}/StructureDefinition/informed-role`,
} as const;

/** Local code systems (used where no standard code fits; see fhirExport.ts for the reasons). */
export const CS = {
  acvpu: `${WARDLEDGER_FHIR_BASE}/CodeSystem/acvpu`,
  oxygenDevice: `${WARDLEDGER_FHIR_BASE}/CodeSystem/oxygen-device`,
  observation: `${WARDLEDGER_FHIR_BASE}/CodeSystem/observation`,
  role: `${WARDLEDGER_FHIR_BASE}/CodeSystem/role`,
} as const;

export const LOCAL_CODES = {
  supplementalOxygen: { code: 'supplemental-oxygen', display: 'Supplemental oxygen (NEWS2 air or oxygen)' },
  oxygenDevice: { code: 'oxygen-delivery-device', display: 'Oxygen delivery device' },
  news2Scale: { code: 'news2-spo2-scale', display: 'NEWS2 SpO2 scale (1 or 2)' },
  clinicalNote: { code: 'clinical-note', display: 'Clinical note' },
} as const;

export const HL7 = {
  participantType: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  dataOperation: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionVerificationStatus: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  dataAbsentReason: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
  signatureType: 'urn:iso-astm:E1762-95:2013',
} as const;

/** ASTM E1762 "Author's Signature". */
export const AUTHOR_SIGNATURE_CODE = '1.2.840.10065.1.12.1.1';

// ---------------------------------------------------------------------------------------------
// Minimal FHIR R4 shapes
// ---------------------------------------------------------------------------------------------

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Identifier {
  system?: string;
  value?: string;
}
export interface Reference {
  reference?: string;
  identifier?: Identifier;
  display?: string;
}
export interface Quantity {
  value: number;
  unit: string;
  system: string;
  code: string;
}
export interface Extension {
  url: string;
  valueString?: string;
  valueCode?: string;
}
export interface FhirResource {
  resourceType: string;
  id?: string;
  [key: string]: unknown;
}
export interface BundleEntry {
  fullUrl: string;
  resource: FhirResource;
}
export interface FhirBundle {
  resourceType: 'Bundle';
  id: string;
  type: 'collection';
  timestamp?: string;
  entry: BundleEntry[];
  /** The export's signed manifest (records/exportManifest.ts). */
  signature?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Deterministic ids
// ---------------------------------------------------------------------------------------------

/**
 * A UUID derived from `name` (SHA-256, first 16 bytes, RFC 9562 version 8 and variant bits), so
 * the same record always exports to the same resource ids and fullUrls.
 */
export function deterministicUuid(name: string): string {
  const b = sha256(utf8ToBytes(`wardledger-fhir:${name}`)).slice(0, 16);
  b[6] = (b[6] & 0x0f) | 0x80;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = bytesToHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const urnUuid = (uuid: string): string => `urn:uuid:${uuid}`;

/** FHIR instant / full dateTime: date, time with seconds, and a zone. */
export const FHIR_INSTANT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$/;
