/**
 * How big a batch may be: under the node's transaction size limit (128 KB on Besu and geth) and
 * well under the block gas limit, so that a block period carries several batches.
 *
 * Sizes are exact (the calldata is encoded; the signed legacy envelope adds at most
 * TX_ENVELOPE_BYTES). Gas is an upper bound from the EVM's prices (16 per non-zero calldata byte,
 * 4 per zero byte, 375 per log + 375 per topic + 8 per log byte, memory for the copied payload,
 * plus the batch's storage writes and the directory lookup); the client still asks the node for an
 * estimate before sending. fitBatch takes the longest run of records that fits, by bisection over
 * real preparations (each trial has its own random batch id, and only the chosen one is kept).
 */
import { WardError } from '../model/errors';
import type { PreparedBatch } from './batch';
import { MAX_TX_BYTES, publishData } from './ledgerAbi';

/** RLP list header, nonce, gasPrice 0, gas limit, to, value 0, v, r, s, data length prefix. */
export const TX_ENVELOPE_BYTES = 120;

export interface BatchBudget {
  maxTxBytes: number;
  /** Gas one batch may use (a share of the block gas limit). */
  maxGas: number;
  maxRecords: number;
}

/** A budget from the node's block gas limit: a batch uses at most a third of a block. */
export function budgetFor(blockGasLimit: number, options: Partial<BatchBudget> = {}): BatchBudget {
  return { maxTxBytes: MAX_TX_BYTES - 1024, maxGas: Math.floor(blockGasLimit / 3), maxRecords: 2000, ...options };
}

export function publishCalldata(b: PreparedBatch): Uint8Array {
  return Buffer.from(publishData(b).slice(2), 'hex');
}

/** Upper bound of the signed transaction's size in bytes. */
export function publishTxBytes(b: PreparedBatch): number {
  return publishCalldata(b).length + TX_ENVELOPE_BYTES;
}

/** Upper bound of the gas publishBatch uses. */
export function publishGasBound(b: PreparedBatch): number {
  const data = publishCalldata(b);
  let calldata = 0;
  for (const byte of data) calldata += byte === 0 ? 4 : 16;
  const logs = [b.records.length + 96, ...b.grants.map((g) => g.length + 64)];
  const logGas = logs.reduce((sum, len) => sum + 375 * 2 + 8 * (len + 32), 375 * 3);
  const words = Math.ceil(Math.max(...logs) / 32) + 16;
  const memory = 3 * words + Math.floor((words * words) / 512);
  return 21_000 + calldata + logGas + 2 * memory + 120_000;
}

export function fits(b: PreparedBatch, budget: BatchBudget): boolean {
  return b.count <= budget.maxRecords && publishTxBytes(b) <= budget.maxTxBytes && publishGasBound(b) <= budget.maxGas;
}

/**
 * The longest leading run of `items` whose prepared batch fits the budget, prepared. A small
 * sample gives the bytes per record; the search starts there and closes in by bisection, so a
 * batch costs a handful of preparations.
 * @throws WardError('BAD_INPUT') when not even the first item fits.
 */
export function fitBatch<T>(items: T[], budget: BatchBudget, prepare: (items: T[]) => PreparedBatch): { batch: PreparedBatch; used: number } {
  if (items.length === 0) throw new WardError('BAD_INPUT', 'Nothing to publish.');
  const cap = Math.min(items.length, budget.maxRecords);
  const tried = new Map<number, PreparedBatch | null>();
  const attempt = (n: number): boolean => {
    if (!tried.has(n)) {
      const b = prepare(items.slice(0, n));
      tried.set(n, fits(b, budget) ? b : null);
    }
    return tried.get(n) !== null;
  };
  const sampleSize = Math.min(cap, 16);
  const sample = prepare(items.slice(0, sampleSize));
  const perRecord = Math.max(publishTxBytes(sample) / sampleSize / budget.maxTxBytes, publishGasBound(sample) / sampleSize / budget.maxGas);
  const guess = Math.max(1, Math.min(cap, Math.floor(0.97 / perRecord)));
  // Bracket the answer around the guess: lo fits (0 = nothing yet), hi does not (cap + 1 = all fit).
  let lo = 0;
  let hi = cap + 1;
  const step = Math.max(1, Math.ceil(guess * 0.03));
  if (attempt(guess)) {
    lo = guess;
    while (lo + step <= cap && attempt(lo + step)) lo += step;
    hi = Math.min(cap + 1, lo + step);
  } else {
    hi = guess;
    while (hi - step >= 1 && !attempt(hi - step)) hi -= step;
    lo = Math.max(0, hi - step);
    if (lo > 0 && !attempt(lo)) lo = 0;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (attempt(mid)) lo = mid;
    else hi = mid;
  }
  if (lo === 0 || !attempt(lo)) throw new WardError('BAD_INPUT', 'A single record is larger than a consortium transaction may be.');
  return { batch: tried.get(lo)!, used: lo };
}
