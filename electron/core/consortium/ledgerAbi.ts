/** The consortium contracts' interfaces and the calldata of a batch (shared by the client and sizing). */
import { ethers } from 'ethers';
import { ConsortiumDirectory, ConsortiumLedger } from '../../../contracts/generated/artifacts';
import type { PreparedBatch } from './batch';

export const ledgerInterface = new ethers.Interface(ConsortiumLedger.abi as unknown as ethers.InterfaceAbi);
export const directoryInterface = new ethers.Interface(ConsortiumDirectory.abi as unknown as ethers.InterfaceAbi);

/** geth's txMaxSize (4 × 32 KiB), which the consortium node is held to. */
export const MAX_TX_BYTES = 128 * 1024;
/** Besu's default --rpc-max-logs-range. */
export const MAX_LOGS_RANGE = 5000;

const PUBLISH_SELECTOR = Buffer.from(ledgerInterface.getFunction('publishBatch')!.selector.slice(2), 'hex');
const encoded = new WeakMap<PreparedBatch, Uint8Array>();
const padded = (n: number) => Math.ceil(n / 32) * 32;

/**
 * Calldata of publishBatch(bytes32 batchId, bytes32 root, uint32 count, bytes records, bytes[]
 * grants) for a prepared batch, ABI-encoded here in one buffer (ethers' general encoder copies a
 * 128 KB payload through hex strings several times) and kept per batch object: sizing and sending
 * both need it. The unit tests hold it byte-equal to ethers' encoding.
 */
export function publishCalldata(b: PreparedBatch): Uint8Array {
  const known = encoded.get(b);
  if (known) return known;
  const grantsStart = 4 + 160 + 32 + padded(b.records.length);
  const size = grantsStart + 32 + 32 * b.grants.length + b.grants.reduce((s, g) => s + 32 + padded(g.length), 0);
  const out = Buffer.alloc(size);
  PUBLISH_SELECTOR.copy(out, 0);
  const word = (at: number, v: number) => out.writeUIntBE(v, at + 26, 6);
  Buffer.from(b.batchId.slice(2), 'hex').copy(out, 4);
  Buffer.from(b.root.slice(2), 'hex').copy(out, 36);
  word(68, b.count);
  word(100, 160);
  word(132, grantsStart - 4);
  word(164, b.records.length);
  out.set(b.records, 196);
  word(grantsStart, b.grants.length);
  let offset = 32 * b.grants.length;
  let at = grantsStart + 32 + 32 * b.grants.length;
  b.grants.forEach((g, i) => {
    word(grantsStart + 32 + 32 * i, offset);
    word(at, g.length);
    out.set(g, at + 32);
    at += 32 + padded(g.length);
    offset += 32 + padded(g.length);
  });
  encoded.set(b, out);
  return out;
}

/** Calldata of publishBatch for a prepared batch, 0x hex. */
export function publishData(b: PreparedBatch): string {
  const d = publishCalldata(b);
  return '0x' + Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('hex');
}
