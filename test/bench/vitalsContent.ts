/** Vitals content exactly as the records/addVitals handler builds it (validated, normalised, NEWS2). */
import type { RecordContent } from '../../electron/core/model/records';
import { computeNews2 } from '../../electron/core/clinical/news2';
import { validateVitals } from '../../electron/core/clinical/vitals';
import { vitalsSet } from './fixture';

export function vitalsContent(i: number): RecordContent {
  const v = validateVitals(vitalsSet(i));
  if (!v.ok) throw new Error(`Benchmark vitals set ${i} is invalid: ${Object.keys(v.errors).join(', ')}`);
  return { vitals: v.value, news2: computeNews2(v.value, { scale: 1 }) };
}
