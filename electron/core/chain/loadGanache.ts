/**
 * ganache, loaded on first use with V8's asm.js validation turned off.
 *
 * Why: ganache's bundle carries rustbn.js (the alt_bn128 precompiles at 0x06–0x08) compiled by
 * emscripten to asm.js. When ganache's Ethereum flavour loads, Node 20's V8 validates that module
 * and compiles it to WebAssembly: about 0.6 s of CPU, more than half of the chain's start (seen in
 * a CPU profile of `wardledger serve` as self time of ganache's module loader). asm.js is plain
 * JavaScript with a hint; without the validation it runs as that JavaScript, with the same results
 * (test/integration/chain/wardNode.test.ts replays go-ethereum's precompile vectors), only slower for
 * those precompiles, which the ward's contracts never call. Node 24's V8 (Electron) showed no such
 * cost; the flag is harmless there. The flag is process-wide and concerns asm.js only: nothing
 * else in the app is asm.js.
 */
import { setFlagsFromString } from 'node:v8';
import type ganacheModule from 'ganache';

export type Ganache = typeof ganacheModule;

export async function loadGanache(): Promise<Ganache> {
  setFlagsFromString('--no-validate-asm');
  const { default: ganache } = await import('ganache');
  return ganache;
}
