/**
 * The renderer's only door to the core: the model (runtime-neutral types, and the zod field
 * schemas, plain values that bundle fine, so forms show the exact messages the core would) and
 * the operation table's TYPES (`import type`: the table itself never reaches the bundle).
 * Nothing else from the core may be imported by the renderer.
 */
export type { InputOf, OperationName, OutputOf, WardBridge } from '../../../electron/core/api/contract';
export type { DeviceProvenance } from '../../../electron/core/model/devices';
export type { ApiErrorBody } from '../../../electron/core/model/errors';
export type { WardEvent } from '../../../electron/core/model/events';
export type { News2Band, News2Parameter, News2Result } from '../../../electron/core/model/news2';
export type { MemberStatus, PendingRegistration, PersonRef, Profile, Role } from '../../../electron/core/model/people';
export type {
  AuditAction,
  AuditEntry,
  ConsentGrant,
  PatientHistory,
  Provenance,
  ProvenanceStatus,
  RecordContent,
  RecordKind,
  RecordView,
  VerificationItem,
  VerificationReport,
} from '../../../electron/core/model/records';
export type { Acvpu, GlucoseUnit, NormalisedVitals, TemperatureUnit, VitalsInput } from '../../../electron/core/model/vitals';
export type { CensusRow, DoctorHome, PatientHome, SessionInfo, WardStatus } from '../../../electron/core/model/ward';
export { ageSchema, bedSchema, nameSchema, noteSchema, passwordSchema, reasonSchema } from '../../../electron/core/model/fields';
export { VITALS_FIELD_ORDER } from '../../../electron/core/model/vitals';
export type { ChartDataset, ChartInput, ChartKey, ChartPoint, ChartSeries } from '../../../electron/core/model/chartSeries';
export { chartSeries, effectiveVitals } from '../../../electron/core/model/chartSeries';
export type { BackupRecord, MigrationStatus, StoreStatus } from '../../../electron/core/model/storeStatus';
