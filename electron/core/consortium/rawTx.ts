/**
 * Signing a legacy (type 0) transaction with EIP-155 replay protection, on bytes: RLP
 * (Ethereum Yellow Paper, appendix B) of [nonce, gasPrice, gasLimit, to, value, data, v, r, s]
 * over the digest of [nonce, gasPrice, gasLimit, to, value, data, chainId, 0, 0] (EIP-155), with
 * v = chainId × 2 + 35 + yParity. The result is byte-equal to ethers' Wallet.signTransaction
 * (deterministic RFC 6979 signatures, low s; tested), without its hex round trips: for a 128 KB
 * batch those (hex parsing, RLP in hex, keccak over hex) cost the publisher more than anything
 * else it does per transaction.
 */
import type { ethers } from 'ethers';
import { keccak256Bytes } from '../crypto/keccak';

export interface LegacyTx {
  nonce: number;
  gasPrice: bigint;
  gasLimit: bigint;
  /** null to deploy a contract. */
  to: string | null;
  value: bigint;
  data: Uint8Array;
  chainId: number;
}

/** The signed transaction's bytes and its hash (keccak256 of the bytes). */
export function signLegacyTx(key: ethers.SigningKey, tx: LegacyTx): { raw: Uint8Array; hash: string } {
  const fields = [int(BigInt(tx.nonce)), int(tx.gasPrice), int(tx.gasLimit), tx.to === null ? new Uint8Array(0) : hexBytes(tx.to), int(tx.value), tx.data];
  const digest = keccak256Bytes(rlpList([...fields, int(BigInt(tx.chainId)), new Uint8Array(0), new Uint8Array(0)]));
  const sig = key.sign(digest);
  const v = BigInt(tx.chainId) * 2n + 35n + BigInt(sig.yParity);
  const raw = rlpList([...fields, int(v), int(BigInt(sig.r)), int(BigInt(sig.s))]);
  return { raw, hash: '0x' + Buffer.from(keccak256Bytes(raw)).toString('hex') };
}

/** An unsigned integer as RLP wants it: big-endian, no leading zero bytes (0: empty). */
function int(n: bigint): Uint8Array {
  if (n < 0n) throw new RangeError('negative integer in a transaction');
  if (n === 0n) return new Uint8Array(0);
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}

function hexBytes(hex: string): Uint8Array {
  return Buffer.from(hex.startsWith('0x') ? hex.slice(2) : hex, 'hex');
}

/** RLP length prefix: short form below 56 bytes, long form above. */
function prefix(shortBase: number, length: number): Uint8Array {
  if (length < 56) return Uint8Array.of(shortBase + length);
  const len = int(BigInt(length));
  return Uint8Array.of(shortBase + 55 + len.length, ...len);
}

function rlpItem(b: Uint8Array): Uint8Array[] {
  if (b.length === 1 && b[0]! < 0x80) return [b];
  return [prefix(0x80, b.length), b];
}

function rlpList(items: Uint8Array[]): Uint8Array {
  const parts = items.flatMap(rlpItem);
  const length = parts.reduce((n, p) => n + p.length, 0);
  return Buffer.concat([prefix(0xc0, length), ...parts]);
}
