/**
 * FHIR R4 export of WardLedger records: build (fhirExport), read back for verification
 * (fhirParse) and schema validation (fhirValidate). One import point for the rest of the core.
 */
export { buildFhirBundle } from './fhirExport';
export type { BuildBundleOptions } from './fhirExport';
export { parseFhirExport } from './fhirParse';
export { validateFhirR4, warmUpFhirValidator } from './fhirValidate';
export type { FhirValidation } from './fhirValidate';
export {
  CS,
  EXPORT_RECORD_KINDS,
  EXT,
  SID,
  SIG_FORMAT_EIP712,
  WARDLEDGER_FHIR_BASE,
  deterministicUuid,
} from './fhirModel';
export type {
  ExportAuthor,
  ExportDiagnosis,
  ExportPatient,
  ExportRecord,
  ExportRecordKind,
  ExportSignature,
  FhirBundle,
  FhirResource,
  JsonValue,
  ParsedFhirExport,
} from './fhirModel';
