/**
 * The WardLedger API contract: operation names, input schemas, output types, roles and events.
 * This file is shared by the core (which adds handlers), the Electron preload/main, the loopback
 * server and the renderer (which imports TYPES only). It must not import core code.
 */
import { z } from 'zod';
import type { News2Result } from '../clinical/news2';
import type { NormalisedVitals, VitalsInput } from '../clinical/vitals';
import type { DeviceView, PendingReading } from '../devices/deviceService';

export type { News2Result, NormalisedVitals, VitalsInput, DeviceView, PendingReading };

export const roles = ['it-admin', 'doctor', 'nurse', 'patient', 'insurer'] as const;
export type Role = (typeof roles)[number];
/** Roles whose registration needs an IT admin's approval on the chain. */
export const staffRoles: readonly Role[] = ['it-admin', 'doctor', 'nurse', 'insurer'];

export const roleLabels: Record<Role, string> = {
  'it-admin': 'IT admin',
  doctor: 'Doctor',
  nurse: 'Nurse',
  patient: 'Patient',
  insurer: 'Insurer',
};

// ---------- field schemas (validated at the boundary, messages shown to people) ----------

/**
 * Characters a name must not contain, checked on its NFKC form (Unicode TR36 §3, TR39 §3.1): they
 * make a name look like another or hide part of it. Bidirectional controls can reorder what is
 * shown ("Peter\u202Etneitap"); invisible ones (zero-width space, soft hyphen, Hangul filler,
 * variation selectors, tags: Default_Ignorable_Code_Point) make two different names look equal.
 * ZWNJ between two Arabic-script letters stays allowed (Persian spelling; RFC 5892 Appendix A.1).
 */
const nameControl = /\p{Cc}/u;
const nameBidiControl = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const nameInvisible = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/u;
const nameUnassigned = /[\p{Co}\p{Cn}\p{Cs}]/u;
const arabicZwnj = /(?<=\p{Script=Arabic}\p{M}*)\u200C(?=\p{Script=Arabic})/gu;

function nameCharacterProblem(name: string): string | null {
  const s = name.normalize('NFKC');
  if (nameControl.test(s)) return 'Name must not contain control characters.';
  if (nameBidiControl.test(s)) return 'Name must not contain text-direction marks (they can make a name show differently from what it is).';
  if (nameInvisible.test(s.replace(arabicZwnj, ''))) return 'Name must not contain invisible characters (such as zero-width spaces or soft hyphens).';
  if (nameUnassigned.test(s)) return 'Name must not contain private-use or unassigned characters.';
  return null;
}

export const nameSchema = z
  .string({ error: 'Name is required.' })
  .trim()
  .min(1, 'Name is required.')
  .max(100, 'Name must be at most 100 characters.')
  .superRefine((s, ctx) => {
    const problem = nameCharacterProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const ageSchema = z
  .number({ error: 'Age must be a whole number of years.' })
  .int('Age must be a whole number of years.')
  .min(0, 'Age must be between 0 and 130.')
  .max(130, 'Age must be between 0 and 130.');

export const passwordSchema = z
  .string({ error: 'Password is required.' })
  .min(8, 'Password must be at least 8 characters.')
  .max(256, 'Password must be at most 256 characters.');

export const addressSchema = z
  .string({ error: 'Account address is required.' })
  .regex(/^0x[0-9a-fA-F]{40}$/, 'Account address must be 0x followed by 40 hex digits.');

export const lockTimeoutSchema = z
  .number({ error: 'Lock timeout must be a number of seconds.' })
  .int('Lock timeout must be a whole number of seconds.')
  .min(15, 'Lock timeout must be between 15 seconds and 8 hours.')
  .max(8 * 3600, 'Lock timeout must be between 15 seconds and 8 hours.');

export const bedSchema = z
  .string({ error: 'Bed is required.' })
  .trim()
  .min(1, 'Bed is required.')
  .max(16, 'Bed must be at most 16 characters.')
  .regex(/^[A-Za-z0-9 .\-/]+$/, 'Bed may contain letters, digits, spaces and . - / only.');

export const noteSchema = z
  .string({ error: 'Text is required.' })
  .trim()
  .min(1, 'Text is required.')
  .max(10_000, 'Text must be at most 10,000 characters.');

export const reasonSchema = z
  .string({ error: 'A reason is required.' })
  .trim()
  .min(5, 'Give a reason of at least 5 characters.')
  .max(500, 'A reason must be at most 500 characters.');

export const recordIdSchema = z
  .string({ error: 'Record id is required.' })
  .regex(/^0x[0-9a-f]{64}$/, 'Record id must be 0x followed by 64 lowercase hex digits.');

export const deviceIdSchema = z.string({ error: 'Choose a device.' }).min(1, 'Choose a device.').max(512);
export const readingIdsSchema = z
  .array(z.string().uuid('Reading ids are UUIDs.'), { error: 'Choose readings.' })
  .min(1, 'Choose at least one reading.')
  .max(1000, 'Choose at most 1,000 readings at once.');

// ---------- shared output types ----------

export type MemberStatus = 'pending' | 'approved' | 'rejected' | 'revoked';

export interface Profile {
  address: string;
  name: string;
  age: number;
  role: Role;
  status: MemberStatus;
}

export interface WardStatus {
  initialized: boolean;
  wardName: string | null;
  chainId: number;
  blockNumber: number;
  registryAddress: string | null;
  lockTimeoutSeconds: number;
}

export interface SessionInfo {
  token: string;
  profile: Profile;
  wardName: string;
  lockTimeoutSeconds: number;
}

export interface PendingRegistration {
  address: string;
  name: string;
  age: number;
  role: Role;
  requestedAt: string;
}

export interface DoctorHome {
  me: Profile;
  wardName: string;
  /** The doctor's patients; empty until records and admissions exist. */
  patients: Array<{ address: string; name: string; age: number; latestVitalsAt: string | null }>;
}

export interface PatientHome {
  me: Profile;
  wardName: string;
}

// ---------- clinical records (shared output types) ----------

export type RecordKind = 'vitals' | 'note' | 'diagnosis' | 'amendment';

export interface PersonRef {
  address: string;
  name: string;
  /** 'station': readings the workstation recorded from a bound bedside device. */
  role: Role | 'station';
}

export interface DeviceProvenance {
  driver: string;
  model: string;
  serial: string;
  deviceRecordId: string;
  deviceTime?: string;
  receivedAt: string;
}

/** What a reader sees of one record's content, decrypted. */
export interface RecordContent {
  vitals?: NormalisedVitals;
  /** NEWS2 as computed when the vitals were recorded (scale in force for the patient then). */
  news2?: News2Result;
  note?: string;
  diagnosis?: { text: string; code?: string };
  /** For amendments: why, and the corrected content is in vitals/note/diagnosis. */
  reason?: string;
  device?: DeviceProvenance;
}

export type ProvenanceStatus = 'verified' | 'pending' | 'tampered' | 'unverifiable';

export interface Provenance {
  status: ProvenanceStatus;
  signatureValid: boolean;
  contentMatchesAnchor: boolean;
  anchored: boolean;
  wardBlock: number | null;
  wardTx: string | null;
  batchRoot: string | null;
  /** Plain-language problems found, empty when verified. */
  problems: string[];
}

export interface RecordView {
  id: string;
  kind: RecordKind;
  createdAt: string;
  author: PersonRef;
  amends: string | null;
  /** Ids of later records that amend this one. */
  amendedBy: string[];
  content: RecordContent | null;
  provenance: Provenance;
}

export interface CensusRow {
  patient: PersonRef & { age: number };
  bed: string;
  admittedAt: string;
  responsibleDoctor: PersonRef | null;
  news2Scale: 1 | 2;
  latest: { at: string; vitals: NormalisedVitals; news2: News2Result } | null;
  minutesSinceLastObservation: number | null;
  /** No observation within the interval NEWS2 asks for (or none since admission after 1 h). */
  overdue: boolean;
}

export interface PatientHistory {
  patient: PersonRef & { age: number };
  news2Scale: 1 | 2;
  records: RecordView[];
  /** True when this read used break-glass access. */
  breakGlass: boolean;
}

export interface ConsentGrant {
  grantee: PersonRef;
  grantedAt: string;
  revokedAt: string | null;
}

export type AuditAction = 'read' | 'export' | 'verify' | 'amend' | 'grant' | 'revoke';

export interface AuditEntry {
  at: string;
  actor: PersonRef;
  action: AuditAction;
  patient: PersonRef | null;
  breakGlass: boolean;
  reason: string | null;
  wardBlock: number;
  wardTx: string;
}

export interface VerificationItem {
  recordId: string;
  kind: string;
  /** The signer's address (what the signature proves). */
  author: string;
  /** The author's name as signed inside the record, when the signed content is readable. */
  authorName: string | null;
  ok: boolean;
  signature: boolean;
  integrity: boolean;
  anchor: boolean;
  problems: string[];
}

export interface VerificationReport {
  ok: boolean;
  checked: number;
  failed: number;
  items: VerificationItem[];
  /** Problems with the file as a whole (not FHIR, schema errors). */
  fileProblems: string[];
}

export interface DevicesOverview {
  /** Why real USB devices are unavailable (e.g. libusb missing), or null. */
  usbProblem: string | null;
  /** Simulators that can be plugged in from the screen (demo mode), else empty. */
  simulators: string[];
  devices: DeviceView[];
  pending: PendingReading[];
}

// ---------- operations ----------

/** Who may call: anyone (no session), any unlocked session, or the listed roles. */
export type Access = 'public' | 'session' | readonly Role[];

export interface OperationSpec<I extends z.ZodType, O> {
  input: I;
  access: Access;
  /** Allowed while the session is locked (unlock, logout, whoami). */
  allowWhenLocked?: boolean;
  /**
   * A read that screens may repeat on their own (refresh, polling): it does not count as the
   * person's activity, so an open screen never keeps a walked-away session unlocked.
   */
  passive?: boolean;
  /** Phantom for the output type. */
  output?: O;
}

/** `op<Output>()({ input, access })`: curried so the output type is explicit and the input inferred. */
function op<O>() {
  return <I extends z.ZodType>(spec: Omit<OperationSpec<I, O>, 'output'>): OperationSpec<I, O> => spec;
}

const empty = z.object({}).strict();
const byAddress = z.object({ address: addressSchema }).strict();

export const operations = {
  'ward/status': op<WardStatus>()({ input: empty, access: 'public' }),
  'ward/setup': op<{ address: string }>()({
    input: z.object({ wardName: nameSchema, name: nameSchema, age: ageSchema, password: passwordSchema }).strict(),
    access: 'public',
  }),
  /** `warning`: the name looks like another account's (patients only; staff are refused). */
  'identity/register': op<{ address: string; status: MemberStatus; warning?: string }>()({
    input: z
      .object({ role: z.enum(roles, { error: 'Choose a role.' }), name: nameSchema, age: ageSchema, password: passwordSchema })
      .strict(),
    access: 'public',
  }),
  'session/login': op<SessionInfo>()({
    input: z.object({ name: nameSchema, password: z.string().min(1, 'Password is required.').max(256) }).strict(),
    access: 'public',
  }),
  'session/me': op<SessionInfo & { locked: boolean }>()({ input: empty, access: 'session', allowWhenLocked: true }),
  'session/touch': op<{ locksAt: string }>()({ input: empty, access: 'session' }),
  'session/lock': op<{ locked: true }>()({ input: empty, access: 'session', allowWhenLocked: true }),
  'session/unlock': op<SessionInfo>()({
    input: z.object({ password: z.string().min(1, 'Password is required.').max(256) }).strict(),
    access: 'session',
    allowWhenLocked: true,
  }),
  'session/logout': op<{ loggedOut: true }>()({ input: empty, access: 'session', allowWhenLocked: true }),
  'admin/pending': op<PendingRegistration[]>()({ passive: true, input: empty, access: ['it-admin'] }),
  'admin/approve': op<{ address: string; status: MemberStatus }>()({ input: byAddress, access: ['it-admin'] }),
  'admin/reject': op<{ address: string; status: MemberStatus }>()({ input: byAddress, access: ['it-admin'] }),
  'admin/members': op<Profile[]>()({ passive: true, input: empty, access: ['it-admin'] }),
  'settings/update': op<{ lockTimeoutSeconds: number }>()({
    input: z.object({ lockTimeoutSeconds: lockTimeoutSchema }).strict(),
    access: ['it-admin'],
  }),
  'doctor/home': op<DoctorHome>()({ passive: true, input: empty, access: ['doctor'] }),
  'patient/home': op<PatientHome>()({ passive: true, input: empty, access: ['patient'] }),
  // --- ward workflow (nurses and doctors) ---
  'ward/census': op<CensusRow[]>()({ passive: true, input: empty, access: ['nurse', 'doctor'] }),
  'ward/unadmittedPatients': op<Array<PersonRef & { age: number }>>()({ passive: true, input: empty, access: ['nurse', 'doctor'] }),
  'ward/doctors': op<PersonRef[]>()({ passive: true, input: empty, access: ['nurse', 'doctor'] }),
  'ward/admit': op<CensusRow>()({
    input: z.object({ patient: addressSchema, bed: bedSchema, responsibleDoctor: addressSchema.nullish() }).strict(),
    access: ['nurse', 'doctor'],
  }),
  'ward/registerAndAdmit': op<CensusRow & { warning?: string }>()({
    input: z
      .object({ name: nameSchema, age: ageSchema, password: passwordSchema, bed: bedSchema, responsibleDoctor: addressSchema.nullish() })
      .strict(),
    access: ['nurse', 'doctor'],
  }),
  'ward/assignDoctor': op<CensusRow>()({ input: z.object({ patient: addressSchema, doctor: addressSchema }).strict(), access: ['nurse', 'doctor'] }),
  'ward/setNews2Scale': op<CensusRow>()({
    input: z.object({ patient: addressSchema, scale: z.union([z.literal(1), z.literal(2)], { error: 'Scale must be 1 or 2.' }), reason: reasonSchema }).strict(),
    access: ['doctor'],
  }),
  'ward/discharge': op<{ discharged: true }>()({ input: z.object({ patient: addressSchema }).strict(), access: ['nurse', 'doctor'] }),

  // --- records ---
  'vitals/preview': op<{ valid: boolean; errors: Record<string, string>; news2: News2Result | null }>()({ passive: true,
    input: z.object({ patient: addressSchema.nullish(), vitals: z.unknown() }).strict(),
    access: ['nurse', 'doctor'],
  }),
  'records/addVitals': op<RecordView>()({
    input: z.object({ patient: addressSchema, vitals: z.unknown() }).strict(),
    access: ['nurse', 'doctor'],
  }),
  'records/addNote': op<RecordView>()({ input: z.object({ patient: addressSchema, text: noteSchema }).strict(), access: ['doctor'] }),
  'records/addDiagnosis': op<RecordView>()({
    input: z.object({ patient: addressSchema, text: noteSchema, code: z.string().trim().max(32, 'Code must be at most 32 characters.').nullish() }).strict(),
    access: ['doctor'],
  }),
  'records/amend': op<RecordView>()({
    input: z
      .object({
        recordId: recordIdSchema,
        reason: reasonSchema,
        vitals: z.unknown().optional(),
        note: noteSchema.optional(),
        diagnosis: z.object({ text: noteSchema, code: z.string().trim().max(32).nullish() }).strict().optional(),
      })
      .strict(),
    access: ['doctor'],
  }),
  'records/history': op<PatientHistory>()({ passive: true,
    input: z.object({ patient: addressSchema, breakGlassReason: reasonSchema.optional() }).strict(),
    access: ['patient', 'doctor', 'nurse', 'insurer'],
  }),
  'records/myPatients': op<Array<PersonRef & { age: number; bed: string | null; latest: CensusRow['latest'] }>>()({ passive: true,
    input: empty,
    access: ['doctor', 'insurer'],
  }),

  // --- consent and audit ---
  'consent/list': op<{ grants: ConsentGrant[]; candidates: PersonRef[] }>()({ passive: true, input: empty, access: ['patient'] }),
  'consent/grant': op<{ grant: ConsentGrant; recordsShared: number }>()({
    input: z.object({ grantee: addressSchema }).strict(),
    access: ['patient'],
  }),
  'consent/revoke': op<{ grant: ConsentGrant; notice: string }>()({
    input: z.object({ grantee: addressSchema }).strict(),
    access: ['patient'],
  }),
  'audit/list': op<AuditEntry[]>()({ passive: true, input: z.object({ patient: addressSchema.nullish() }).strict(), access: ['patient', 'it-admin', 'doctor'] }),

  // --- export and verification ---
  'export/fhir': op<{ filename: string; bundle: unknown }>()({
    input: z.object({ patient: addressSchema }).strict(),
    access: ['patient', 'doctor', 'insurer'],
  }),
  'verify/fhir': op<VerificationReport>()({
    input: z.object({ bundle: z.unknown() }).strict(),
    access: ['insurer', 'doctor', 'patient', 'it-admin', 'nurse'],
  }),

  // --- USB devices ---
  'devices/list': op<DevicesOverview>()({ passive: true, input: empty, access: ['nurse', 'doctor', 'it-admin'] }),
  'devices/assign': op<{ recorded: number }>()({
    input: z.object({ readingIds: readingIdsSchema, patient: addressSchema }).strict(),
    access: ['nurse', 'doctor'],
  }),
  'devices/dismiss': op<{ dismissed: number }>()({ input: z.object({ readingIds: readingIdsSchema }).strict(), access: ['nurse', 'doctor'] }),
  'devices/reread': op<DevicesOverview>()({ input: z.object({ deviceId: deviceIdSchema }).strict(), access: ['nurse', 'doctor'] }),
  'devices/bind': op<DevicesOverview>()({
    input: z
      .object({
        deviceId: deviceIdSchema,
        patient: addressSchema,
        intervalSeconds: z
          .number({ error: 'Interval must be a number of seconds.' })
          .int('Interval must be a whole number of seconds.')
          .min(5, 'Interval must be between 5 seconds and 1 hour.')
          .max(3600, 'Interval must be between 5 seconds and 1 hour.'),
      })
      .strict(),
    access: ['nurse', 'doctor'],
  }),
  'devices/unbind': op<DevicesOverview>()({ input: z.object({ deviceId: deviceIdSchema }).strict(), access: ['nurse', 'doctor'] }),
  'devices/simulate': op<DevicesOverview>()({
    input: z.object({ simulator: z.string().min(1, 'Choose a simulator.').max(40) }).strict(),
    access: ['nurse', 'doctor', 'it-admin'],
  }),
  'devices/unplugSimulated': op<DevicesOverview>()({ input: z.object({ deviceId: deviceIdSchema }).strict(), access: ['nurse', 'doctor', 'it-admin'] }),
} as const;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type InputOf<N extends OperationName> = z.input<Operations[N]['input']>;
export type OutputOf<N extends OperationName> = NonNullable<Operations[N]['output']>;
export const operationNames = Object.keys(operations) as OperationName[];

// ---------- events (server → UI) ----------

export type WardEvent =
  | { type: 'session.locked'; reason: 'inactivity' | 'manual' }
  /** Devices, live values or pending readings changed: refetch devices/list. */
  | { type: 'devices.changed' }
  | { type: 'progress'; operation: string; fraction: number; label: string };

/** Error shape on every bridge. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The transport-independent client the renderer uses (preload or loopback HTTP). */
export interface WardBridge {
  invoke(operation: string, input: unknown, sessionToken: string | null): Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorBody }>;
  onEvent(listener: (event: WardEvent) => void): () => void;
}
