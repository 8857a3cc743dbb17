/** Short, readable summaries of a normalised vitals set (board rows, timeline, chart tables). */
import { OXYGEN_DEVICES, type Acvpu, type NormalisedVitals } from '../api/contract';

export const acvpuLabels: Record<Acvpu, string> = {
  A: 'Alert',
  C: 'New confusion',
  V: 'Voice',
  P: 'Pain',
  U: 'Unresponsive',
};

function trim(n: number, decimals: number): string {
  return String(Number(n.toFixed(decimals)));
}

export function formatTemperature(t: NonNullable<NormalisedVitals['temperature']>): string {
  const celsius = `${t.celsius.toFixed(1)} °C`;
  return t.entered.unit === '[degF]' ? `${celsius} (${trim(t.entered.value, 1)} °F)` : celsius;
}

export function formatGlucose(g: NonNullable<NormalisedVitals['bloodGlucose']>): string {
  const mmol = `${g.mmolPerL.toFixed(1)} mmol/L`;
  return g.entered.unit === 'mg/dL' ? `${mmol} (${trim(g.entered.value, 0)} mg/dL)` : mmol;
}

/** How oxygen is given: "nasal cannula 2 L/min", "Venturi mask FiO2 28%", or "" when not said. */
export function oxygenDelivery(v: NormalisedVitals): string {
  const parts: string[] = [];
  if (v.oxygenDevice !== undefined) parts.push(OXYGEN_DEVICES[v.oxygenDevice]);
  if (v.oxygenFlow !== undefined) parts.push(`${trim(v.oxygenFlow, 1)} L/min`);
  if (v.fio2 !== undefined) parts.push(`FiO2 ${trim(v.fio2, 0)}%`);
  return parts.join(' ');
}

/** Labelled parts, e.g. [["RR", "18/min"], ["SpO2", "96% on air"], …], in chart order. */
export function vitalsParts(v: NormalisedVitals): Array<[string, string]> {
  const parts: Array<[string, string]> = [];
  if (v.respiratoryRate !== undefined) parts.push(['RR', `${trim(v.respiratoryRate, 1)}/min`]);
  const delivery = oxygenDelivery(v);
  const o2 = v.supplementalOxygen === undefined ? '' : v.supplementalOxygen ? ` on oxygen${delivery ? ` (${delivery})` : ''}` : ' on air';
  if (v.spo2 !== undefined) {
    parts.push(['SpO2', `${trim(v.spo2, 1)}%${o2}`]);
  } else if (v.supplementalOxygen !== undefined) {
    parts.push(['O2', o2.trim()]);
  }
  if (v.systolic !== undefined || v.diastolic !== undefined) {
    parts.push(['BP', `${v.systolic ?? '–'}/${v.diastolic ?? '–'} mmHg`]);
  }
  if (v.pulse !== undefined) parts.push(['Pulse', `${trim(v.pulse, 1)}/min`]);
  if (v.consciousness !== undefined) parts.push(['ACVPU', `${v.consciousness} ${acvpuLabels[v.consciousness]}`]);
  if (v.temperature !== undefined) parts.push(['Temp', formatTemperature(v.temperature)]);
  if (v.bloodGlucose !== undefined) parts.push(['Glucose', formatGlucose(v.bloodGlucose)]);
  return parts;
}

/** One line: "RR 18/min · SpO2 96% on air · BP 120/80 mmHg · …". */
export function vitalsSummary(v: NormalisedVitals): string {
  const parts = vitalsParts(v);
  return parts.length ? parts.map(([k, val]) => `${k} ${val}`).join(' · ') : 'No measurements';
}

/** "just now", "12 min ago", "3 h 5 min ago", "2 d 4 h ago". */
export function formatMinutesAgo(minutes: number | null): string {
  if (minutes === null) return 'No observations yet';
  const m = Math.max(0, Math.floor(minutes));
  if (m < 1) return 'just now';
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''} ago`;
  const d = Math.floor(h / 24);
  return `${d} d${h % 24 ? ` ${h % 24} h` : ''} ago`;
}
