/**
 * Test harness for the ward contracts: an in-process ganache wrapped by ethers' BrowserProvider,
 * locally signing wallets (as on Besu: the node holds no keys), deployment from the compiled
 * artifacts, and helpers to read custom errors and events.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ganache from 'ganache';
import {
  BrowserProvider,
  Contract,
  ContractFactory,
  Wallet,
  hexlify,
  randomBytes,
  toBeHex,
  type Eip1193Provider,
  type InterfaceAbi,
  type Log,
  type Result,
  type TransactionReceipt,
} from 'ethers';
import { expect } from 'vitest';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

type Artifacts = typeof import('../../../contracts/generated/artifacts');

/**
 * Runs the compile step (a no-op when sources are unchanged) and loads the artifacts, so the
 * suite also works when nobody ran `npm run contracts` first.
 */
export async function loadArtifacts(): Promise<Artifacts> {
  execFileSync(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['contracts/compile.ts'], { cwd: repoRoot, stdio: 'pipe' });
  return import('../../../contracts/generated/artifacts');
}

/** Role and Status as the contract's uint8 enums. */
export const Role = { None: 0, ITAdmin: 1, Doctor: 2, Nurse: 3, Patient: 4, Insurer: 5 } as const;
export const Status = { None: 0, Pending: 1, Approved: 2, Rejected: 3, Revoked: 4 } as const;

/**
 * How a chain is started and how its senders pay for gas:
 * - `berlin-zero-gas`: pre-London chain (no base fee), gas price 0, senders never funded.
 * - `shanghai-funded`: London+ chain, whose 1 gwei genesis base fee cannot be configured away in
 *   ganache 7, so every sender is funded with the ganache-only `evm_setAccountBalance`.
 */
export type ChainProfile = 'berlin-zero-gas' | 'shanghai-funded';

export interface TestChain {
  provider: BrowserProvider;
  /** A fresh random key connected to the chain, able to send transactions under the profile. */
  newWallet(): Promise<Wallet>;
  close(): Promise<void>;
}

export function ganacheOptions(hardfork: 'berlin' | 'london' | 'shanghai') {
  return {
    chain: { chainId: 1337, hardfork },
    logging: { quiet: true },
    wallet: { totalAccounts: 0 },
    miner: { defaultGasPrice: 0 },
  };
}

export async function startChain(profile: ChainProfile): Promise<TestChain> {
  const node = ganache.provider(ganacheOptions(profile === 'berlin-zero-gas' ? 'berlin' : 'shanghai'));
  const provider = new BrowserProvider(node as unknown as Eip1193Provider, 1337, { pollingInterval: 20, cacheTimeout: -1 });
  return {
    provider,
    async newWallet() {
      const wallet = new Wallet(hexlify(randomBytes(32)), provider);
      if (profile === 'shanghai-funded') {
        await provider.send('evm_setAccountBalance', [wallet.address, toBeHex(10n ** 21n)]);
      }
      return wallet;
    },
    async close() {
      provider.destroy();
      await node.disconnect();
    },
  };
}

/** The 64-byte uncompressed public key without the 0x04 prefix, as the registry expects. */
export function publicKeyOf(wallet: Wallet): string {
  return `0x${wallet.signingKey.publicKey.slice(4)}`;
}

export function randomBytes32(): string {
  return hexlify(randomBytes(32));
}

/** The same deployed contract, sending from `signer`. */
export function as(contract: Contract, signer: Wallet): Contract {
  return new Contract(contract.target, contract.interface, signer);
}

export interface Ward {
  admin: Wallet;
  registry: Contract;
  anchors: Contract;
  ledger: Contract;
  deployReceipts: { registry: TransactionReceipt };
}

/** Deploys a compiled contract from `signer` and waits for it. */
export async function deploy(
  artifact: { abi: InterfaceAbi; bytecode: string },
  signer: Wallet,
  args: unknown[],
): Promise<{ contract: Contract; receipt: TransactionReceipt }> {
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
  const deployed = await factory.deploy(...args);
  const receipt = await deployed.deploymentTransaction()!.wait();
  const address = await deployed.getAddress();
  return { contract: new Contract(address, artifact.abi, signer), receipt: receipt! };
}

/** Deploys WardRegistry (admin = a fresh wallet), RecordAnchors and AccessLedger. */
export async function deployWard(chain: TestChain, artifacts: Artifacts): Promise<Ward> {
  const admin = await chain.newWallet();
  const reg = await deploy(artifacts.WardRegistry, admin, [publicKeyOf(admin), randomBytes32()]);
  const registryAddress = await reg.contract.getAddress();
  const anchors = await deploy(artifacts.RecordAnchors, admin, [registryAddress]);
  const ledger = await deploy(artifacts.AccessLedger, admin, [registryAddress]);
  return {
    admin,
    registry: reg.contract,
    anchors: anchors.contract,
    ledger: ledger.contract,
    deployReceipts: { registry: reg.receipt },
  };
}

/**
 * A gas limit for every test transaction instead of eth_estimateGas (gas is free here, and an
 * estimate costs a second simulation). A bare estimate would also be unsafe: it is exact only for
 * the block it was simulated in, and a storage write of block.timestamp (WardRegistry.revoke)
 * costs ~2,800 gas less when the value is unchanged within the same second, so the mined
 * transaction can run out of gas. Clients must pad estimates.
 */
export const TEST_GAS_LIMIT = 5_000_000n;

/** Sends a contract call and waits for its receipt, which must show success. */
export async function send(contract: Contract, method: string, ...args: unknown[]): Promise<TransactionReceipt> {
  const tx = await contract.getFunction(method)(...args, { gasLimit: TEST_GAS_LIMIT });
  const receipt = await tx.wait();
  expect(receipt?.status).toBe(1);
  return receipt!;
}

/** A new member with `role`, approved by `ward.admin` unless it is a (self-approved) patient. */
export async function enrol(chain: TestChain, ward: Ward, role: number): Promise<Wallet> {
  const wallet = await chain.newWallet();
  await send(as(ward.registry, wallet), 'requestRegistration', role, publicKeyOf(wallet), randomBytes32());
  if (role !== Role.Patient) await send(ward.registry, 'approve', wallet.address);
  return wallet;
}

/**
 * The revert data carried by an ethers error. ethers fills `data` itself for eth_call; for
 * eth_estimateGas ganache nests it as `error.data.result`, which ethers leaves undecoded.
 */
function revertData(error: unknown): string | undefined {
  const e = error as { data?: unknown; info?: { error?: { data?: unknown } } };
  if (typeof e?.data === 'string') return e.data;
  const nested = e?.info?.error?.data;
  if (typeof nested === 'string') return nested;
  const result = (nested as { result?: unknown } | undefined)?.result;
  return typeof result === 'string' ? result : undefined;
}

/**
 * Asserts that `action` reverts with the custom error `name` of `contract` (and, when given,
 * exactly these arguments).
 */
export async function expectRevert(
  action: Promise<unknown>,
  contract: { interface: Contract['interface'] },
  name: string,
  args?: unknown[],
): Promise<void> {
  let caught: unknown;
  try {
    await action;
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected a revert with ${name}`).toBeDefined();
  const data = revertData(caught);
  expect(data, `no revert data in: ${String((caught as Error).message)}`).toMatch(/^0x[0-9a-f]{8}/i);
  const parsed = contract.interface.parseError(data!);
  expect(parsed?.name).toBe(name);
  if (args) expect(parsed!.args.toArray()).toEqual(args);
}

/** Decoded arguments of every `name` event that `contract` emitted in `receipt`. */
export function eventsOf(receipt: TransactionReceipt, contract: Contract, name: string): Result[] {
  const target = String(contract.target).toLowerCase();
  return receipt.logs
    .filter((log: Log) => log.address.toLowerCase() === target)
    .map((log: Log) => contract.interface.parseLog(log))
    .filter((parsed) => parsed?.name === name)
    .map((parsed) => parsed!.args);
}

export async function blockTimestamp(chain: TestChain, blockNumber: number): Promise<number> {
  const block = await chain.provider.getBlock(blockNumber);
  return block!.timestamp;
}
