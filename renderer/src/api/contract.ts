/**
 * The renderer's only door to the shared API contract. Types come in with `import type`; the
 * three zod field schemas are plain values that bundle fine, so forms can show the exact same
 * messages the core would. Nothing else from the core may be imported by the renderer.
 */
export type {
  ApiErrorBody,
  DoctorHome,
  InputOf,
  MemberStatus,
  OperationName,
  OutputOf,
  PatientHome,
  PendingRegistration,
  Profile,
  Role,
  SessionInfo,
  WardBridge,
  WardEvent,
  WardStatus,
} from '../../../electron/core/api/contract';
export { ageSchema, nameSchema, passwordSchema } from '../../../electron/core/api/contract';
