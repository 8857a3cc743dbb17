/**
 * The worker thread that prepares the publisher's batches (batchPreparer.ts): keys from workerData,
 * one job per message, answered with the prepared batch or the error's code and message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { useFastKeccak } from '../crypto/keccak';
import { WardError } from '../model/errors';
import { runPlanJob, stationSigner, type PlanJob, type PrepareKeys, type WorkerAnswer } from './batchPreparer';

const keys = workerData as PrepareKeys;
const station = stationSigner(keys.station);
// As the core does at start: keccak in WebAssembly for the trees and signatures.
const ready = useFastKeccak();

parentPort!.on('message', (m: { id: number; job: PlanJob }) => {
  void ready.then(() => {
    let answer: WorkerAnswer;
    try {
      answer = { id: m.id, result: runPlanJob(keys, m.job, station) };
    } catch (e) {
      answer = { id: m.id, error: e instanceof WardError ? { code: e.code, message: e.message } : { code: null, message: 'unexpected' } };
    }
    parentPort!.postMessage(answer);
  });
});
