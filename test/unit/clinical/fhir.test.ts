import { beforeAll, describe, expect, it } from 'vitest';
import {
  EXT,
  SID,
  buildFhirBundle,
  parseFhirExport,
  validateFhirR4,
  warmUpFhirValidator,
} from '../../../electron/core/clinical/fhir';
import type { ExportPatient, ExportRecord, FhirBundle, FhirResource } from '../../../electron/core/clinical/fhir';
import { requireValidVitals } from '../../../electron/core/clinical/vitals';

const patient: ExportPatient = { id: '0x' + 'cd'.repeat(32) };
const nurse = { address: '0x' + '12'.repeat(20), role: 'nurse', display: 'Ward nurse 1' };
const doctor = { address: '0x' + '34'.repeat(20), role: 'doctor' };
const sig = (s: string) => ({ sigFormat: 'application/eip712+json' as const, data: Buffer.from(JSON.stringify({ signature: s })).toString('base64') });

const vitalsRecord: ExportRecord = {
  recordId: '0x' + 'a1'.repeat(32),
  kind: 'vitals',
  effective: '2025-03-04T09:15:00Z',
  recorded: '2025-03-04T09:16:02.125Z',
  author: nurse,
  vitals: requireValidVitals({
    respiratoryRate: 22,
    spo2: 93,
    supplementalOxygen: true,
    systolic: 104,
    diastolic: 66,
    pulse: 112,
    consciousness: 'C',
    temperature: { value: 101.1, unit: '[degF]' },
    bloodGlucose: { value: 142, unit: 'mg/dL' },
  }),
  device: { model: 'Contec CMS50D+', serial: 'CMS-0042' },
  signature: sig('0x01'),
  anchor: { ward: { chainId: 31337, block: 812, tx: '0x' + 'ee'.repeat(32) }, consortium: null },
};

const deviceRecord: ExportRecord = {
  recordId: '0x' + 'a2'.repeat(32),
  kind: 'observation',
  effective: '2025-03-04T10:00:00+01:00',
  recorded: '2025-03-04T09:00:05Z',
  author: nurse,
  vitals: requireValidVitals({ systolic: 118, pulse: 80, bloodGlucose: { value: 6.2, unit: 'mmol/L' }, temperature: { value: 37.3, unit: 'Cel' } }),
  device: { model: 'Contec CMS50D+', serial: 'CMS-0042' },
  signature: sig('0x02'),
};

const noteRecord: ExportRecord = {
  recordId: '0x' + 'a3'.repeat(32),
  kind: 'note',
  effective: '2025-03-04T11:00:00Z',
  recorded: '2025-03-04T11:02:00Z',
  author: doctor,
  note: 'Reviewed on the ward round. Continue oxygen, repeat observations hourly.',
  signature: sig('0x03'),
};

const diagnosisRecord: ExportRecord = {
  recordId: '0x' + 'a4'.repeat(32),
  kind: 'diagnosis',
  effective: '2025-03-04T11:00:00Z',
  recorded: '2025-03-04T11:03:00Z',
  author: doctor,
  diagnosis: { code: 'J44.1', system: 'http://hl7.org/fhir/sid/icd-10', text: 'COPD with acute exacerbation' },
  signature: sig('0x04'),
};

const amendmentRecord: ExportRecord = {
  recordId: '0x' + 'a5'.repeat(32),
  kind: 'amendment',
  effective: '2025-03-04T11:00:00Z',
  recorded: '2025-03-04T12:00:00Z',
  author: doctor,
  diagnosis: { text: 'Community-acquired pneumonia' },
  amends: diagnosisRecord.recordId,
  signature: sig('0x05'),
  anchor: { ward: { block: 900 } },
};

const systolicOnlyRecord: ExportRecord = {
  recordId: '0x' + 'a6'.repeat(32),
  kind: 'vitals',
  effective: '2025-03-04T13:00:00Z',
  recorded: '2025-03-04T13:00:30Z',
  author: nurse,
  vitals: requireValidVitals({ systolic: 96, consciousness: 'A', supplementalOxygen: false, spo2: 97 }),
  signature: sig('0x06'),
};

const allRecords = [vitalsRecord, deviceRecord, noteRecord, diagnosisRecord, amendmentRecord, systolicOnlyRecord];

const resources = (b: FhirBundle) => b.entry.map((e) => e.resource);
const byType = (b: FhirBundle, t: string) => resources(b).filter((r) => r.resourceType === t);
const loincOf = (r: FhirResource) => ((r.code as { coding: Array<{ system: string; code: string }> }).coding.find((c) => c.system === 'http://loinc.org') ?? { code: undefined }).code;
const clone = <T>(v: T): T => structuredClone(v);

function expectBadInput(fn: () => unknown, message: RegExp) {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a WardError').toMatchObject({ name: 'WardError', code: 'BAD_INPUT' });
  expect((caught as Error).message).toMatch(message);
}

describe('buildFhirBundle', () => {
  const bundle = buildFhirBundle(patient, allRecords);

  it('is a deterministic collection with urn:uuid fullUrls matching resource ids', () => {
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('collection');
    expect(buildFhirBundle(patient, allRecords)).toEqual(bundle);
    for (const e of bundle.entry) {
      expect(e.fullUrl).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(e.fullUrl).toBe(`urn:uuid:${e.resource.id}`);
    }
    expect(new Set(bundle.entry.map((e) => e.fullUrl)).size).toBe(bundle.entry.length);
    // ids depend on the record id only: another bundle with the same record reuses them
    const alone = buildFhirBundle(patient, [noteRecord]);
    const noteUrl = (b: FhirBundle) => b.entry.find((e) => e.resource.valueString !== undefined)!.fullUrl;
    expect(noteUrl(alone)).toBe(noteUrl(bundle));
  });

  it('keeps the patient pseudonymous and shares one Device between records', () => {
    const [p] = byType(bundle, 'Patient');
    expect(p.identifier).toEqual([{ system: SID.patientPseudonym, value: patient.id }]);
    expect(p.name).toBeUndefined();
    const devices = byType(bundle, 'Device');
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ serialNumber: 'CMS-0042', deviceName: [{ name: 'Contec CMS50D+', type: 'model-name' }] });
  });

  it('maps each vital sign to an Observation with LOINC, UCUM, category and profiles', () => {
    const record = buildFhirBundle(patient, [vitalsRecord]);
    const obs = byType(record, 'Observation');
    const byLoinc = new Map(obs.map((o) => [loincOf(o), o]));
    const device = `urn:uuid:${byType(record, 'Device')[0].id}`;
    const subject = `urn:uuid:${byType(record, 'Patient')[0].id}`;
    const profile = (name: string) => `http://hl7.org/fhir/StructureDefinition/${name}`;

    const expectVital = (loinc: string, specific: string | null, value: unknown) => {
      const o = byLoinc.get(loinc)!;
      expect(o, loinc).toBeDefined();
      expect(o.status).toBe('final');
      expect(o.category).toEqual([{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] }]);
      expect((o.meta as { profile: string[] }).profile).toEqual(specific ? [profile('vitalsigns'), profile(specific)] : [profile('vitalsigns')]);
      expect(o.subject).toEqual({ reference: subject });
      expect(o.effectiveDateTime).toBe(vitalsRecord.effective);
      expect(o.device).toEqual({ reference: device });
      expect(o.identifier).toEqual([{ system: SID.recordId, value: vitalsRecord.recordId }]);
      for (const [k, v] of Object.entries(value as object)) expect(o[k], `${loinc}.${k}`).toEqual(v);
    };
    const q = (value: number, code: string, unit = code) => ({ valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code } });

    expectVital('9279-1', 'resprate', q(22, '/min'));
    expectVital('2708-6', 'oxygensat', q(93, '%'));
    expectVital('8867-4', 'heartrate', q(112, '/min'));
    expectVital('8310-5', 'bodytemp', q(101.1, '[degF]', '°F'));
    expectVital('67775-7', null, {
      valueCodeableConcept: { coding: [{ system: 'https://wardledger.example/fhir/CodeSystem/acvpu', code: 'C', display: 'New confusion' }], text: 'New confusion' },
    });
    expectVital('85354-9', 'bp', {
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' }], text: 'Systolic blood pressure' }, valueQuantity: { value: 104, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4', display: 'Diastolic blood pressure' }], text: 'Diastolic blood pressure' }, valueQuantity: { value: 66, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      ],
    });

    const oxygen = obs.find((o) => o.valueBoolean !== undefined)!;
    expect(oxygen.valueBoolean).toBe(true);
    expect(oxygen.category).toEqual(byLoinc.get('2708-6')!.category);

    const glucose = byLoinc.get('41653-7')!;
    expect(glucose.category).toEqual([{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] }]);
    expect(glucose.meta).toBeUndefined();
    expect(glucose.valueQuantity).toEqual({ value: 142, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' });
    expect(obs).toHaveLength(8);
  });

  it('uses the molar glucose code for mmol/L and marks an unmeasured BP component absent', () => {
    const b = buildFhirBundle(patient, [deviceRecord, systolicOnlyRecord]);
    const glucose = byType(b, 'Observation').find((o) => loincOf(o) === '14743-9')!;
    expect(glucose.valueQuantity).toMatchObject({ value: 6.2, code: 'mmol/L' });
    const bp = byType(b, 'Observation').filter((o) => loincOf(o) === '85354-9');
    const components = bp.map((o) => o.component as Array<Record<string, unknown>>);
    expect(components[1][1]).toMatchObject({ dataAbsentReason: { coding: [{ code: 'not-performed' }] } });
    expect(components[1][1].valueQuantity).toBeUndefined();
  });

  it('never shows an original and its correction as two final readings (FHIR R4 Observation.status)', () => {
    // http://hl7.org/fhir/R4/valueset-observation-status.html: "corrected" = modified to correct an
    // error (a kind of "amended"); "entered-in-error" = withdrawn after final release. A system that
    // ignores Provenance and counts readings that are final/amended/corrected counts one.
    const correction: ExportRecord = {
      ...vitalsRecord,
      recordId: '0x' + 'a9'.repeat(32),
      kind: 'amendment',
      recorded: '2025-03-04T12:30:00Z',
      vitals: { ...vitalsRecord.vitals, spo2: 88 },
      amends: vitalsRecord.recordId,
      signature: sig('0x09'),
    };
    const b = buildFhirBundle(patient, [vitalsRecord, correction]);
    const spo2 = byType(b, 'Observation').filter((o) => loincOf(o) === '2708-6');
    expect(spo2.map((o) => [o.status, (o.valueQuantity as { value: number }).value, o.effectiveDateTime])).toEqual([
      ['entered-in-error', vitalsRecord.vitals!.spo2, vitalsRecord.effective],
      ['corrected', 88, vitalsRecord.effective],
    ]);
    const counted = spo2.filter((o) => ['final', 'amended', 'corrected'].includes(o.status as string));
    expect(counted).toHaveLength(1);
    expect(byType(b, 'Observation').filter((o) => o.identifier && (o.identifier as Array<{ value: string }>)[0]!.value === vitalsRecord.recordId).every((o) => o.status === 'entered-in-error')).toBe(true);
    // Without its correction in the export, the original stays final.
    expect(byType(buildFhirBundle(patient, [vitalsRecord]), 'Observation').every((o) => o.status === 'final')).toBe(true);
  });

  it('exports notes as Observation.valueString and diagnoses as Condition', () => {
    const note = byType(bundle, 'Observation').find((o) => o.valueString !== undefined)!;
    expect(note.valueString).toBe(noteRecord.note);
    const conditions = byType(bundle, 'Condition');
    expect(conditions).toHaveLength(2);
    expect(conditions[0]).toMatchObject({
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'J44.1' }], text: 'COPD with acute exacerbation' },
      category: [{ coding: [{ code: 'encounter-diagnosis' }] }],
      recordedDate: diagnosisRecord.recorded,
    });
    expect(conditions[1].code).toEqual({ text: 'Community-acquired pneumonia' });
  });

  it('marks a diagnosis corrected in the same export entered-in-error, and only that one', () => {
    // FHIR R4 Condition.verificationStatus, required binding
    // http://hl7.org/fhir/R4/valueset-condition-ver-status.html (system
    // http://terminology.hl7.org/CodeSystem/condition-ver-status); invariant con-5: "Condition.clinicalStatus
    // SHALL NOT be present if verification Status is entered-in-error".
    const [original, correction] = byType(bundle, 'Condition');
    expect(original.verificationStatus).toEqual({
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'entered-in-error', display: 'Entered in Error' }],
    });
    expect(original.clinicalStatus).toBeUndefined();
    expect(correction.verificationStatus).toBeUndefined();
    // Without its correction in the export, the original states no verification status (we do not guess).
    expect(byType(buildFhirBundle(patient, [diagnosisRecord]), 'Condition')[0].verificationStatus).toBeUndefined();
  });

  it('gives each record a Provenance with targets, author agent, signature and WardLedger extensions', () => {
    const provenances = byType(bundle, 'Provenance');
    expect(provenances).toHaveLength(allRecords.length);
    const first = provenances[0];
    const urls = new Map(bundle.entry.map((e) => [e.fullUrl, e.resource]));
    const targets = (first.target as Array<{ reference: string }>).map((t) => urls.get(t.reference)!);
    expect(targets).toHaveLength(8);
    for (const t of targets) expect(t.identifier).toEqual([{ system: SID.recordId, value: vitalsRecord.recordId }]);
    expect(first.recorded).toBe(vitalsRecord.recorded);
    expect(first.occurredDateTime).toBe(vitalsRecord.effective);
    const who = { identifier: { system: SID.ethereumAddress, value: nurse.address }, display: nurse.display };
    expect(first.agent).toEqual([
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author', display: 'Author' }] },
        role: [{ coding: [{ system: 'https://wardledger.example/fhir/CodeSystem/role', code: 'nurse' }], text: 'nurse' }],
        who,
      },
    ]);
    expect(first.signature).toEqual([
      {
        type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1', display: "Author's Signature" }],
        when: vitalsRecord.recorded,
        who,
        sigFormat: 'application/eip712+json',
        data: vitalsRecord.signature.data,
      },
    ]);
    expect(first.extension).toEqual([
      { url: EXT.recordId, valueString: vitalsRecord.recordId },
      { url: EXT.recordKind, valueCode: 'vitals' },
      { url: EXT.anchor, valueString: JSON.stringify({ consortium: null, ward: { block: 812, chainId: 31337, tx: '0x' + 'ee'.repeat(32) } }) },
    ]);
    expect(first.entity).toEqual([{ role: 'source', what: { reference: `urn:uuid:${byType(bundle, 'Device')[0].id}` } }]);

    const amendment = provenances[4];
    expect(amendment.activity).toMatchObject({ coding: [{ code: 'UPDATE' }] });
    expect(amendment.entity).toEqual([{ role: 'revision', what: { identifier: { system: SID.recordId, value: diagnosisRecord.recordId } } }]);
    expect(provenances[2].activity).toMatchObject({ coding: [{ code: 'CREATE' }] });
  });

  it('includes the patient display and timestamp only when given', () => {
    const b = buildFhirBundle({ ...patient, display: 'Bed 4' }, [noteRecord], { timestamp: '2025-03-05T08:00:00Z' });
    expect(byType(b, 'Patient')[0].name).toEqual([{ text: 'Bed 4' }]);
    expect(b.timestamp).toBe('2025-03-05T08:00:00Z');
    expect(bundle.timestamp).toBeUndefined();
  });

  it('refuses records it cannot export faithfully', () => {
    const { note: _n, ...empty } = noteRecord;
    expectBadInput(() => buildFhirBundle(patient, [empty]), /nothing to export/);
    expectBadInput(() => buildFhirBundle(patient, [{ ...noteRecord, vitals: {} }, noteRecord]), /same record twice/);
    expectBadInput(() => buildFhirBundle(patient, [{ ...noteRecord, recorded: '2025-03-04 11:02' }]), /recorded time/);
    expectBadInput(() => buildFhirBundle(patient, [{ ...noteRecord, effective: '2025-03-04T11:02:00' }]), /effective time/);
    expectBadInput(() => buildFhirBundle(patient, [{ ...noteRecord, signature: { ...noteRecord.signature, data: 'not base64!' } }]), /base64/);
    expectBadInput(() => buildFhirBundle(patient, [{ ...noteRecord, note: '' }]), /note/);
    expectBadInput(() => buildFhirBundle({ id: '' }, [noteRecord]), /patient id/);
    expectBadInput(() => buildFhirBundle(patient, [noteRecord], { timestamp: 'yesterday' }), /timestamp/);
    expectBadInput(() => buildFhirBundle(patient, [{ ...systolicOnlyRecord, vitals: { spo2: Number.NaN } }]), /SpO2/);
  });
});

describe('validateFhirR4 (ajv + FHIR R4 JSON schema)', () => {
  beforeAll(() => warmUpFhirValidator());

  it('accepts the full export bundle', () => {
    const result = validateFhirR4(buildFhirBundle({ ...patient, display: 'Bed 4' }, allRecords, { timestamp: '2025-03-05T08:00:00.000Z' }));
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('catches a broken bundle and says where', () => {
    const broken = clone(buildFhirBundle(patient, [vitalsRecord]));
    const obs = broken.entry.find((e) => e.resource.resourceType === 'Observation')!;
    obs.resource.status = 'done';
    (obs.resource.valueQuantity as Record<string, unknown>).value = '22';
    obs.resource.heartRate = 80;
    const result = validateFhirR4(broken);
    expect(result.valid).toBe(false);
    const index = broken.entry.indexOf(obs);
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^/entry/${index}/resource/status must be equal to one of the allowed values`)),
        expect.stringMatching(new RegExp(`^/entry/${index}/resource/valueQuantity/value must be number`)),
        `/entry/${index}/resource must NOT have additional properties: "heartRate"`,
      ]),
    );
  });

  it('catches structural errors in Provenance and the Bundle itself', () => {
    const broken = clone(buildFhirBundle(patient, [noteRecord]));
    const prov = broken.entry.find((e) => e.resource.resourceType === 'Provenance')!;
    prov.resource.recorded = '4 March 2025';
    (broken as unknown as Record<string, unknown>).type = 'pile';
    const result = validateFhirR4(broken);
    expect(result.valid).toBe(false);
    expect(result.errors.some((e) => e.startsWith('/type '))).toBe(true);
    const index = broken.entry.indexOf(prov);
    expect(result.errors.some((e) => e.startsWith(`/entry/${index}/resource/recorded must match pattern`))).toBe(true);
  });

  it('rejects unknown and non-R4 resource types, and non-objects', () => {
    expect(validateFhirR4({ resourceType: 'Vitals' })).toEqual({ valid: false, errors: ['/resourceType "Vitals" is not a FHIR R4 resource type'] });
    expect(validateFhirR4({ resourceType: 'Project', name: 'medplum-only' }).valid).toBe(false);
    expect(validateFhirR4({}).errors).toContain('/resourceType is missing');
    expect(validateFhirR4(null).valid).toBe(false);
    expect(validateFhirR4('Bundle').valid).toBe(false);
  });

  it('validates single resources', () => {
    expect(validateFhirR4({ resourceType: 'Observation', status: 'final', code: { text: 'x' } }).valid).toBe(true);
    expect(validateFhirR4({ resourceType: 'Observation', status: 'final' }).errors).toEqual(["/ must have required property 'code'"]);
  });
});

describe('parseFhirExport', () => {
  const bundle = buildFhirBundle({ ...patient, display: 'Bed 4' }, allRecords);

  it('round-trips every record exactly', () => {
    const parsed = parseFhirExport(JSON.parse(JSON.stringify(bundle)));
    expect(parsed.patient).toEqual({ ...patient, display: 'Bed 4' });
    expect(parsed.records).toEqual(allRecords);
    // and the canonical values are re-derived, not trusted from the bundle
    expect(parsed.records[0].vitals?.temperature).toEqual({ celsius: 38.39, entered: { value: 101.1, unit: '[degF]' } });
    expect(parsed.records[0].vitals?.bloodGlucose).toEqual({ mmolPerL: 7.88, entered: { value: 142, unit: 'mg/dL' } });
    // key order of vitals matches validateVitals output, so re-encoding gives the same JSON
    expect(JSON.stringify(parsed.records[0].vitals)).toBe(JSON.stringify(vitalsRecord.vitals));
  });

  it('round-trips a bundle without optional parts', () => {
    const parsed = parseFhirExport(buildFhirBundle(patient, [noteRecord]));
    expect(parsed).toEqual({ patient, records: [noteRecord] });
  });

  const mutate = (change: (b: FhirBundle) => void): FhirBundle => {
    const b = clone(bundle);
    change(b);
    return b;
  };
  const find = (b: FhirBundle, pred: (r: FhirResource) => boolean) => b.entry.find((e) => pred(e.resource))!.resource;

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'bundle', /The bundle is missing or not an object/],
    ['not a Bundle', { resourceType: 'Observation' }, /not a Bundle/],
    ['a transaction', { ...bundle, type: 'transaction' }, /not "collection"/],
    ['without entries', { ...bundle, entry: [] }, /Bundle.entry is missing or empty/],
    ['with a duplicated fullUrl', { ...bundle, entry: [...bundle.entry, bundle.entry[1]] }, /share the fullUrl/],
    ['with no Patient', { ...bundle, entry: bundle.entry.slice(1) }, /exactly one Patient/],
    ['with no Provenance', { ...bundle, entry: bundle.entry.filter((e) => e.resource.resourceType !== 'Provenance') }, /no signed record/],
  ])('rejects a bundle %s', (_label, input, message) => {
    expectBadInput(() => parseFhirExport(input), message);
  });

  it('rejects content no signed record covers', () => {
    const b = mutate((x) => {
      x.entry.push({ fullUrl: 'urn:uuid:00000000-0000-8000-8000-000000000000', resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } } });
    });
    expectBadInput(() => parseFhirExport(b), /not covered by any signed record/);
  });

  it('rejects a resource moved to another record or another patient', () => {
    const moved = mutate((x) => {
      (find(x, (r) => r.valueString !== undefined).identifier as Array<{ value: string }>)[0].value = vitalsRecord.recordId;
    });
    expectBadInput(() => parseFhirExport(moved), /does not carry its record id/);
    const otherPatient = mutate((x) => {
      find(x, (r) => r.resourceType === 'Condition').subject = { reference: 'urn:uuid:11111111-1111-8111-8111-111111111111' };
    });
    expectBadInput(() => parseFhirExport(otherPatient), /different patient/);
  });

  it('rejects changed units, unknown codes and non-numeric values', () => {
    const unit = mutate((x) => {
      (find(x, (r) => r.resourceType === 'Observation' && loincOf(r) === '2708-6').valueQuantity as Record<string, unknown>).code = '1';
    });
    expectBadInput(() => parseFhirExport(unit), /unit must be %/);
    const code = mutate((x) => {
      (find(x, (r) => r.resourceType === 'Observation' && loincOf(r) === '8867-4').code as { coding: Array<{ code: string }> }).coding[0].code = '8480-6';
    });
    expectBadInput(() => parseFhirExport(code), /code WardLedger does not export/);
    const value = mutate((x) => {
      (find(x, (r) => r.resourceType === 'Observation' && loincOf(r) === '9279-1').valueQuantity as Record<string, unknown>).value = '22';
    });
    expectBadInput(() => parseFhirExport(value), /value is not a number/);
  });

  it('rejects a signature by someone other than the author, or without the EIP-712 format', () => {
    const signer = mutate((x) => {
      const prov = find(x, (r) => r.resourceType === 'Provenance');
      (prov.signature as Array<{ who: unknown }>)[0].who = { identifier: { system: SID.ethereumAddress, value: doctor.address } };
    });
    expectBadInput(() => parseFhirExport(signer), /signer is not the author/);
    const format = mutate((x) => {
      const prov = find(x, (r) => r.resourceType === 'Provenance');
      (prov.signature as Array<{ sigFormat: string }>)[0].sigFormat = 'application/jose';
    });
    expectBadInput(() => parseFhirExport(format), /signature format/);
  });

  it('rejects a resource claimed by two records and a missing record id', () => {
    const twice = mutate((x) => {
      const provs = x.entry.filter((e) => e.resource.resourceType === 'Provenance').map((e) => e.resource);
      (provs[1].target as unknown[]).push((provs[0].target as unknown[])[0]);
    });
    expectBadInput(() => parseFhirExport(twice), /already covered/);
    const noId = mutate((x) => {
      const prov = find(x, (r) => r.resourceType === 'Provenance');
      prov.extension = (prov.extension as Array<{ url: string }>).filter((e) => e.url !== EXT.recordId);
    });
    expectBadInput(() => parseFhirExport(noId), /record id extension/);
  });

  it('rejects an anchor that is not a JSON object', () => {
    const b = mutate((x) => {
      const prov = find(x, (r) => r.resourceType === 'Provenance');
      (prov.extension as Array<{ url: string; valueString?: string }>).find((e) => e.url === EXT.anchor)!.valueString = '{not json';
    });
    expectBadInput(() => parseFhirExport(b), /anchor is not JSON/);
  });
});
