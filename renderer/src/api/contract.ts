/**
 * The renderer's only door to the shared API contract. Types come in with `import type`; the
 * zod field schemas are plain values that bundle fine, so forms can show the exact same
 * messages the core would. Nothing else from the core may be imported by the renderer.
 */
export type {
  ApiErrorBody,
  AuditAction,
  AuditEntry,
  CensusRow,
  ConsentGrant,
  DeviceProvenance,
  DoctorHome,
  InputOf,
  MemberStatus,
  News2Result,
  NormalisedVitals,
  OperationName,
  OutputOf,
  PatientHistory,
  PatientHome,
  PendingRegistration,
  PersonRef,
  Profile,
  Provenance,
  ProvenanceStatus,
  RecordContent,
  RecordKind,
  RecordView,
  Role,
  SessionInfo,
  VerificationItem,
  VerificationReport,
  VitalsInput,
  WardBridge,
  WardEvent,
  WardStatus,
} from '../../../electron/core/api/contract';
export {
  ageSchema,
  bedSchema,
  nameSchema,
  noteSchema,
  passwordSchema,
  reasonSchema,
} from '../../../electron/core/api/contract';

import type { News2Result, NormalisedVitals } from '../../../electron/core/api/contract';

/** NEWS2 risk band ('low' | 'low-medium' | 'medium' | 'high'). */
export type News2Band = News2Result['minimumBand'];
/** The seven NEWS2 parameters. */
export type News2Parameter = keyof News2Result['subScores'];
/** ACVPU consciousness levels. */
export type Acvpu = NonNullable<NormalisedVitals['consciousness']>;
/** UCUM codes of the two temperature units the core accepts. */
export type TemperatureUnit = NonNullable<NormalisedVitals['temperature']>['entered']['unit'];
/** The two glucose units the core accepts. */
export type GlucoseUnit = NonNullable<NormalisedVitals['bloodGlucose']>['entered']['unit'];
