/** Vitals content exactly as the records/addVitals path builds it (the one vitals path: validated, normalised, NEWS2, measured time). */
import type { RecordContent } from '../../electron/core/model/records';
import { observationContent } from '../../electron/core/clinical/vitalsAssessment';
import { vitalsSet } from './fixture';

export function vitalsContent(i: number): RecordContent {
  return observationContent({ vitals: vitalsSet(i) }, 1, { kind: 'entered', now: Date.now() });
}
