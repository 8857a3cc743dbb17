/**
 * Benchmark 1 — "Save a vitals set until anchored and durable": the nurse calls records/addVitals
 * through core.call (validation, NEWS2, sign, encrypt, fsync, Merkle anchor on the ward chain,
 * read-back view), strictly one after another, on a fresh core.
 */
import { closeBenchWard, openBenchWard, vitalsSet } from './fixture';
import { percentile, timed } from './stats';
import { makeRow, type BenchRow } from './table';

export interface SaveLatencyOptions {
  warmUp: number;
  samples: number;
}

export async function benchSaveLatency(o: SaveLatencyOptions = { warmUp: 10, samples: 200 }): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  const w = await openBenchWard();
  try {
    const nurse = w.ward.callers.nurse;
    for (let i = 0; i < o.warmUp; i++) await nurse.ok('records/addVitals', { patient: w.patient, vitals: vitalsSet(i) });
    const latencies: number[] = [];
    for (let i = 0; i < o.samples; i++) {
      const { value, ms } = await timed(() => nurse.ok('records/addVitals', { patient: w.patient, vitals: vitalsSet(o.warmUp + i) }));
      if (!value.provenance.anchored) throw new Error('addVitals returned before the record was anchored.');
      latencies.push(ms);
    }
    const firstHalf = latencies.slice(0, o.samples / 2);
    const secondHalf = latencies.slice(o.samples / 2);
    const how = `${o.samples} sequential nurse calls after ${o.warmUp} warm-up, real API path, fresh core`;
    return {
      rows: [
        makeRow({ name: 'Save a vitals set until anchored and durable — p50', figure: percentile(latencies, 50), unit: 'ms', target: { cmp: '<=', value: 50 }, baseline: null, note: how }),
        makeRow({ name: 'Save a vitals set until anchored and durable — p99', figure: percentile(latencies, 99), unit: 'ms', target: { cmp: '<=', value: 150 }, baseline: null, note: how }),
      ],
      details: {
        samples: o.samples,
        warmUp: o.warmUp,
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: Math.max(...latencies),
        p50FirstHalf: percentile(firstHalf, 50),
        p50SecondHalf: percentile(secondHalf, 50),
      },
    };
  } finally {
    await closeBenchWard(w);
  }
}
