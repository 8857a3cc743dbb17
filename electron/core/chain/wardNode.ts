/**
 * The ward's embedded Ethereum node: ganache 7 on a thread of its own (chainWorker.ts), persisted
 * under <dataDir>/chain; the core talks to it through ethers over EIP-1193 (chainWorkerClient.ts).
 *
 * Ganache does not save its start options, so they are pinned in chain/options.json on first
 * start and reused verbatim on every later start (a different chain id or hardfork would make the
 * stored chain unreadable or change transaction semantics).
 *
 * Why hardfork "berlin": ganache 7 hard-codes a 1 gwei initial base fee for London and later, so a
 * zero-gas-price chain (the Besu consortium's "free gas" model) is only possible before London.
 * Contracts are compiled for `paris` and never use BASEFEE, so the same bytecode runs identically
 * here and on Besu (London+ with zeroBaseFee). Transactions are legacy (type 0) with gasPrice 0.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { z } from 'zod';
import { readJson, writeJsonDurable } from '../platform/atomicFile';
import { WardError } from '../model/errors';
import { problemOf } from './chainDatabase';
import { takeChainWorker, type ChainWorker } from './chainWorkerClient';

export interface PinnedChainOptions {
  chainId: number;
  hardfork: 'berlin';
  gasPrice: '0';
  blockGasLimit: string;
}

export const defaultChainOptions: PinnedChainOptions = {
  chainId: 0x5741, // "WA"
  hardfork: 'berlin',
  gasPrice: '0',
  blockGasLimit: '0x1C9C380', // 30,000,000
};

const pinnedChainOptionsFile = z.object({
  chainId: z.number().int().positive(),
  hardfork: z.literal('berlin'),
  gasPrice: z.literal('0'),
  blockGasLimit: z.string().regex(/^0x[0-9a-fA-F]+$/),
});

/** Overrides for every transaction a ward wallet sends: legacy, free gas. */
export const txOverrides = { type: 0, gasPrice: 0n } as const;

export class WardNode {
  private chain: ChainWorker | null = null;
  private ethersProvider: ethers.BrowserProvider | null = null;
  private starting: Promise<void> | null = null;
  options!: PinnedChainOptions;

  constructor(private readonly chainDir: string) {}

  /**
   * Begin opening the chain on its own thread (chainWorker.ts) and return at once: the caller
   * goes on with what does not need the chain, and `start()` waits for it.
   */
  begin(): void {
    this.starting ??= this.open();
    this.starting.catch(() => undefined); // reported by start()
  }

  /** Open the chain (or finish what begin() started); resolves when the node answers. */
  start(): Promise<void> {
    this.begin();
    return this.starting!;
  }

  private async open(): Promise<void> {
    mkdirSync(this.chainDir, { recursive: true });
    const optionsPath = join(this.chainDir, 'options.json');
    const pinned = readJson<PinnedChainOptions>(optionsPath, pinnedChainOptionsFile, "The ward chain's pinned options (chain/options.json)");
    this.options = pinned ?? defaultChainOptions;
    if (!pinned) writeJsonDurable(optionsPath, this.options);

    const dbPath = join(this.chainDir, 'db');
    const ganacheOptions = {
      chain: {
        chainId: this.options.chainId,
        hardfork: this.options.hardfork,
        vmErrorsOnRPCResponse: false,
      },
      database: { dbPath },
      miner: { defaultGasPrice: 0, blockGasLimit: this.options.blockGasLimit, instamine: 'eager' },
      wallet: { totalAccounts: 0 },
      logging: { quiet: true },
    };
    const chain = takeChainWorker();
    this.chain = chain;
    try {
      await chain.open(dbPath, ganacheOptions);
    } catch (e) {
      this.chain = null;
      await chain.stop().catch(() => undefined);
      if (e instanceof WardError) throw e;
      throw new WardError('CHAIN', `The ward chain could not be opened: ${problemOf(e)}`);
    }
    // ethers talks EIP-1193 to the node on its thread; polling is pointless with instamine.
    this.ethersProvider = new ethers.BrowserProvider(chain, this.options.chainId, { staticNetwork: true, cacheTimeout: -1 });
  }

  get provider(): ethers.BrowserProvider {
    if (!this.ethersProvider) throw new WardError('CHAIN', 'The ward chain is not running.');
    return this.ethersProvider;
  }

  /**
   * The latest block's number, asked of the node directly: ethers sends each request from a
   * zero-delay timer, which under load waits for the event loop's next timers phase (6 ms at the
   * median while 40 monitors stream), and the ward's status is asked every few seconds.
   */
  async blockNumber(): Promise<number> {
    const chain = this.chain;
    if (!chain || !this.ethersProvider) throw new WardError('CHAIN', 'The ward chain is not running.');
    return Number(await chain.request({ method: 'eth_blockNumber', params: [] }));
  }

  /**
   * Run `f` while the node mines nothing (ganache's miner_stop … miner_start): the chain database
   * is written only when a block is mined, so its files hold still while `f` copies them.
   * Transactions sent meanwhile wait, and are mined when it ends.
   */
  async whileNotMining<T>(f: () => Promise<T>): Promise<T> {
    const chain = this.chain;
    if (!chain || !this.ethersProvider) throw new WardError('CHAIN', 'The ward chain is not running.');
    await chain.request({ method: 'miner_stop', params: [] });
    try {
      return await f();
    } finally {
      await chain.request({ method: 'miner_start', params: [] });
    }
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    this.starting = null;
    const chain = this.chain;
    this.chain = null;
    this.ethersProvider?.destroy();
    this.ethersProvider = null;
    await chain?.stop();
  }
}
