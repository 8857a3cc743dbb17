/**
 * The one place for clinical codes: LOINC, UCUM, IEEE 11073 MDC and FHIR profile/category URLs
 * for every measurement WardLedger records (source: shared/reference/CLINICAL.md).
 * Everything else (validation, NEWS2, FHIR export, device drivers) reads codes from here. The ACVPU
 * levels are part of what a vitals set is: model/vitals.ts.
 */
import type { OxygenDevice } from '../model/vitals';

export const LOINC_SYSTEM = 'http://loinc.org';
export const SNOMED_SYSTEM = 'http://snomed.info/sct';
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const FHIR_PROFILE_BASE = 'http://hl7.org/fhir/StructureDefinition/';

/** MDC unit codes (partition DIM). */
export const MDC_UNITS = {
  percent: { code: 262688, name: 'MDC_DIM_PERCENT', ucum: '%' },
  beatsPerMinute: { code: 264864, name: 'MDC_DIM_BEAT_PER_MIN', ucum: '/min' },
  breathsPerMinute: { code: 264928, name: 'MDC_DIM_RESP_PER_MIN', ucum: '/min' },
  mmHg: { code: 266016, name: 'MDC_DIM_MMHG', ucum: 'mm[Hg]' },
  degreesCelsius: { code: 268192, name: 'MDC_DIM_DEGC', ucum: 'Cel' },
  mgPerDl: { code: 264274, name: 'MDC_DIM_MILLI_G_PER_DL', ucum: 'mg/dL' },
} as const;

/** UCUM codes with the human unit text shown next to values. */
export const UCUM = {
  percent: { code: '%', display: '%' },
  perMinute: { code: '/min', display: '/min' },
  mmHg: { code: 'mm[Hg]', display: 'mmHg' },
  celsius: { code: 'Cel', display: '°C' },
  fahrenheit: { code: '[degF]', display: '°F' },
  mgPerDl: { code: 'mg/dL', display: 'mg/dL' },
  mmolPerL: { code: 'mmol/L', display: 'mmol/L' },
  litresPerMinute: { code: 'L/min', display: 'L/min' },
} as const;

export type VitalSignProfile = 'vitalsigns' | 'bp' | 'heartrate' | 'resprate' | 'oxygensat' | 'bodytemp';
export type ObservationCategory = 'vital-signs' | 'laboratory';

/** One coded quantity: LOINC code + display, UCUM unit, MDC code(s), FHIR profile and category. */
export interface MeasurementCode {
  readonly loinc: string;
  readonly display: string;
  readonly ucum: string;
  /** MDC 32-bit code(s); the first is preferred. Empty where 11073 has no code. */
  readonly mdc: readonly number[];
  readonly category: ObservationCategory;
  /** Specific FHIR R4 vital-signs profile, if one exists (base `vitalsigns` is implied for vital-signs). */
  readonly profile?: VitalSignProfile;
}

export const MEASUREMENTS = {
  spo2: {
    loinc: '2708-6',
    display: 'Oxygen saturation in Arterial blood',
    ucum: '%',
    mdc: [150456], // MDC_PULS_OXIM_SAT_O2
    category: 'vital-signs',
    profile: 'oxygensat',
  },
  pulse: {
    loinc: '8867-4',
    display: 'Heart rate',
    ucum: '/min',
    mdc: [149530, 149546, 147842], // MDC_PULS_OXIM_PULS_RATE, MDC_PULS_RATE_NON_INV, MDC_ECG_HEART_RATE
    category: 'vital-signs',
    profile: 'heartrate',
  },
  bloodPressurePanel: {
    loinc: '85354-9',
    display: 'Blood pressure panel with all children optional',
    ucum: 'mm[Hg]',
    mdc: [150020], // MDC_PRESS_BLD_NONINV
    category: 'vital-signs',
    profile: 'bp',
  },
  systolic: {
    loinc: '8480-6',
    display: 'Systolic blood pressure',
    ucum: 'mm[Hg]',
    mdc: [150021], // MDC_PRESS_BLD_NONINV_SYS
    category: 'vital-signs',
  },
  diastolic: {
    loinc: '8462-4',
    display: 'Diastolic blood pressure',
    ucum: 'mm[Hg]',
    mdc: [150022], // MDC_PRESS_BLD_NONINV_DIA
    category: 'vital-signs',
  },
  meanArterialPressure: {
    loinc: '8478-0',
    display: 'Mean blood pressure',
    ucum: 'mm[Hg]',
    mdc: [150023], // MDC_PRESS_BLD_NONINV_MEAN
    category: 'vital-signs',
  },
  temperature: {
    loinc: '8310-5',
    display: 'Body temperature',
    ucum: 'Cel',
    mdc: [150364, 150344], // MDC_TEMP_BODY, MDC_TEMP (what many monitors send)
    category: 'vital-signs',
    profile: 'bodytemp',
  },
  respiratoryRate: {
    loinc: '9279-1',
    display: 'Respiratory rate',
    ucum: '/min',
    mdc: [151562], // MDC_RESP_RATE
    category: 'vital-signs',
    profile: 'resprate',
  },
  glucoseMass: {
    loinc: '41653-7',
    display: 'Glucose [Mass/volume] in Capillary blood by Glucometer',
    ucum: 'mg/dL',
    mdc: [160184], // MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD
    category: 'laboratory',
  },
  glucoseMoles: {
    loinc: '14743-9',
    display: 'Glucose [Moles/volume] in Capillary blood by Glucometer',
    ucum: 'mmol/L',
    mdc: [160184],
    category: 'laboratory',
  },
  // Oxygen given: the two LOINC codes the US Core Pulse Oximetry profile uses for its components
  // (hl7.org/fhir/us/core/StructureDefinition-us-core-pulse-oximetry.html; example
  // Observation-satO2-fiO2: "Inhaled oxygen flow rate (LOINC#3151-8) 6 liters/min").
  oxygenFlow: {
    loinc: '3151-8',
    display: 'Inhaled oxygen flow rate',
    ucum: 'L/min',
    mdc: [],
    category: 'vital-signs',
  },
  fio2: {
    loinc: '3150-0',
    display: 'Inhaled oxygen concentration',
    ucum: '%',
    mdc: [],
    category: 'vital-signs',
  },
  consciousness: {
    // LOINC's long name for 67775-7 is "Level of responsiveness" (the AVPU/ACVPU observation).
    loinc: '67775-7',
    display: 'Level of responsiveness',
    ucum: '',
    mdc: [],
    category: 'vital-signs',
  },
} as const satisfies Record<string, MeasurementCode>;

export type MeasurementKey = keyof typeof MEASUREMENTS;

/** Full FHIR profile URL. */
export function profileUrl(profile: VitalSignProfile): string {
  return FHIR_PROFILE_BASE + profile;
}


/**
 * The NEWS2 total score in SNOMED CT (UK clinical extension), as NHS FHIR guides code it (e.g.
 * SynaneticsLtd/emergency-department-ig, input/fsh/examples/observation/caroltest-news2.fsh). LOINC
 * has no NEWS2 code (88330-6 is the 2012 NEWS, scored differently).
 */
export const NEWS2_TOTAL_SCORE = {
  system: SNOMED_SYSTEM,
  code: '1104051000000101',
  display: 'Royal College of Physicians NEWS2 (National Early Warning Score 2) total score',
} as const;

/**
 * SNOMED CT devices for the oxygen delivery devices that have one, as published in FHIR value sets:
 * IHE PCC mPSC Medication.Administration.Device.VS (336623009 Oxygen nasal cannula, 428285009
 * Venturi mask, 427591007 Nonrebreather oxygen mask) and hl7germany/forschungsnetz-covid19
 * input/fsh/valuesets/RespiratoryTherapyDevices.fsh (426854004 High flow oxygen nasal cannula).
 * A simple face mask and "other" are sent with the local code and text only.
 */
export const OXYGEN_DEVICE_SNOMED: Partial<Record<OxygenDevice, { code: string; display: string }>> = {
  'nasal-cannula': { code: '336623009', display: 'Oxygen nasal cannula' },
  venturi: { code: '428285009', display: 'Venturi mask' },
  'non-rebreather': { code: '427591007', display: 'Nonrebreather oxygen mask' },
  'high-flow': { code: '426854004', display: 'High flow oxygen nasal cannula' },
};
