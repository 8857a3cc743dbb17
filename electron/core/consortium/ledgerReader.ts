/**
 * Reading the consortium chain, with nothing but a node URL and the ledger address: what the
 * ledger stores for a batch, the directory's ward entries and whether a ward was a member at a
 * block, receipts and logs (paged to what a Besu node serves). The sync client (client.ts) adds
 * signing and sending on top; a verifier of an export (records/exportConsortium.ts) needs only this.
 * Every method throws NodeUnreachable when the node cannot be asked.
 */
import { ethers } from 'ethers';
import { WardError } from '../model/errors';
import type { BatchOnChain } from './batch';
import { MAX_LOGS_RANGE, directoryInterface, ledgerInterface } from './ledgerAbi';
import { JsonRpc, isRangeRefusal } from './rpc';
import type { ConsortiumContext } from './sealing';

export interface LedgerReaderOptions {
  url: string;
  /** The ConsortiumLedger (the zero address only to deploy one). */
  ledger: string;
  /** The chain id the ward was configured with; a node on another chain is refused. */
  expectedChainId?: number;
  requestTimeoutMs?: number;
  maxLogsRange?: number;
}

export interface Receipt {
  hash: string;
  blockNumber: number;
  status: number;
  gasUsed: number;
  /** Address of the contract a deployment created. */
  contractAddress: string | null;
  logs: Array<{ address: string; topics: string[]; data: string; logIndex: number; blockNumber: number; transactionHash: string }>;
}

interface RawReceipt {
  transactionHash: string;
  blockNumber: string;
  status: string;
  gasUsed: string;
  contractAddress?: string | null;
  logs: Array<{ address: string; topics: string[]; data: string; logIndex: string; blockNumber: string; transactionHash: string }>;
}

/** A ward's entry in the consortium directory (activeSince 0: never added). */
export interface WardEntry {
  name: string;
  syncPublicKey: string;
  activeSince: number;
  removedAt: number;
}

const WARD_ADDED = directoryInterface.getEvent('WardAdded')!.topicHash;
const WARD_REMOVED = directoryInterface.getEvent('WardRemoved')!.topicHash;

export class LedgerReader {
  readonly rpc: JsonRpc;
  readonly ledger: string;
  private chainIdValue: number | null = null;
  private directoryAddress: string | null = null;
  private readonly expectedChainId: number | undefined;
  private readonly maxLogsRange: number;

  constructor(options: LedgerReaderOptions) {
    this.maxLogsRange = options.maxLogsRange ?? MAX_LOGS_RANGE;
    if (!Number.isInteger(this.maxLogsRange) || this.maxLogsRange < 1) throw new WardError('BAD_INPUT', 'The log page size must be a whole number of blocks.');
    this.rpc = new JsonRpc(options.url, options.requestTimeoutMs ?? 15_000);
    this.ledger = checkedAddress(options.ledger, 'ledger');
    this.expectedChainId = options.expectedChainId;
  }

  /** Chain id (asked once), checking it against the configured one. @throws NodeUnreachable, WardError. */
  async chainId(): Promise<number> {
    if (this.chainIdValue === null) {
      const id = Number(await this.rpc.call<string>('eth_chainId'));
      if (this.expectedChainId !== undefined && id !== this.expectedChainId) {
        throw new WardError('CHAIN', `The consortium node runs chain ${id}, but this ward is configured for chain ${this.expectedChainId}.`);
      }
      this.chainIdValue = id;
    }
    return this.chainIdValue;
  }

  async context(): Promise<ConsortiumContext> {
    return { chainId: await this.chainId(), ledger: this.ledger };
  }

  async blockNumber(): Promise<number> {
    return Number(await this.rpc.call<string>('eth_blockNumber'));
  }

  async blockGasLimit(): Promise<number> {
    const block = await this.rpc.call<{ gasLimit: string }>('eth_getBlockByNumber', ['latest', false]);
    return Number(block.gasLimit);
  }

  async hasCode(address: string): Promise<boolean> {
    const code = await this.rpc.call<string>('eth_getCode', [checkedAddress(address, 'contract'), 'latest']);
    return typeof code === 'string' && code.length > 2;
  }

  async call(to: string, iface: ethers.Interface, fn: string, args: unknown[]): Promise<ethers.Result> {
    const data = iface.encodeFunctionData(fn, args);
    const out = await this.rpc.call<string>('eth_call', [{ to, data }, 'latest']);
    return iface.decodeFunctionResult(fn, out);
  }

  async directory(): Promise<string> {
    this.directoryAddress ??= String((await this.call(this.ledger, ledgerInterface, 'directory', []))[0]);
    return this.directoryAddress;
  }

  async isActiveWard(account: string): Promise<boolean> {
    return Boolean((await this.call(await this.directory(), directoryInterface, 'isActiveWard', [account]))[0]);
  }

  /** What the ledger stores for `batchId` of `ward`, or null when it was never published. */
  async batchOnChain(batchId: string, ward: string): Promise<BatchOnChain | null> {
    const [b] = await this.call(this.ledger, ledgerInterface, 'batchOf', [ward, batchId]);
    if (/^0x0{64}$/.test(b.root)) return null;
    return { root: b.root, count: Number(b.count), blockNumber: Number(b.blockNumber) };
  }

  /** The directory's entry for `account`, or null when it was never a ward. */
  async wardEntry(account: string): Promise<WardEntry | null> {
    const [w] = await this.call(await this.directory(), directoryInterface, 'ward', [account]);
    return Number(w.activeSince) === 0 ? null : { name: String(w.name), syncPublicKey: String(w.syncPublicKey), activeSince: Number(w.activeSince), removedAt: Number(w.removedAt) };
  }

  /**
   * Whether `ward` (whose directory entry is `entry`) was an active member at `block`. The entry
   * answers directly unless the ward was removed and added again since; then its
   * WardAdded/WardRemoved history does.
   */
  async wasMember(ward: string, entry: WardEntry | null, block: number): Promise<boolean> {
    if (!entry) return false;
    // The ledger refuses a batch from a ward no longer active, so a batch in the removal's own block came before it.
    if (block >= entry.activeSince) return entry.removedAt === 0 || block <= entry.removedAt;
    const changes: Array<{ block: number; added: boolean }> = [];
    for await (const page of this.logs({ address: await this.directory(), topics: [[WARD_ADDED, WARD_REMOVED], ethers.zeroPadValue(ward, 32)] }, 0, block)) {
      for (const l of page.logs) changes.push({ block: l.blockNumber, added: l.topics[0] === WARD_ADDED });
    }
    const last = changes.filter((c) => c.block <= block).pop();
    return !!last && last.added;
  }

  /** The receipt of a mined transaction, or null while it is not mined (or unknown). */
  async receipt(hash: string): Promise<Receipt | null> {
    const r = await this.rpc.call<RawReceipt | null>('eth_getTransactionReceipt', [hash]);
    if (!r || !r.blockNumber) return null;
    return {
      hash: r.transactionHash,
      blockNumber: Number(r.blockNumber),
      status: Number(r.status),
      gasUsed: Number(r.gasUsed),
      contractAddress: r.contractAddress ? ethers.getAddress(r.contractAddress) : null,
      logs: r.logs.map((l) => ({ ...l, logIndex: Number(l.logIndex), blockNumber: Number(l.blockNumber) })),
    };
  }

  /**
   * eth_getLogs from `fromBlock` to `toBlock` (inclusive) in pages of at most maxLogsRange blocks,
   * halving the page when the node refuses the range. Yields each page with the last block it
   * covers, so a caller can store a checkpoint per page. @throws NodeUnreachable.
   */
  async *logs(filter: { address: string | string[]; topics?: Array<string | string[] | null> }, fromBlock: number, toBlock: number): AsyncGenerator<{ toBlock: number; logs: Receipt['logs'] }> {
    let size = this.maxLogsRange;
    let start = fromBlock;
    while (start <= toBlock) {
      const end = Math.min(toBlock, start + size - 1);
      let page: RawReceipt['logs'];
      try {
        page = await this.rpc.call<RawReceipt['logs']>('eth_getLogs', [{ ...filter, fromBlock: hex(start), toBlock: hex(end) }]);
      } catch (e) {
        if (isRangeRefusal(e) && size > 1) {
          size = Math.max(1, Math.floor(size / 2));
          continue;
        }
        throw e;
      }
      yield { toBlock: end, logs: page.map((l) => ({ ...l, logIndex: Number(l.logIndex), blockNumber: Number(l.blockNumber) })) };
      start = end + 1;
    }
  }
}

/** A BatchPublished log's fields (the ward and batch id are its topics). */
export interface BatchPublishedLog {
  root: string;
  count: number;
  records: Uint8Array;
}

const PAYLOAD_DAMAGED = 'The batch payload cannot be read.';

/**
 * The data of a BatchPublished(ward, batchId, bytes32 root, uint32 count, bytes records) log,
 * decoded from its hex in one pass (ethers' general decoder walks a 128 KB payload through hex
 * strings several times; the unit tests hold this equal to it). Strict: the offset, the length
 * and the padding must be exactly what the ABI encodes. @throws WardError('INTEGRITY').
 */
export function decodeBatchPublished(data: string): BatchPublishedLog {
  const bytes = logBytes(data, PAYLOAD_DAMAGED);
  if (bytes.length < 128 || wordNumber(bytes, 64) !== 96 || bytes.subarray(32, 60).some((b) => b !== 0)) throw new WardError('INTEGRITY', PAYLOAD_DAMAGED);
  const records = dynamicBytes(bytes, 96, PAYLOAD_DAMAGED);
  return { root: '0x' + Buffer.from(bytes.buffer, bytes.byteOffset, 32).toString('hex'), count: bytes.readUInt32BE(60), records };
}

/** The grant bytes of a KeyGranted(ward, bytes grant) log's data. @throws WardError('INTEGRITY'). */
export function decodeKeyGranted(data: string): Uint8Array {
  const bytes = logBytes(data, 'The key grant cannot be read.');
  if (bytes.length < 64 || wordNumber(bytes, 0) !== 32) throw new WardError('INTEGRITY', 'The key grant cannot be read.');
  return dynamicBytes(bytes, 32, 'The key grant cannot be read.');
}

function logBytes(data: string, damaged: string): Buffer {
  if (typeof data !== 'string' || !data.startsWith('0x') || data.length % 2 !== 0) throw new WardError('INTEGRITY', damaged);
  const bytes = Buffer.from(data.slice(2), 'hex');
  if (bytes.length * 2 !== data.length - 2) throw new WardError('INTEGRITY', damaged); // Buffer stops at the first character that is not hex
  return bytes;
}

/** A 32-byte word as a number, or -1 when it does not fit in 48 bits. */
function wordNumber(bytes: Buffer, at: number): number {
  return bytes.subarray(at, at + 26).some((b) => b !== 0) ? -1 : bytes.readUIntBE(at + 26, 6);
}

/** ABI `bytes` whose length word is at `at`: exactly its bytes, zero padding, nothing after. */
function dynamicBytes(bytes: Buffer, at: number, damaged: string): Uint8Array {
  const length = wordNumber(bytes, at);
  const start = at + 32;
  if (length < 0 || bytes.length !== start + Math.ceil(length / 32) * 32 || bytes.subarray(start + length).some((b) => b !== 0)) throw new WardError('INTEGRITY', damaged);
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, length);
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

export function checkedAddress(a: string, what: string): string {
  try {
    return ethers.getAddress(a);
  } catch {
    throw new WardError('BAD_INPUT', `The consortium ${what} address is not a valid address.`);
  }
}
