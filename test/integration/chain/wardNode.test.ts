/**
 * The ward's embedded node as the core starts it (electron/core/chain/wardNode.ts): ganache on a
 * thread of its own (chain/chainWorker.ts), reached over EIP-1193 through the thread's port
 * (chain/chainWorkerClient.ts), so what crosses the port is tested here: results, a revert's data
 * as ethers decodes it, a node error's message, and the database closed on stop.
 *
 * ganache is loaded with V8's asm.js validation off (chain/loadGanache.ts: it cost about 0.6 s of
 * every start). The precompiles that the asm.js module implements must still answer exactly as
 * every Ethereum client does: the vectors are go-ethereum's, core/vm/testdata/precompiles/
 * bn256Add.json ("chfast1", "cdetrio11") and bn256ScalarMul.json ("chfast1").
 */
import { Script } from 'node:vm';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isCallException } from 'ethers';
import { WardNode } from '../../../electron/core/chain/wardNode';
import { removeDir, tempDir } from '../../support/tempCore';

const started: Array<{ node: WardNode; dir: string }> = [];

async function startNode(dir = tempDir('wardledger-node-')): Promise<WardNode> {
  const node = new WardNode(join(dir, 'chain'));
  started.push({ node, dir });
  await node.start();
  return node;
}

afterEach(async () => {
  for (const { node, dir } of started.splice(0)) {
    await node.stop();
    removeDir(dir);
  }
});

/** A small asm.js module run in a script of its own: V8 makes no code cache for a script holding a validated one. */
function asmJsValidated(): boolean {
  const script = new Script('(function m(stdlib, foreign, heap) { "use asm"; function add(a, b) { a = a | 0; b = b | 0; return (a + b) | 0; } return { add: add }; })(globalThis, {}, new ArrayBuffer(0x10000)).add(2, 3)', { filename: 'asm-probe.js' });
  expect(script.runInThisContext()).toBe(5);
  return script.createCachedData().length === 0;
}

describe('the ward node', () => {
  it('starts with asm.js validation off (ganache’s bn128 module is not compiled to WebAssembly at every start)', async () => {
    await startNode();
    expect(asmJsValidated()).toBe(false);
  });

  it('still answers the bn128 precompiles as go-ethereum’s test vectors say', async () => {
    const node = await startNode();
    const call = (address: string, data: string) => node.provider.call({ to: address, data });
    // bn256Add.json, chfast1
    expect(
      await call(
        '0x0000000000000000000000000000000000000006',
        '0x18b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093dc9063c909c4720840cb5134cb9f59fa749755796819658d32efc0d288198f3726607c2b7f58a84bd6145f00c9c2bc0bb1a187f20ff2c92963a88019e7c6a014eed06614e20c147e940f2d70da3f74c9a17df361706a4485c742bd6788478fa17d7',
      ),
    ).toBe('0x2243525c5efd4b9c3d3c45ac0ca3fe4dd85e830a4ce6b65fa1eeaee202839703301d1d33be6da8e509df21cc35964723180eed7532537db9ae5e7d48f195c915');
    // bn256Add.json, cdetrio11: (1, 2) + (1, 2)
    expect(
      await call(
        '0x0000000000000000000000000000000000000006',
        '0x0000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000002',
      ),
    ).toBe('0x030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd315ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4');
    // bn256ScalarMul.json, chfast1
    expect(
      await call(
        '0x0000000000000000000000000000000000000007',
        '0x2bd3e6d0f3b142924f5ca7b49ce5b9d54c4703d7ae5648e61d02268b1a0a9fb721611ce0a6af85915e2f1d70300909ce2e49dfad4a4619c8390cae66cefdb20400000000000000000000000000000000000000000000000011138ce750fa15c2',
      ),
    ).toBe('0x070a8d6a982153cae4be29d434e8faef8a47b274a053f5a4ee2a6c9c13c31e5c031b8ce914eba3a9ffb989f9cdd5b0f01943074bf4f0f315690ec3cec6981afc');
  });

  it('carries a revert’s data across the thread as ethers reads it', async () => {
    const node = await startNode();
    // Init code run by eth_call: PUSH4 0xdeadbeef, PUSH1 0, MSTORE, PUSH1 4, PUSH1 28, REVERT.
    const error = await node.provider.call({ data: '0x63deadbeef6000526004601cfd' }).catch((e: unknown) => e);
    expect(isCallException(error)).toBe(true);
    expect((error as { data?: string }).data).toBe('0xdeadbeef');
  });

  it('carries a node error’s message across the thread', async () => {
    const node = await startNode();
    await expect(node.provider.send('eth_noSuchMethod', [])).rejects.toThrow(/eth_noSuchMethod does not exist/);
  });

  it('closes the chain database on stop: another node opens it and finds the same chain', async () => {
    const dir = tempDir('wardledger-node-');
    const first = new WardNode(join(dir, 'chain'));
    await first.start();
    await first.provider.send('evm_mine', []);
    const mined = await first.provider.getBlockNumber();
    expect(mined).toBeGreaterThan(0);
    await first.stop();
    expect(() => first.provider).toThrow(/not running/);
    const second = await startNode(dir); // LevelDB refuses a database another holder still has open
    expect(await second.provider.getBlockNumber()).toBe(mined);
  });
});
