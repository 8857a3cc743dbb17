/**
 * The WardLedger API contract: operation names, input schemas, output types, roles and events.
 * This file is shared by the core (which adds handlers), the Electron preload/main, the loopback
 * server and the renderer (which imports TYPES only). It must not import core code.
 */
import { z } from 'zod';

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

export const nameSchema = z
  .string({ error: 'Name is required.' })
  .trim()
  .min(1, 'Name is required.')
  .max(100, 'Name must be at most 100 characters.')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'Name must not contain control characters.');

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

// ---------- operations ----------

/** Who may call: anyone (no session), any unlocked session, or the listed roles. */
export type Access = 'public' | 'session' | readonly Role[];

export interface OperationSpec<I extends z.ZodType, O> {
  input: I;
  access: Access;
  /** Allowed while the session is locked (unlock, logout, whoami). */
  allowWhenLocked?: boolean;
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
  'identity/register': op<{ address: string; status: MemberStatus }>()({
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
  'admin/pending': op<PendingRegistration[]>()({ input: empty, access: ['it-admin'] }),
  'admin/approve': op<{ address: string; status: MemberStatus }>()({ input: byAddress, access: ['it-admin'] }),
  'admin/reject': op<{ address: string; status: MemberStatus }>()({ input: byAddress, access: ['it-admin'] }),
  'admin/members': op<Profile[]>()({ input: empty, access: ['it-admin'] }),
  'settings/update': op<{ lockTimeoutSeconds: number }>()({
    input: z.object({ lockTimeoutSeconds: lockTimeoutSchema }).strict(),
    access: ['it-admin'],
  }),
  'doctor/home': op<DoctorHome>()({ input: empty, access: ['doctor'] }),
  'patient/home': op<PatientHome>()({ input: empty, access: ['patient'] }),
} as const;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type InputOf<N extends OperationName> = z.input<Operations[N]['input']>;
export type OutputOf<N extends OperationName> = NonNullable<Operations[N]['output']>;
export const operationNames = Object.keys(operations) as OperationName[];

// ---------- events (server → UI) ----------

export type WardEvent =
  | { type: 'session.locked'; reason: 'inactivity' | 'manual' }
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
