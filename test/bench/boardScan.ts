/**
 * Benchmark 8 — the ward board of a patient with a monitor bound since their last full set.
 *
 * The board keeps the last complete NEWS2 set and shows newer device readings beside it
 * (ward/observationStatus.ts): it reads the patient's records newest first back to that set, so
 * its cost grows with the readings recorded since. Seeding: one complete set by the nurse through
 * RecordWriter.create, then `readings` bound-monitor readings through the station's batch path
 * (StationWriter.ingest, as bedBinding records them), on the core's graph while the core is
 * stopped. Measured: the nurse's ward/census through core.call after a restart — cold (first
 * read: every reading since the set decrypted and verified, or its persistent memo checked) and
 * warm (median of the next opens, in-process memos). No target in PRODUCT.md: reported as info.
 */
import type { WardCore } from '../../electron/core/shellContract';
import { observationContent } from '../../electron/core/clinical/vitalsAssessment';
import { closeBenchWard, openBenchWard, restartAndLogin, vitalsSet } from './fixture';
import { openInternals } from '../support/pipelineInternals';
import { median, timed } from './stats';
import { makeRow, type BenchRow } from './table';

export interface BoardOptions {
  /** Bound-monitor readings since the last full set (one every 5 s for ~7 h by default). */
  readings: number;
  batch: number;
  warmOpens: number;
}

export const defaultBoardOptions: BoardOptions = { readings: 5_000, batch: 1_000, warmOpens: 5 };

async function seed(dir: string, patient: string, nurse: { name: string; password: string }, o: BoardOptions): Promise<void> {
  const g = await openInternals(dir);
  try {
    const actor = await g.actor(nurse.name, nurse.password);
    const start = Date.now() - o.readings * 5_000 - 60_000;
    // Measured hours ago (written now: the patient was admitted just before the benchmark).
    await g.writer.create(actor, patient, 'vitals', observationContent({ vitals: vitalsSet(1) }, 1, { kind: 'entered', now: start }));
    for (let done = 0; done < o.readings; done += o.batch) {
      const items = Array.from({ length: Math.min(o.batch, o.readings - done) }, (_, k) => {
        const at = new Date(start + (done + k + 1) * 5_000).toISOString();
        const device = { driver: 'contec-cms50e', model: 'CMS50E', serial: 'BENCH-OX', deviceRecordId: String(done + k), receivedAt: at };
        return { patient, authorName: 'CMS50E BENCH-OX (bound by bench)', content: observationContent({ vitals: { spo2: 96, pulse: 72 } }, 1, { kind: 'device', measuredAt: at, device }) };
      });
      await g.stationWriter.ingest(g.stationWallet, items);
    }
  } finally {
    await g.close();
  }
}

export async function benchBoardScan(o: BoardOptions = defaultBoardOptions): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  const w = await openBenchWard();
  let core: WardCore | null = w.core;
  try {
    await w.core.stop();
    core = null;
    await seed(w.dir, w.patient, w.ward.people.nurse, o);
    const restarted = await restartAndLogin(w.dir, w.ward.people.nurse);
    core = restarted.core;
    const nurse = restarted.caller;
    const open = async () => {
      const r = await timed(() => nurse.ok('ward/census', {}));
      const row = r.value[0]!;
      if (!row.observations!.lastComplete || row.observations!.newerReading?.source !== 'monitor') throw new Error('The board does not show the full set with the monitor beside it.');
      return r.ms;
    };
    const cold = await open();
    const warm: number[] = [];
    for (let i = 0; i < o.warmOpens; i++) warm.push(await open());
    const note = `${o.readings.toLocaleString('en')} bound-monitor readings since the last full set; nurse's ward/census via core.call`;
    return {
      rows: [
        makeRow({ name: 'Ward board, monitor readings since the last full set — first read', figure: cold, unit: 'ms', target: null, baseline: null, note: `${note}; first read after a restart` }),
        makeRow({ name: 'Ward board, monitor readings since the last full set — warm', figure: median(warm), unit: 'ms', target: null, baseline: null, note: `${note}; median of ${o.warmOpens}` }),
      ],
      details: { options: o, coldMs: cold, warmMs: warm },
    };
  } finally {
    await closeBenchWard({ dir: w.dir, core });
  }
}
