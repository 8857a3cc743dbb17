/**
 * How the store files a new record, from what only its writer can read (the store never sees
 * content): which vitals index it joins — 'complete' when it carries a whole NEWS2 set (every
 * parameter: the board's "last complete set"), 'partial' for other vitals (a device reading, an
 * incomplete set) — and the time it is filed under in the patient's history.
 */
import { news2Of } from '../clinical/vitalsAssessment';
import type { RecordContent } from '../model/records';
import type { RecordMeta } from '../storage/storeTypes';

export function filingOf(content: RecordContent): Pick<RecordMeta, 'vitals'> {
  if (!content.vitals) return {};
  // Content written before every path stored its NEWS2 (migrated records) is scored here; whether
  // a set is complete does not depend on the scale.
  return { vitals: news2Of({ vitals: content.vitals, news2: content.news2 }, 1).complete ? 'complete' : 'partial' };
}
