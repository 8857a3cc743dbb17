/**
 * The WardLedger API: one table of operations (name, zod input schema, who may call, output
 * type). Shared by the core (which serves it), the Electron main process and the loopback
 * server (which check operation names), and the renderer (which imports its TYPES only, so the
 * table itself never ships in the renderer's bundle). What the inputs and outputs are made of is
 * the model (../model), which this file only puts together.
 */
import { z } from 'zod';
import type { ApiErrorBody } from '../model/errors';
import type { WardEvent } from '../model/events';
import type { DevicesOverview } from '../model/devices';
import { draftFormSchema, escalationFields, observationFields, type VitalsPreview } from '../model/observations';
import { roles, type MemberStatus, type Role, type PendingRegistration, type PersonRef, type PersonWithAge, type Profile } from '../model/people';
import type { PatientChartData } from '../model/chartSeries';
import { MAX_NIGHTLY_KEPT, MIN_BACKUP_PASSPHRASE, type BackupRecord, type BackupScheduleStatus, type MigrationStatus, type StoreStatus } from '../model/storeStatus';
import type { ConsortiumSettingsView, CrossWardPeople, CrossWardShare, DirectoryStaffView, IncomingTransfer, OutgoingTransfer, PublishedBatchPage, SharedWithMe, SyncConsoleView, TransferTargets } from '../model/consortium';
import type { AuditPage, ConsentGrant, PatientHistory, RecordView, VerificationReport } from '../model/records';
import type { CensusRow, DoctorHome, DraftView, PatientHome, PatientSummary, SessionInfo, WardStatus } from '../model/ward';
import {
  addressSchema,
  ageSchema,
  bedSchema,
  deviceIdSchema,
  dobSchema,
  hospitalNumberSchema,
  lockTimeoutSchema,
  maxReadingAgeSchema,
  nameSchema,
  noteSchema,
  pageCursorSchema,
  passwordSchema,
  readingIdsSchema,
  reasonSchema,
  recordIdSchema,
  windowHoursSchema,
} from '../model/fields';
import { VitalsInputSchema } from '../model/vitals';

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
/** Per-field vitals messages are keyed by vital sign: see the router's field errors. */
const vitals = VitalsInputSchema;
/** The preview takes what is typed, valid or not, and says what is wrong instead of refusing. */
const loose = (max: number) => z.string().max(max).optional();
const byPatient = z.object({ patient: addressSchema }).strict();
/** A backup is encrypted with a passphrase or to a recovery key's public half (crypto/recoveryKey.ts): one of the two. */
const backupPassphraseSchema = z.string({ error: 'Choose a passphrase.' }).min(MIN_BACKUP_PASSPHRASE, `The passphrase must have at least ${MIN_BACKUP_PASSPHRASE} characters.`).max(1024, 'That passphrase is too long.');
const recoveryKeySchema = z.string({ error: 'Paste the recovery key.' }).trim().min(1, 'Paste the recovery key.').max(200, 'That is longer than a recovery key.');
const oneLock = (i: { passphrase?: string; recoveryKey?: string }) => (i.passphrase === undefined) !== (i.recoveryKey === undefined);
const oneLockError = { error: 'Give a passphrase or a recovery key (one of the two).', path: ['passphrase'] };

export const operations = {
  'ward/status': op<WardStatus>()({ input: empty, access: 'public' }),
  'ward/setup': op<{ address: string }>()({
    input: z.object({ wardName: nameSchema, name: nameSchema, age: ageSchema, password: passwordSchema }).strict(),
    access: 'public',
  }),
  /**
   * `warning`: the name is the same as, or looks like, another account's (patients only; staff
   * are refused). Staff give their age; patients their date of birth and hospital number (an age
   * alone is still taken from older clients: such a patient logs in by name).
   */
  'identity/register': op<{ address: string; status: MemberStatus; warning?: string }>()({
    input: z
      .object({
        role: z.enum(roles, { error: 'Choose a role.' }),
        name: nameSchema,
        age: ageSchema.optional(),
        dob: dobSchema.optional(),
        hospitalNumber: hospitalNumberSchema.optional(),
        password: passwordSchema,
      })
      .strict()
      .superRefine((r, ctx) => {
        if (r.role === 'patient' && r.hospitalNumber !== undefined && r.dob === undefined) ctx.addIssue({ code: 'custom', path: ['dob'], message: 'Date of birth is required.' });
        if (r.role === 'patient' && r.dob !== undefined && r.hospitalNumber === undefined) ctx.addIssue({ code: 'custom', path: ['hospitalNumber'], message: 'Hospital number is required.' });
        if (r.role !== 'patient' && (r.dob !== undefined || r.hospitalNumber !== undefined)) ctx.addIssue({ code: 'custom', path: ['dob'], message: 'Only patients give a date of birth and hospital number.' });
        if (r.age === undefined && r.dob === undefined) ctx.addIssue({ code: 'custom', path: ['age'], message: 'Age is required: a whole number of years.' });
      }),
    access: 'public',
  }),
  /**
   * `name`: a name, or a patient's hospital number. An account still under its one-time
   * activation code is refused with ACTIVATION_REQUIRED until `newPassword` comes with the code.
   */
  'session/login': op<SessionInfo>()({
    input: z.object({ name: nameSchema, password: z.string().min(1, 'Password is required.').max(256), newPassword: passwordSchema.optional() }).strict(),
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
  // The hospital consortium (records/consortiumSync.ts): settings checked on save, and the sync console.
  'consortium/settings': op<ConsortiumSettingsView>()({ passive: true, input: empty, access: ['it-admin'] }),
  'consortium/configure': op<ConsortiumSettingsView>()({
    input: z
      .object({
        url: z.string().trim().min(1, 'Enter the consortium node\'s address.').max(500),
        ledger: addressSchema,
        chainId: z.number().int().positive('The chain id is a whole number above 0.').max(2 ** 53 - 1),
        confirmations: z.number().int().min(1, 'At least 1 confirmation.').max(64, 'At most 64 confirmations.'),
      })
      .strict(),
    access: ['it-admin'],
  }),
  'consortium/status': op<SyncConsoleView>()({ passive: true, input: empty, access: ['it-admin'] }),
  'consortium/syncNow': op<SyncConsoleView>()({ input: empty, access: ['it-admin'] }),
  'consortium/batches': op<PublishedBatchPage>()({
    passive: true,
    // The cursor of a page above (checked by consortium/syncState.ts).
    input: z.object({ before: z.string().min(1).max(64) }).strict(),
    access: ['it-admin'],
  }),
  'consortium/pause': op<SyncConsoleView>()({ input: empty, access: ['it-admin'] }),
  'consortium/resume': op<SyncConsoleView>()({ input: empty, access: ['it-admin'] }),
  // Transfer of care between wards over the consortium (records/careTransfer.ts).
  'transfer/targets': op<TransferTargets>()({ passive: true, input: empty, access: ['nurse', 'doctor'] }),
  'transfer/out': op<OutgoingTransfer>()({
    input: z.object({ patient: addressSchema, ward: addressSchema, reason: reasonSchema }).strict(),
    access: ['nurse', 'doctor'],
  }),
  'transfer/outgoing': op<OutgoingTransfer[]>()({ passive: true, input: z.object({ patient: addressSchema.optional() }).strict(), access: ['nurse', 'doctor'] }),
  'transfer/incoming': op<IncomingTransfer[]>()({ passive: true, input: empty, access: ['nurse', 'doctor'] }),
  'transfer/admit': op<CensusRow>()({
    input: z.object({ patient: addressSchema, bed: bedSchema, responsibleDoctor: addressSchema.nullish() }).strict(),
    access: ['nurse', 'doctor'],
  }),
  // IT lists the ward's nurses and doctors in the consortium directory, so patients of other wards can share with them.
  'consortium/people': op<DirectoryStaffView>()({ passive: true, input: empty, access: ['it-admin'] }),
  'consortium/addPerson': op<DirectoryStaffView>()({ input: z.object({ person: addressSchema }).strict(), access: ['it-admin'] }),
  'consortium/removePerson': op<DirectoryStaffView>()({ input: z.object({ person: addressSchema }).strict(), access: ['it-admin'] }),
  // A patient shares with a clinician of another ward (records/crossWardShares.ts); that clinician's list on their ward.
  'share/people': op<CrossWardPeople>()({ passive: true, input: empty, access: ['patient'] }),
  'share/list': op<CrossWardShare[]>()({ passive: true, input: empty, access: ['patient'] }),
  'share/out': op<CrossWardShare>()({ input: z.object({ person: z.string().regex(/^0x[0-9a-fA-F]{128}$/, 'Choose a person from the list.') }).strict(), access: ['patient'] }),
  'share/revoke': op<{ share: CrossWardShare; notice: string }>()({ input: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/) }).strict(), access: ['patient'] }),
  'share/withMe': op<SharedWithMe[]>()({ passive: true, input: empty, access: ['nurse', 'doctor'] }),
  'admin/members': op<Profile[]>()({ passive: true, input: empty, access: ['it-admin'] }),
  'admin/storeStatus': op<StoreStatus>()({ passive: true, input: empty, access: ['it-admin'] }),
  // The record store was upgraded from the old log and checked: the IT admin confirms, and the old log is removed.
  'admin/confirmMigration': op<MigrationStatus>()({ input: empty, access: ['it-admin'] }),
  // An encrypted backup of the running ward (store, chain, keystores, settings) written to a new
  // file on this computer, with a passphrase or to a recovery key (one of the two).
  'admin/backup': op<BackupRecord>()({
    input: z
      .object({
        out: z.string({ error: 'Give the backup file as a full path.' }).min(2, 'Give the backup file as a full path.').max(4096, 'That path is too long.'),
        passphrase: backupPassphraseSchema.optional(),
        recoveryKey: recoveryKeySchema.optional(),
      })
      .strict()
      .refine(oneLock, oneLockError),
    access: ['it-admin'],
  }),
  // Nightly backups into a folder, the newest `keep` kept, encrypted to a recovery key (runs across
  // restarts) or with a passphrase (held in memory only: given again after a restart). One of the two.
  'admin/scheduleBackups': op<BackupScheduleStatus>()({
    input: z
      .object({
        folder: z.string({ error: 'Give the folder as a full path.' }).min(1, 'Give the folder as a full path.').max(4096, 'That path is too long.'),
        keep: z.number({ error: 'How many nightly backups to keep.' }).int('A whole number.').min(1, 'At least 1.').max(MAX_NIGHTLY_KEPT, `At most ${MAX_NIGHTLY_KEPT}.`),
        passphrase: backupPassphraseSchema.optional(),
        recoveryKey: recoveryKeySchema.optional(),
      })
      .strict()
      .refine(oneLock, oneLockError),
    access: ['it-admin'],
  }),
  'admin/stopBackups': op<{ stopped: true }>()({ input: empty, access: ['it-admin'] }),
  'settings/update': op<{ lockTimeoutSeconds: number; maxReadingAgeDays: number; glucoseUnit: 'mmol/L' | 'mg/dL' }>()({
    input: z
      .object({
        lockTimeoutSeconds: lockTimeoutSchema.optional(),
        maxReadingAgeDays: maxReadingAgeSchema.optional(),
        glucoseUnit: z.enum(['mmol/L', 'mg/dL'], { error: 'Choose mmol/L or mg/dL.' }).optional(),
      })
      .strict(),
    access: ['it-admin'],
  }),
  'doctor/home': op<DoctorHome>()({ passive: true, input: empty, access: ['doctor'] }),
  'patient/home': op<PatientHome>()({ passive: true, input: empty, access: ['patient'] }),
  // --- ward workflow (nurses and doctors) ---
  'ward/census': op<CensusRow[]>()({ passive: true, input: empty, access: ['nurse', 'doctor'] }),
  // What the ward board tells clinicians about this workstation (its disk, when saving is about to fail).
  'ward/workstation': op<{ diskWarning: string | null }>()({ passive: true, input: empty, access: ['nurse', 'doctor'] }),
  'ward/unadmittedPatients': op<PersonWithAge[]>()({ passive: true, input: empty, access: ['nurse', 'doctor'] }),
  'ward/doctors': op<PersonRef[]>()({ passive: true, input: empty, access: ['nurse', 'doctor'] }),
  'ward/admit': op<CensusRow>()({
    input: z.object({ patient: addressSchema, bed: bedSchema, responsibleDoctor: addressSchema.nullish() }).strict(),
    access: ['nurse', 'doctor'],
  }),
  /**
   * Register a new patient and admit them. `activationCode`: shown once to the nurse, handed to
   * the patient, who replaces it with their own password at first login (the nurse never knows it).
   */
  'ward/registerAndAdmit': op<CensusRow & { warning?: string; activationCode: string }>()({
    input: z
      .object({ name: nameSchema, dob: dobSchema, hospitalNumber: hospitalNumberSchema, bed: bedSchema, responsibleDoctor: addressSchema.nullish() })
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
  // The preview takes a set as typed, valid or not: it says what is invalid instead of refusing.
  'vitals/preview': op<VitalsPreview>()({ passive: true,
    input: z
      .object({
        patient: addressSchema.nullish(),
        vitals: z.unknown(),
        takenAt: loose(64),
        lateEntryReason: loose(2000),
        confirmed: z.array(z.string().max(40)).max(20).optional(),
        missingReason: loose(2000),
      })
      .strict(),
    access: ['nurse', 'doctor'],
  }),
  'records/addVitals': op<RecordView>()({
    input: z
      .object({ patient: addressSchema, submissionId: z.string().uuid('A submission id is a UUID.').nullish(), ...observationFields })
      .strict(),
    access: ['nurse', 'doctor'],
  }),
  'records/addEscalation': op<RecordView>()({
    input: z.object({ patient: addressSchema, ...escalationFields }).strict(),
    access: ['nurse', 'doctor'],
  }),
  // Drafts of a vitals entry, kept in the core's memory for this session only (ward/observationDrafts.ts).
  'drafts/get': op<{ draft: DraftView | null }>()({ passive: true, input: byPatient, access: ['nurse', 'doctor'] }),
  // Kept even while locking: a lock right after typing must not lose the last keystrokes. It only
  // writes (the draft is read back after unlocking).
  'drafts/put': op<{ updatedAt: string }>()({
    input: z.object({ patient: addressSchema, form: draftFormSchema }).strict(),
    access: ['nurse', 'doctor'],
    allowWhenLocked: true,
  }),
  'drafts/discard': op<{ discarded: true }>()({ input: byPatient, access: ['nurse', 'doctor'] }),
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
        vitals: vitals.optional(),
        takenAt: observationFields.takenAt,
        lateEntryReason: observationFields.lateEntryReason,
        confirmed: observationFields.confirmed,
        missingReason: observationFields.missingReason,
        note: noteSchema.optional(),
        diagnosis: z.object({ text: noteSchema, code: z.string().trim().max(32).nullish() }).strict().optional(),
      })
      .strict(),
    access: ['doctor'],
  }),
  // A history opens on its last 72 hours; `before` (the last page's `window.earlier`) loads the records before them.
  'records/history': op<PatientHistory>()({ passive: true,
    input: z.object({ patient: addressSchema, breakGlassReason: reasonSchema.optional(), before: pageCursorSchema.nullish(), hours: windowHoursSchema.optional() }).strict(),
    access: ['patient', 'doctor', 'nurse', 'insurer'],
  }),
  // Charts of a period (default the whole history), thinned to the lowest and highest reading per pixel column.
  'records/chart': op<PatientChartData>()({ passive: true,
    input: z
      .object({
        patient: addressSchema,
        breakGlassReason: reasonSchema.optional(),
        from: z.iso.datetime({ error: 'The start of the period must be a date and time.' }).optional(),
        to: z.iso.datetime({ error: 'The end of the period must be a date and time.' }).optional(),
        buckets: z.number().int().min(50, 'Between 50 and 4,000 columns.').max(4000, 'Between 50 and 4,000 columns.').optional(),
      })
      .strict(),
    access: ['patient', 'doctor', 'nurse', 'insurer'],
  }),
  'records/myPatients': op<PatientSummary[]>()({ passive: true,
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
  // The access log newest first, a page at a time (`before`: the last page's `earlier`).
  'audit/list': op<AuditPage>()({ passive: true, input: z.object({ patient: addressSchema.nullish(), before: pageCursorSchema.nullish() }).strict(), access: ['patient', 'it-admin', 'doctor'] }),

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
    input: z
      .object({
        readingIds: readingIdsSchema,
        patient: addressSchema,
        /** The clinician has seen that some readings predate the admission or the ward's age limit. */
        confirmTimes: z.boolean({ error: 'confirmTimes is true or false.' }).optional(),
      })
      .strict(),
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

// ---------- calls and the bridge ----------

export interface CallContext {
  /** Session token from session/login (null before login). */
  sessionToken: string | null;
  /** The caller's event channel: events for this caller (progress, lock) are published on it. */
  channel: string;
}

export type CallResult = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody };

/** The transport-independent client the renderer uses (preload or loopback HTTP). */
export interface WardBridge {
  invoke(operation: string, input: unknown, sessionToken: string | null): Promise<CallResult>;
  onEvent(listener: (event: WardEvent) => void): () => void;
}
