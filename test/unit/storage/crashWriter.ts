/**
 * Child process of crashSafety.test.ts: writes station batches into the store at argv[2] forever,
 * printing "acked N" once batch N is durable. Batch N holds BATCH readings of one patient filed at
 * T0 + N·BATCH + i ms, so the parent can check each batch is wholly there or wholly absent.
 */
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { WardStore } from '../../../electron/core/storage/wardStore';
import { makeWard, putStationBatch, scopeOf, stationBatch } from '../../support/realRecords';

export const BATCH = 200;
export const T0 = Date.UTC(2026, 10, 1);

async function main(): Promise<void> {
  await useFastKeccak();
  const store = await WardStore.open(process.argv[2]!);
  const from = Number(process.argv[3]);
  const ward = makeWard(1);
  const patient = ward.patients[0]!;
  process.stdout.write(`patient ${patient.address}\n`);
  for (let n = from; ; n++) {
    const made = stationBatch(ward, Array.from({ length: BATCH }, (_, i) => ({ patient, at: T0 + n * BATCH + i, i })));
    await store.write((w) => {
      const s = scopeOf(ward, patient);
      if (s.created) w.scope(patient.address, s.scope);
      putStationBatch(w, made);
    });
    process.stdout.write(`acked ${n}\n`);
  }
}

// Imported by the test for its constants; run only as the child process.
if (process.argv[1]?.endsWith('crashWriter.ts')) void main();
