/**
 * How a record is filed in the store's vitals index (records/recordFiling.ts). A whole NEWS2 set
 * has all seven parameters (Royal College of Physicians, National Early Warning Score 2, 2017,
 * chart 1): respiration rate, SpO2, air or oxygen, systolic blood pressure, pulse, consciousness,
 * temperature. Content written before every path stored its NEWS2 (migrated records) is judged by
 * its parameters, not by a stored score it does not have.
 */
import { describe, expect, it } from 'vitest';
import type { RecordContent } from '../../../electron/core/model/records';
import { filingOf } from '../../../electron/core/records/recordFiling';

const whole = { respiratoryRate: 16, spo2: 97, supplementalOxygen: false, systolic: 124, pulse: 72, consciousness: 'A', temperature: { celsius: 37, entered: { value: 37, unit: 'Cel' } } };

describe('filingOf', () => {
  it('files a whole set without a stored NEWS2 as complete, and one missing a parameter as partial', () => {
    expect(filingOf({ vitals: whole } as RecordContent)).toEqual({ vitals: 'complete' });
    for (const missing of Object.keys(whole)) {
      const { [missing as keyof typeof whole]: _dropped, ...rest } = whole;
      expect(filingOf({ vitals: rest } as RecordContent), missing).toEqual({ vitals: 'partial' });
    }
  });

  it('files a device reading as partial and a note outside the vitals index', () => {
    expect(filingOf({ vitals: { spo2: 96, pulse: 70 } } as RecordContent)).toEqual({ vitals: 'partial' });
    expect(filingOf({ note: 'Comfortable.' } as RecordContent)).toEqual({});
  });
});
