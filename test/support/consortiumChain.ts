/**
 * A consortium for integration tests: anvil in its own process (1 s blocks, state file) behind the
 * Besu proxy, the contracts deployed through the proxy by an admin client, and wards added. The
 * proxy runs in the caller's process (the fault tests drive it), or in its own (the benchmark:
 * `proxyProcess`, so that it takes no CPU from the ward measured).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { addWard, deployConsortium } from '../../electron/core/consortium/admin';
import { ConsortiumClient, type ConsortiumClientOptions } from '../../electron/core/consortium/client';
import type { ConsortiumContext } from '../../electron/core/consortium/sealing';
import { Anvil } from './anvil';
import { BesuProxy } from './besuProxy';
import { BesuProxyProcess } from './besuProxyProcess';
import { pub, type TestWard } from './consortiumFixtures';

export interface TestConsortium<Proxy extends { url: string; close(): Promise<void> } = BesuProxy> {
  dir: string;
  anvil: Anvil;
  proxy: Proxy;
  admin: ethers.Wallet;
  directory: string;
  ledger: string;
  context: ConsortiumContext;
  /** A client for `key` through the proxy, keeping its in-flight transactions in `stateDir`. */
  client(key: string, stateDir: string, options?: Partial<ConsortiumClientOptions>): ConsortiumClient;
  addWard(ward: TestWard): Promise<void>;
  close(): Promise<void>;
}

interface ConsortiumOptions {
  gasLimit?: number;
  blockTime?: number;
  persist?: boolean;
}

export function startConsortium(options: ConsortiumOptions & { proxyProcess: true }): Promise<TestConsortium<BesuProxyProcess>>;
export function startConsortium(options?: ConsortiumOptions & { proxyProcess?: false }): Promise<TestConsortium>;
export async function startConsortium({ proxyProcess, ...options }: ConsortiumOptions & { proxyProcess?: boolean } = {}): Promise<TestConsortium<BesuProxy | BesuProxyProcess>> {
  const dir = mkdtempSync(join(tmpdir(), 'wardledger-consortium-'));
  const anvil = await Anvil.start({ stateFile: join(dir, 'anvil-state.json'), logFile: join(dir, 'anvil.log'), ...options });
  const proxy = proxyProcess ? await BesuProxyProcess.start(anvil.url) : await BesuProxy.start(anvil.url);
  const admin = new ethers.Wallet(ethers.Wallet.createRandom().privateKey);
  const client = (key: string, stateDir: string, extra: Partial<ConsortiumClientOptions> = {}) =>
    new ConsortiumClient({ url: proxy.url, privateKey: key, ledger: ledger || ethers.ZeroAddress, stateDir, pollMs: 100, ...extra });
  let ledger = '';
  const deployed = await deployConsortium(client(admin.privateKey, join(dir, 'admin')));
  ledger = deployed.ledger;
  const adminClient = client(admin.privateKey, join(dir, 'admin'));
  return {
    dir,
    anvil,
    proxy,
    admin,
    directory: deployed.directory,
    ledger,
    context: { chainId: anvil.chainId, ledger },
    client,
    async addWard(ward) {
      await addWard(adminClient, { name: ward.name, account: ward.sync.address, syncPublicKey: pub(ward.sync), teamPublicKey: pub(ward.team) });
    },
    async close() {
      await proxy.close();
      await anvil.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
