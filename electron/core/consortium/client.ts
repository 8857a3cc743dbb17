/**
 * The ward's client of the consortium chain, using only what a Hyperledger Besu node offers:
 * - transactions signed here with the ward's sync key and sent raw (no eth_sendTransaction, no
 *   eth_accounts), legacy type 0 with gasPrice 0 stated explicitly (accepted by Besu with
 *   --min-gas-price=0 and zeroBaseFee, by anvil with --base-fee 0, and by pre-London chains);
 * - nonces that survive restarts and gaps (nonceStore.ts), reconciled with the chain's 'latest' and
 *   'pending' counts; a hole below our own transactions is filled with a no-op so nothing signed
 *   is ever left stuck;
 * - receipts awaited with a configurable number of confirmations;
 * - before any (re-)send of a batch, the chain is asked whether the batch is already there, and a
 *   transaction already known to the node is waited for, not sent again;
 * - eth_getLogs in pages of at most 5,000 blocks, smaller if the node says so;
 * - outcomes, not exceptions, for the sync engine: 'offline' with a reason is a normal result.
 * Failures are explained from the chain's state (is this ward a member? is the batch there?),
 * never from revert reasons, which Besu does not return by default.
 */
import { ethers } from 'ethers';
import { WardError } from '../model/errors';
import { log } from '../platform/log';
import type { BatchOnChain, PreparedBatch } from './batch';
import { LedgerReader, type LedgerReaderOptions, type Receipt } from './ledgerReader';
import { MAX_LOGS_RANGE, MAX_TX_BYTES, directoryInterface, ledgerInterface, publishCalldata, publishData } from './ledgerAbi';
import { NonceStore, type InFlight } from './nonceStore';
import { signLegacyTx } from './rawTx';
import { publishGasBound } from './sizing';
import { NodeRefused, NodeUnreachable, explainNodeError } from './rpc';

export { directoryInterface, ledgerInterface, MAX_LOGS_RANGE, MAX_TX_BYTES };
export type { Receipt };

export interface ConsortiumClientOptions extends LedgerReaderOptions {
  /** The ward's sync account key. */
  privateKey: string;
  /** Where the in-flight transactions are kept (the ward's data directory). */
  stateDir: string;
  /** Blocks on top of the one that includes a transaction before it counts (QBFT: 1 is final). */
  confirmations?: number;
  receiptTimeoutMs?: number;
  pollMs?: number;
  maxTxBytes?: number;
}

export type Outcome<T> = ({ status: 'done' } & T) | { status: 'offline'; reason: string } | { status: 'failed'; error: WardError };

export interface PublishedBatch {
  batchId: string;
  block: number;
  tx: string | null;
  /** True when the batch was found already on chain (an earlier attempt got through). */
  already: boolean;
  gasUsed: number | null;
}

/** A batch for publishStream; `neverSent`: just prepared by the caller and handed to no client before. */
export interface BatchToSend {
  batch: PreparedBatch;
  neverSent: boolean;
}

export interface SentTx {
  hash: string;
  nonce: number;
}

export interface ReconcileReport {
  mined: number;
  rebroadcast: number;
  /** Our transactions whose nonce was used by another transaction: they will never be mined. */
  superseded: string[];
  fillers: number;
  next: number;
}

export class ConsortiumClient extends LedgerReader {
  readonly wallet: ethers.Wallet;
  private nonces: NonceStore | null = null;
  private nextNonce: number | null = null;
  private gasLimitCache: bigint | null = null;
  /** The client's own options (the reader's — timeouts, log ranges, chain id — are LedgerReader's). */
  private readonly opts: Required<Pick<ConsortiumClientOptions, 'stateDir' | 'confirmations' | 'receiptTimeoutMs' | 'pollMs' | 'maxTxBytes'>>;

  constructor(options: ConsortiumClientOptions) {
    super(options);
    this.opts = {
      stateDir: options.stateDir,
      confirmations: options.confirmations ?? 1,
      receiptTimeoutMs: options.receiptTimeoutMs ?? 120_000,
      pollMs: options.pollMs ?? 250,
      maxTxBytes: options.maxTxBytes ?? MAX_TX_BYTES,
    };
    if (!Number.isInteger(this.opts.confirmations) || this.opts.confirmations < 1) throw new WardError('BAD_INPUT', 'Confirmations must be a whole number of at least 1.');
    try {
      this.wallet = new ethers.Wallet(options.privateKey);
    } catch {
      throw new WardError('BAD_INPUT', 'The sync account key is not a valid private key.');
    }
  }

  get account(): string {
    return this.wallet.address;
  }

  override isActiveWard(account = this.account): Promise<boolean> {
    return super.isActiveWard(account);
  }

  /** What the ledger stores for `batchId` of `ward` (this ward by default), or null when it was never published. */
  override batchOnChain(batchId: string, ward = this.account): Promise<BatchOnChain | null> {
    return super.batchOnChain(batchId, ward);
  }

  // --- nonces ---------------------------------------------------------------------------------

  private async store(): Promise<NonceStore> {
    this.nonces ??= new NonceStore(this.opts.stateDir, this.account, await this.chainId());
    return this.nonces;
  }

  private async count(tag: 'latest' | 'pending'): Promise<number> {
    return Number(await this.rpc.call<string>('eth_getTransactionCount', [this.account, tag]));
  }

  /**
   * Bring the in-flight transactions and the next nonce in line with the chain: mined ones are
   * confirmed and dropped, ones the node forgot are re-broadcast as they were signed, a nonce hole
   * below them is filled with a no-op, and those whose nonce went to another transaction are
   * reported as superseded. Safe to call at any time. @throws NodeUnreachable.
   */
  async reconcile(): Promise<ReconcileReport> {
    const store = await this.store();
    const latest = await this.count('latest');
    const report: ReconcileReport = { mined: 0, rebroadcast: 0, superseded: [], fillers: 0, next: latest };
    const done: InFlight[] = [];
    const waiting: InFlight[] = [];
    for (const e of store.list()) {
      const receipt = await this.receipt(e.hash);
      if (receipt) {
        if (await this.confirmed(receipt.blockNumber)) {
          done.push(e);
          report.mined++;
        } else waiting.push(e);
      } else if (e.nonce < latest) {
        report.superseded.push(e.purpose);
        done.push(e);
      } else waiting.push(e);
    }
    await store.remove(done);
    // Fill any hole between the chain and our own transactions, or they could never be mined.
    const held = new Set(waiting.map((e) => e.nonce));
    const top = Math.max(-1, ...held);
    for (let n = latest; n < top; n++) {
      if (held.has(n)) continue;
      await this.signAndSend('filler', { to: this.account, data: new Uint8Array(0), gasLimit: 21_000n, nonce: n });
      report.fillers++;
    }
    for (const e of waiting) {
      // A batch's transaction without its bytes is signed again when the publisher sends its
      // prepared batch again (first thing in its round, after asking the chain).
      if (e.raw === undefined || (await this.knownToNode(e.hash))) continue;
      await this.broadcast(e.raw);
      report.rebroadcast++;
    }
    const pending = await this.count('pending');
    this.nextNonce = Math.max(latest, pending, store.highestNonce() + 1);
    report.next = this.nextNonce;
    if (report.superseded.length || report.fillers || report.rebroadcast) log('info', 'consortium.nonces.reconciled', { mined: report.mined, rebroadcast: report.rebroadcast, superseded: report.superseded.length, fillers: report.fillers });
    return report;
  }

  private async takeNonce(): Promise<number> {
    if (this.nextNonce === null) await this.reconcile();
    return this.nextNonce!++;
  }

  private async knownToNode(hash: string): Promise<boolean> {
    return (await this.rpc.call<unknown>('eth_getTransactionByHash', [hash])) !== null;
  }

  private async broadcast(raw: string): Promise<void> {
    try {
      await this.rpc.call<string>('eth_sendRawTransaction', [raw]);
    } catch (err) {
      // Already in the pool: the same bytes, nothing to do.
      if (err instanceof NodeRefused && /already known|known transaction|already imported/i.test(err.nodeMessage)) return;
      throw err;
    }
  }

  /** Sign locally (legacy, gasPrice 0) on bytes (rawTx.ts: byte-equal to ethers' signTransaction without its hex round trips). */
  private async sign(tx: { to: string | null; data: Uint8Array; gasLimit: bigint; nonce: number }): Promise<{ raw: string; hash: string; bytes: number }> {
    const signed = signLegacyTx(this.wallet.signingKey, { gasPrice: 0n, chainId: await this.chainId(), nonce: tx.nonce, to: tx.to, data: tx.data, gasLimit: tx.gasLimit, value: 0n });
    return { raw: '0x' + Buffer.from(signed.raw).toString('hex'), hash: signed.hash, bytes: signed.raw.length };
  }

  /**
   * Sign, persist, then send. A transport failure after the entry is persisted leaves the
   * transaction in flight: reconcile() or the next attempt re-broadcasts it if the node never got it.
   * `fromBatch`: the bytes are not kept in the nonce store, since the prepared batch they are signed
   * from is kept by the publisher (SyncState) until it is on chain; a re-send signs it again with the
   * stored nonce and gas limit, and RFC 6979 signatures make the same bytes (resignBatch checks the hash).
   */
  private async signAndSend(purpose: string, tx: { to: string | null; data: Uint8Array; gasLimit: bigint; nonce?: number; fromBatch?: boolean }, retried = false): Promise<SentTx> {
    const store = await this.store();
    const nonce = tx.nonce ?? (await this.takeNonce());
    const signed = await this.sign({ ...tx, nonce });
    if (signed.bytes > this.opts.maxTxBytes) {
      if (tx.nonce === undefined && this.nextNonce === nonce + 1) this.nextNonce = nonce;
      throw new WardError('BAD_INPUT', `The transaction is ${signed.bytes} bytes, more than the ${this.opts.maxTxBytes} bytes the consortium node accepts; send smaller batches.`);
    }
    const entry: InFlight = { nonce, hash: signed.hash, ...(tx.fromBatch ? { gasLimit: String(tx.gasLimit) } : { raw: signed.raw }), purpose, sentAt: Date.now() };
    await store.add(entry);
    try {
      await this.broadcast(signed.raw);
    } catch (e) {
      // Our nonce was taken meanwhile (the same key used elsewhere): take the chain's view and sign again.
      if (!(e instanceof NodeRefused && /nonce too low/i.test(e.nodeMessage)) || tx.nonce !== undefined || retried) throw e;
      await store.remove([entry]);
      this.nextNonce = null;
      return this.signAndSend(purpose, tx, true);
    }
    return { hash: entry.hash, nonce };
  }

  // --- receipts -------------------------------------------------------------------------------

  private async confirmed(blockNumber: number): Promise<boolean> {
    if (this.opts.confirmations <= 1) return true; // the receipt's block is the one confirmation
    return (await this.blockNumber()) >= blockNumber + this.opts.confirmations - 1;
  }

  /**
   * Wait until `hash` is mined with the configured confirmations, then forget it from the
   * in-flight store. @throws NodeUnreachable; WardError('CHAIN') on timeout.
   */
  async waitForReceipt(hash: string): Promise<Receipt> {
    const deadline = Date.now() + this.opts.receiptTimeoutMs;
    for (;;) {
      const receipt = await this.receipt(hash);
      if (receipt && (await this.confirmed(receipt.blockNumber))) {
        const store = await this.store();
        const entry = store.list().find((e) => e.hash.toLowerCase() === hash.toLowerCase());
        if (entry) await store.remove([entry]);
        return receipt;
      }
      if (Date.now() > deadline) throw new WardError('CHAIN', `The consortium did not include the transaction within ${Math.round(this.opts.receiptTimeoutMs / 1000)} s.`);
      await sleep(this.opts.pollMs);
    }
  }

  // --- sending contract calls -----------------------------------------------------------------

  /**
   * Send one contract call (or a deployment when `to` is null) and wait for its receipt. Gas is
   * estimated by the node and padded (gas is free; estimates can be a little short).
   */
  async transact(purpose: string, to: string | null, data: string): Promise<Outcome<{ receipt: Receipt }>> {
    return this.outcome(async () => {
      const existing = (await this.store()).byPurpose(purpose);
      const sent = (existing && (await this.resume(existing))) || (await this.signAndSend(purpose, { to, data: Buffer.from(data.slice(2), 'hex'), gasLimit: await this.gasFor(to, data) }));
      const receipt = await this.waitForReceipt(sent.hash);
      if (receipt.status !== 1) throw await this.diagnose(purpose, receipt);
      return { receipt };
    });
  }

  /**
   * Carry on with a transaction sent before: wait for it if the node knows it, re-broadcast the same
   * bytes if not (a batch's signed again from `batch`: the nonce store keeps no batch's bytes).
   * Null when its nonce went to another transaction (it can never be mined).
   */
  private async resume(e: InFlight, batch?: PreparedBatch): Promise<SentTx | null> {
    if (await this.knownToNode(e.hash)) return { hash: e.hash, nonce: e.nonce };
    const raw = e.raw ?? (batch && (await this.resignBatch(batch, e)));
    if (raw === undefined) throw new WardError('INTERNAL', 'A consortium transaction in flight has no bytes to send again.');
    try {
      await this.broadcast(raw);
    } catch (err) {
      if (!(err instanceof NodeRefused && /nonce too low/i.test(err.nodeMessage))) throw err;
      await (await this.store()).remove([e]);
      this.nextNonce = null;
      return null;
    }
    return { hash: e.hash, nonce: e.nonce };
  }

  private async gasFor(to: string | null, data: string): Promise<bigint> {
    let estimate: bigint;
    try {
      estimate = BigInt(await this.rpc.call<string>('eth_estimateGas', [{ from: this.account, ...(to ? { to } : {}), data, gasPrice: '0x0' }]));
    } catch (e) {
      if (e instanceof NodeRefused) throw await this.diagnose(null, null, e);
      throw e;
    }
    const padded = (estimate * 6n) / 5n + 20_000n;
    const limit = BigInt(await this.blockGasLimit());
    if (estimate > limit) throw new WardError('BAD_INPUT', 'The batch needs more gas than a consortium block holds; send smaller batches or raise the block gas limit.');
    return padded > limit ? limit : padded;
  }

  /** Why a call failed, from the chain's state (revert reasons are off on Besu by default). */
  private async diagnose(purpose: string | null, receipt: Receipt | null, refused?: NodeRefused): Promise<WardError> {
    if (refused && !/revert|execution/i.test(refused.nodeMessage)) return explainNodeError(refused);
    if (!(await this.isActiveWard())) return new WardError('FORBIDDEN', 'This ward is not an active member of the consortium: ask the consortium admin to add it (wardledger consortium add-ward).');
    if (purpose?.startsWith('batch:') && (await this.batchOnChain(purpose.slice(6)))) return new WardError('CONFLICT', 'This batch is already on the consortium chain.');
    if (receipt) return new WardError('CHAIN', 'The consortium ledger refused the transaction.');
    return new WardError('CHAIN', 'The consortium ledger would refuse this transaction.');
  }

  private async outcome<T>(work: () => Promise<T>): Promise<Outcome<T>> {
    try {
      return { status: 'done', ...(await work()) };
    } catch (e) {
      if (e instanceof NodeUnreachable) return { status: 'offline', reason: e.reason };
      const error = explainNodeError(e);
      if (error.details?.offline) return { status: 'offline', reason: error.message };
      return { status: 'failed', error };
    }
  }

  // --- batches and grants ---------------------------------------------------------------------

  /** Calldata of publishBatch for a prepared batch. */
  static publishData(b: PreparedBatch): string {
    return publishData(b);
  }

  /**
   * Publish a prepared batch exactly once. Ask the chain first; if an earlier attempt's
   * transaction is still in flight, wait for that one (re-broadcasting the same bytes only if the
   * node forgot it); otherwise sign and send. Call again with the same batch after 'offline'.
   */
  async publishBatch(b: PreparedBatch): Promise<Outcome<PublishedBatch>> {
    return this.outcome(async () => {
      const sent = await this.sendBatch(b);
      if ('already' in sent) return sent;
      return this.settleBatch(b, sent);
    });
  }

  /**
   * Publish several batches, up to `inFlight` transactions at a time (one nonce after the other,
   * so a block period carries several). Stops at the first batch that is not published and says why.
   */
  async publishBatches(batches: PreparedBatch[], inFlight = 8): Promise<{ published: PublishedBatch[]; stopped: Exclude<Outcome<unknown>, { status: 'done' }> | null }> {
    const published: PublishedBatch[] = [];
    const stopped = await this.publishStream(
      (async function* () {
        for (const batch of batches) yield { batch, neverSent: false };
      })(),
      inFlight,
      async (_b, p) => void published.push(p),
    );
    return { published, stopped };
  }

  /**
   * Publish batches as a source hands them out (it may prepare the next one while earlier ones
   * wait for their receipts), up to `inFlight` unconfirmed at a time. `onPublished` is awaited for
   * each batch, in order, once it is on chain with its confirmations. Stops at the first batch that
   * is not published (or throws from the source or `onPublished`) and says why; null when all went.
   *
   * `neverSent` says the source has just prepared the batch (a fresh random id, persisted, handed
   * to no client before): it cannot be on chain or in flight, so it is signed and sent without
   * asking the chain first (one round trip less per batch). Every other batch is asked about.
   */
  async publishStream(batches: AsyncIterable<BatchToSend>, inFlight: number, onPublished: (b: PreparedBatch, p: PublishedBatch) => Promise<void>): Promise<Exclude<Outcome<unknown>, { status: 'done' }> | null> {
    // Two loops on one thread: the sender signs and sends while the settler, oldest first, waits
    // for each receipt and marks the batch published. The sender waits only when `inFlight` are
    // unsettled, so a receipt's round trip and the marking's writes no longer hold up the next send.
    const pending: Array<{ b: PreparedBatch; sent: SentTx | PublishedBatch }> = [];
    let stop: { error: unknown } | null = null;
    let sourceDone = false;
    let wakeSender: (() => void) | null = null;
    let wakeSettler: (() => void) | null = null;
    const wake = (which: 'sender' | 'settler') => {
      const w = which === 'sender' ? wakeSender : wakeSettler;
      if (which === 'sender') wakeSender = null;
      else wakeSettler = null;
      w?.();
    };
    const settler = (async () => {
      while (!stop) {
        const head = pending[0];
        if (!head) {
          if (sourceDone) return;
          await new Promise<void>((r) => (wakeSettler = r));
          continue;
        }
        await onPublished(head.b, 'already' in head.sent ? head.sent : await this.settleBatch(head.b, head.sent));
        pending.shift();
        wake('sender');
      }
    })().catch((error: unknown) => {
      stop ??= { error };
      wake('sender');
    });
    const result = await this.outcome(async () => {
      try {
        for await (const { batch: b, neverSent } of batches) {
          if (stop) break;
          pending.push({ b, sent: neverSent ? await this.sendNew(b) : await this.sendBatch(b) });
          wake('settler');
          while (pending.length >= inFlight && !stop) await new Promise<void>((r) => (wakeSender = r));
          if (stop) break;
        }
      } catch (error) {
        stop ??= { error };
      }
      sourceDone = true;
      wake('settler');
      await settler; // it stops after the batch it is settling when either side failed
      if (stop) throw (stop as { error: unknown }).error;
      return {};
    });
    return result.status === 'done' ? null : result;
  }

  private async sendBatch(b: PreparedBatch): Promise<SentTx | PublishedBatch> {
    const purpose = `batch:${b.batchId}`;
    const onChain = await this.batchOnChain(b.batchId);
    if (onChain) {
      if (onChain.root.toLowerCase() !== b.root.toLowerCase()) throw new WardError('INTEGRITY', 'Another batch with this id is already on the consortium chain.');
      const store = await this.store();
      const entry = store.byPurpose(purpose);
      if (entry) await store.remove([entry]);
      return { batchId: b.batchId, block: onChain.blockNumber, tx: entry?.hash ?? null, already: true, gasUsed: null };
    }
    const existing = (await this.store()).byPurpose(purpose);
    const resumed = existing && (await this.resume(existing, b));
    if (resumed) return resumed;
    return this.sendNew(b);
  }

  /** Sign and send a batch's first transaction. */
  private async sendNew(b: PreparedBatch): Promise<SentTx> {
    // publishBatch's gas follows from its size (sizing.ts, checked against real receipts in the
    // benchmark): no estimate, which would make the node run a 128 KB call a second time.
    this.gasLimitCache ??= BigInt(await this.blockGasLimit());
    const bound = BigInt(publishGasBound(b));
    if (bound > this.gasLimitCache) throw new WardError('BAD_INPUT', 'The batch needs more gas than a consortium block holds; send smaller batches or raise the block gas limit.');
    const padded = (bound * 11n) / 10n;
    return this.signAndSend(`batch:${b.batchId}`, { to: this.ledger, data: publishCalldata(b), gasLimit: padded > this.gasLimitCache ? this.gasLimitCache : padded, fromBatch: true });
  }

  /**
   * The bytes of a batch's transaction in flight, signed again from the prepared batch with the
   * nonce and gas limit it was first signed with. @throws WardError('INTEGRITY') when they do not
   * make the transaction that was sent (another batch under the same purpose, or a damaged entry).
   */
  private async resignBatch(b: PreparedBatch, e: InFlight): Promise<string> {
    if (e.gasLimit === undefined) throw new WardError('INTEGRITY', 'A consortium transaction in flight has neither its bytes nor its gas limit.');
    const signed = await this.sign({ to: this.ledger, data: publishCalldata(b), gasLimit: BigInt(e.gasLimit), nonce: e.nonce });
    if (signed.hash.toLowerCase() !== e.hash.toLowerCase()) throw new WardError('INTEGRITY', 'The prepared batch does not make the transaction that was sent for it.');
    return signed.raw;
  }

  private async settleBatch(b: PreparedBatch, sent: SentTx): Promise<PublishedBatch> {
    const receipt = await this.waitForReceipt(sent.hash);
    if (receipt.status !== 1) {
      const onChain = await this.batchOnChain(b.batchId);
      if (onChain && onChain.root.toLowerCase() === b.root.toLowerCase()) return { batchId: b.batchId, block: onChain.blockNumber, tx: null, already: true, gasUsed: receipt.gasUsed };
      throw await this.diagnose(`batch:${b.batchId}`, receipt);
    }
    return { batchId: b.batchId, block: receipt.blockNumber, tx: receipt.hash, already: false, gasUsed: receipt.gasUsed };
  }

  /** Publish key grants (a transfer of care); `purpose` must be unique per set, e.g. a transfer id. */
  async publishGrants(purpose: string, grants: Uint8Array[]): Promise<Outcome<{ receipt: Receipt }>> {
    return this.transact(`grants:${purpose}`, this.ledger, ledgerInterface.encodeFunctionData('publishGrants', [grants]));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
