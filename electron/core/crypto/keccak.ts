/**
 * keccak256 for the whole core: WebAssembly (hash-wasm) once `useFastKeccak()` has run, the
 * pure-JS @noble/hashes implementation before that. Same function, same output — only speed.
 *
 * Why: every record costs several keccaks (content hash, commitment, two per Merkle leaf, tree
 * nodes, EIP-712 and address checksums inside ethers). Measured here on Node 20: 0.8 µs per
 * 64-byte hash in WebAssembly against 7.5 µs in pure JS (1.5 against 15.7 µs for 400 bytes), and
 * keccak was the largest single cost of ward-scale ingest. `useFastKeccak` also registers the
 * implementation with ethers (`keccak256.register`), so ethers' hashing gets the same speed-up.
 *
 * The WebAssembly hasher is a single instance used synchronously (init → update → digest with no
 * await in between), so calls cannot interleave on the one JS thread.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { keccak256 as ethersKeccak256 } from 'ethers';
import { createKeccak, type IHasher } from 'hash-wasm';

let wasm: IHasher | null = null;
let loading: Promise<void> | null = null;

/** keccak256 of `data` (32 bytes). */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  return wasm ? wasm.init().update(data).digest('binary') : keccak_256(data);
}

/**
 * Load the WebAssembly keccak and make it ethers' keccak256 too. Idempotent; if WebAssembly is not
 * available the pure-JS version simply stays in use.
 */
export function useFastKeccak(): Promise<void> {
  loading ??= createKeccak(256).then(
    (hasher) => {
      const probe = new TextEncoder().encode('wardledger');
      // Never switch to an implementation that disagrees with the reference one.
      if (Buffer.compare(hasher.init().update(probe).digest('binary'), keccak_256(probe)) !== 0) return;
      wasm = hasher;
      try {
        ethersKeccak256.register((bytes) => keccak256Bytes(bytes));
      } catch {
        // ethers' implementation was locked by someone else: ours is still used directly.
      }
    },
    () => undefined,
  );
  return loading;
}

/** Whether the WebAssembly implementation is in use (for diagnostics and tests). */
export function fastKeccakActive(): boolean {
  return wasm !== null;
}
