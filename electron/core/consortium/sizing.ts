/**
 * How big a batch may be: under the node's transaction size limit (128 KB on Besu and geth) and
 * well under the block gas limit, so that a block period carries several batches.
 *
 * Sizes are exact (the calldata is encoded; the signed legacy envelope adds at most
 * TX_ENVELOPE_BYTES). Gas is an upper bound from the EVM's prices (16 per non-zero calldata byte,
 * 4 per zero byte, 375 per log + 375 per topic + 8 per log byte, memory for the copied payload,
 * plus the batch's storage writes and the directory lookup). planBatch chooses a batch's records
 * from their sizes before preparing it (sealing, trees and signatures are the costly part, so a
 * batch is prepared once), and shrinks it only in the rare case the estimate was short.
 */
import { WardError } from '../model/errors';
import { groupIntoShares, type PreparedBatch, type ShareInput, type ShareRecipient } from './batch';
import type { PublishableRecord } from './payload';
import { MAX_TX_BYTES, publishCalldata } from './ledgerAbi';

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

/** Upper bound of the signed transaction's size in bytes. */
export function publishTxBytes(b: PreparedBatch): number {
  return publishCalldata(b).length + TX_ENVELOPE_BYTES;
}

/** Upper bound of the gas publishBatch uses (asked by planning and again before the send: kept per batch). */
export function publishGasBound(b: PreparedBatch): number {
  let bound = gasBounds.get(b);
  if (bound === undefined) {
    const data = publishCalldata(b);
    let zeros = 0;
    for (let i = 0; i < data.length; i++) if (data[i] === 0) zeros++; // an indexed loop: for…of over 128 KB costs ~10× more
    bound = gasBound(4 * zeros + 16 * (data.length - zeros), [b.records.length + 96, ...b.grants.map((g) => g.length + 64)]);
    gasBounds.set(b, bound);
  }
  return bound;
}
const gasBounds = new WeakMap<PreparedBatch, number>();

/**
 * The gas bound computed where the batch was prepared (the preparation thread), for the copy of
 * the batch that crossed to the publisher's thread: counting 128 KB of calldata again there cost
 * that thread 1–4 ms a batch.
 */
export function rememberGasBound(b: PreparedBatch, bound: number): void {
  gasBounds.set(b, bound);
}

/** publishBatch's gas from its calldata gas and the data lengths of the logs it emits. */
function gasBound(calldataGas: number, logLengths: number[]): number {
  const logGas = logLengths.reduce((sum, len) => sum + 375 * 2 + 8 * (len + 32), 375 * 3);
  const words = Math.ceil(Math.max(...logLengths) / 32) + 16;
  const memory = 3 * words + Math.floor((words * words) / 512);
  return 21_000 + calldataGas + logGas + 2 * memory + 120_000;
}

export function fits(b: PreparedBatch, budget: BatchBudget): boolean {
  return b.count <= budget.maxRecords && publishTxBytes(b) <= budget.maxTxBytes && publishGasBound(b) <= budget.maxGas;
}

// --- planning a batch from record sizes ----------------------------------------------------------

/** A sealed record's overhead around the ward's own ciphertext: the blob's fixed fields, the record nonce, GCM's tag, the length prefix. */
const SEALED_FIXED_BYTES = 4 + 32 + 8 + 1 + 32 + 32 + 12 + 16 + 3;
/** publishBatch's ABI head: selector, five words, the records' length word, the grants array's length word, padding. */
const PUBLISH_FIXED_BYTES = 4 + 32 * 8 + 32;
/** A grant's fixed fields (share grant), its 64-byte padding, ECIES (33 + 16 + 16) and its ABI words and padding. */
const GRANT_FIXED_BYTES = 2 + 1 + 1 + 64 + 20 + 32 + 8 + 12 + 32 + 1 + 64 + 65 + 96;

/**
 * Bytes a record takes in the batch payload, sealed: exact for records signed one by one and for
 * station readings the publisher re-signs (`station`), an upper bound for readings that keep
 * their original batch proof.
 */
export function sealedRecordBytes(r: PublishableRecord, station?: string): number {
  const ct = (r.cipher.ct.length - 2) / 2;
  const amends = /^0x0{64}$/i.test(r.amends) ? 0 : 32;
  let signature = 65;
  if (r.batchSignature) signature = station && r.author.toLowerCase() === station.toLowerCase() ? 1 : 2 + 32 * r.batchSignature.proof.length;
  return SEALED_FIXED_BYTES + r.kind.length + amends + signature + ct;
}

/** A share grant's header entries besides their strings: a scope id, an author credential, a batch signature. */
const HEADER_SCOPE_BYTES = 1;
const HEADER_AUTHOR_BYTES = 20 + 1 + 8 + 65;
const HEADER_SIGNATURE_BYTES = 1 + 32 + 4 + 8 + 65;
/** Room for a share's proof under the batch root: up to 64 shares a batch. */
const SHARE_PROOF_BYTES = 32 * 6;
/** The header's patient, patientRef and three list counts. */
const HEADER_FIXED_BYTES = 1 + 20 + 32 + 3;

/**
 * Upper bound of publishBatch's gas for a transaction of `txBytes` with `grants` grants: every byte
 * counted as non-zero, and every byte as logged with the records (grant logs add their own words).
 */
function gasForBytes(txBytes: number, grants: number): number {
  return gasBound(16 * txBytes, [txBytes + 96, ...new Array<number>(grants).fill(64)]);
}

export interface BatchPlan {
  batch: PreparedBatch;
  /** The shares it was prepared from, in order (share i of the batch holds shares[i].records). */
  shares: ShareInput[];
  /** How many of the offered records it holds (a leading run). */
  used: number;
  /** Preparations it took: 1 unless the estimate was over and the batch had to shrink. */
  preparations: number;
}

/**
 * How many records from the front of `records` the next batch should hold, from their estimated
 * sizes (each record's sealed size, each share's grants and header entries): no preparation.
 */
export function estimateRun(records: PublishableRecord[], budget: BatchBudget, options: { station?: string; recipientsOf?: (patient: string) => ShareRecipient[] } = {}): number {
  const recipientsOf = options.recipientsOf ?? (() => []);
  // Each share grant carries the share header: per patient, its scopes, authors and batch
  // signatures, each listed once, and a share proof (bounded by log2 of the records so far).
  const headers = new Map<string, { recipients: number; entries: Set<string> }>();
  let bytes = PUBLISH_FIXED_BYTES + TX_ENVELOPE_BYTES;
  let grants = 0;
  let n = 0;
  const cap = Math.min(records.length, budget.maxRecords);
  while (n < cap) {
    const r = records[n]!;
    const patient = r.patient.toLowerCase();
    let h = headers.get(patient);
    let add = sealedRecordBytes(r, options.station);
    let newGrants = 0;
    if (!h) {
      h = { recipients: recipientsOf(r.patient).length, entries: new Set() };
      newGrants = h.recipients;
      add += h.recipients * (GRANT_FIXED_BYTES + HEADER_FIXED_BYTES + SHARE_PROOF_BYTES + HEADER_SIGNATURE_BYTES);
    }
    const entries = (
      [
        [`s${r.cipher.scopeId}`, HEADER_SCOPE_BYTES + r.cipher.scopeId.length],
        [`a${r.author.toLowerCase()}`, HEADER_AUTHOR_BYTES + r.authorRole.length],
        ...(r.batchSignature ? [[`b${r.batchSignature.signature}`, HEADER_SIGNATURE_BYTES]] : []),
      ] as Array<[string, number]>
    ).filter(([e]) => !h.entries.has(e));
    for (const [, size] of entries) add += h.recipients * size;
    if (bytes + add > budget.maxTxBytes || gasForBytes(bytes + add, grants + newGrants) > budget.maxGas) break;
    headers.set(patient, h);
    for (const [e] of entries) h.entries.add(e);
    bytes += add;
    grants += newGrants;
    n++;
  }
  return Math.max(1, n);
}

/**
 * The next batch from the front of `records`, prepared once: the run is chosen by estimating each
 * record's sealed size and each share's grants (estimateRun, no trial preparation), and only if the
 * prepared batch is still over the budget is it shrunk by the overshoot and prepared again.
 * @param recipientsOf the standing recipients of a patient's records (their share grants ride along).
 * @throws WardError('BAD_INPUT') when not even the first record fits.
 */
export function planBatch(
  records: PublishableRecord[],
  budget: BatchBudget,
  prepare: (shares: ShareInput[]) => PreparedBatch,
  options: { station?: string; recipientsOf?: (patient: string) => ShareRecipient[] } = {},
): BatchPlan {
  if (records.length === 0) throw new WardError('BAD_INPUT', 'Nothing to publish.');
  const recipientsOf = options.recipientsOf ?? (() => []);
  let n = estimateRun(records, budget, options);
  for (let preparations = 1; ; preparations++) {
    const shares = groupIntoShares(records.slice(0, n), recipientsOf);
    const batch = prepare(shares);
    if (fits(batch, budget)) return { batch, shares, used: n, preparations };
    if (n === 1) throw new WardError('BAD_INPUT', 'A single record is larger than a consortium transaction may be.');
    const over = Math.max(publishTxBytes(batch) / budget.maxTxBytes, publishGasBound(batch) / budget.maxGas, batch.count / budget.maxRecords);
    n = Math.max(1, Math.min(n - 1, Math.floor((n / over) * 0.98)));
  }
}
