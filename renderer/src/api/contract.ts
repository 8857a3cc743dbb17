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
export type { MemberStatus, PatientIdentifiers, PendingRegistration, PersonRef, PersonWithAge, Profile, Role } from '../../../electron/core/model/people';
export type {
  AuditAction,
  AuditEntry,
  ConsentGrant,
  Escalation,
  PatientHistory,
  Provenance,
  ProvenanceStatus,
  RecordContent,
  RecordKind,
  RecordView,
  VerificationItem,
  VerificationReport,
} from '../../../electron/core/model/records';
export type { Acvpu, GlucoseUnit, NormalisedVitals, OxygenDevice, TemperatureUnit, UnusualField, VitalsInput } from '../../../electron/core/model/vitals';
export type { PatientStoreCheck, StoreCheckReport } from '../../../electron/core/model/storeCheck';
export type { DraftForm, ObservationInput, VitalsPreview } from '../../../electron/core/model/observations';
export type {
  CensusRow,
  DoctorHome,
  DraftView,
  ObservationStatus,
  ObservationSummary,
  PatientHome,
  PatientSummary,
  SessionInfo,
  UnverifiedRecord,
  WardStatus,
} from '../../../electron/core/model/ward';
export { ageSchema, bedSchema, dobSchema, hospitalNumberSchema, maxReadingAgeSchema, nameSchema, noteSchema, passwordSchema, reasonSchema } from '../../../electron/core/model/fields';
export { GLUCOSE_MG_PER_DL_PER_MMOL_PER_L, OXYGEN_DEVICES, USUAL_RANGES, VITALS_FIELD_ORDER } from '../../../electron/core/model/vitals';
export { LATE_ENTRY_MINUTES, MISSING_REASONS, escalationFields, missingReasonSchema } from '../../../electron/core/model/observations';
export type { ChartDataset, ChartInput, ChartKey, ChartPoint, ChartSeries, OxygenPeriod, PatientChartData } from '../../../electron/core/model/chartSeries';
export { chartSeries, chartSpan, downsamplePoints, effectiveVitals, oxygenPeriods, readingsExtent } from '../../../electron/core/model/chartSeries';
export type { BackupRecord, BackupScheduleStatus, DiskStatus, MigrationStatus, StoreStatus } from '../../../electron/core/model/storeStatus';
export { MAX_NIGHTLY_KEPT, MIN_BACKUP_PASSPHRASE, RECOVERY_KEY_PREFIX, formatBytes } from '../../../electron/core/model/storeStatus';
export type {
  ConsortiumBadge,
  ConsortiumSettings,
  ConsortiumSettingsView,
  ConsortiumWard,
  CrossWardPeople,
  CrossWardPerson,
  CrossWardShare,
  DirectoryStaff,
  IncomingTransfer,
  OutgoingTransfer,
  PublishedBatchView,
  SharedWithMe,
  SyncConsoleView,
  TransferTargets,
} from '../../../electron/core/model/consortium';
export { BATCH_HISTORY_KEPT } from '../../../electron/core/model/consortium';
