/**
 * Which ganache 7.9.2 set-ups accept transactions from UNFUNDED, locally signed accounts.
 *
 * Finding: with any EIP-1559 hardfork (london, merge, shanghai) ganache starts from a fixed 1 gwei
 * genesis base fee (no option changes it; it only decays towards ~7 wei), so a zero-fee
 * transaction is refused whatever `miner.defaultGasPrice` says. A pre-London hardfork (berlin) has
 * no base fee: with `miner.defaultGasPrice: 0`, ethers sends a legacy transaction priced 0 by
 * itself and an account holding no ether can deploy and call contracts compiled for `paris`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import ganache from 'ganache';
import { BrowserProvider, ContractFactory, Wallet, hexlify, randomBytes, type Eip1193Provider } from 'ethers';
import { ganacheOptions, loadArtifacts, publicKeyOf, randomBytes32 } from './chain';

const opened: Array<{ disconnect(): Promise<void> }> = [];

function chainWith(options: object): { provider: BrowserProvider; wallet: Wallet } {
  const node = ganache.provider(options);
  opened.push(node);
  const provider = new BrowserProvider(node as unknown as Eip1193Provider, 1337, { pollingInterval: 20, cacheTimeout: -1 });
  return { provider, wallet: new Wallet(hexlify(randomBytes(32)), provider) };
}

async function sendError(wallet: Wallet, fields: object): Promise<string | undefined> {
  try {
    const tx = await wallet.sendTransaction({ to: Wallet.createRandom().address, value: 0, ...fields });
    const receipt = await tx.wait();
    return receipt?.status === 1 ? undefined : 'reverted';
  } catch (e) {
    // ethers keeps the node's own message in `info.error` when it could not classify it.
    const err = e as Error & { info?: { error?: { message?: string } } };
    return [err.message, err.info?.error?.message].filter(Boolean).join(' | ');
  }
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((n) => n.disconnect()));
});

describe('ganache zero gas price with unfunded accounts', () => {
  for (const hardfork of ['london', 'shanghai'] as const) {
    it(`${hardfork}: refuses a legacy gasPrice 0 transaction because of the base fee`, async () => {
      const { provider, wallet } = chainWith(ganacheOptions(hardfork));
      expect((await provider.getBlock('latest'))!.baseFeePerGas).toBeGreaterThan(0n);
      expect(await sendError(wallet, { type: 0, gasPrice: 0 })).toMatch(/less than the block's baseFeePerGas/);
    });

    it(`${hardfork}: refuses a type 2 transaction with maxFeePerGas 0`, async () => {
      const { wallet } = chainWith(ganacheOptions(hardfork));
      expect(await sendError(wallet, { type: 2, maxFeePerGas: 0, maxPriorityFeePerGas: 0 })).toMatch(
        /less than the block's baseFeePerGas/,
      );
    });

    it(`${hardfork}: ethers' own fee choice needs funds`, async () => {
      const { wallet } = chainWith(ganacheOptions(hardfork));
      expect(await sendError(wallet, {})).toMatch(/insufficient funds/);
    });
  }

  it('berlin + miner.defaultGasPrice 0: ethers sends a legacy tx priced 0 and it is mined', async () => {
    const { provider, wallet } = chainWith(ganacheOptions('berlin'));
    expect((await provider.getBlock('latest'))!.baseFeePerGas).toBeNull();
    const tx = await wallet.sendTransaction({ to: Wallet.createRandom().address, value: 0 });
    expect(tx.type).toBe(0);
    expect(tx.gasPrice).toBe(0n);
    expect((await tx.wait())?.status).toBe(1);
    expect(await provider.getBalance(wallet.address)).toBe(0n);
  });

  it('berlin: an unfunded account deploys paris bytecode at gas price 0', async () => {
    const { WardRegistry } = await loadArtifacts();
    const { provider, wallet } = chainWith(ganacheOptions('berlin'));
    const factory = new ContractFactory(WardRegistry.abi, WardRegistry.bytecode, wallet);
    const contract = await factory.deploy(publicKeyOf(wallet), randomBytes32(), { gasPrice: 0 });
    await contract.waitForDeployment();
    expect(await provider.getCode(await contract.getAddress())).toBe(WardRegistry.deployedBytecode);
    expect(await provider.getBalance(wallet.address)).toBe(0n);
  });

  it('berlin refuses type 2 transactions (EIP-1559 is not active)', async () => {
    const { wallet } = chainWith(ganacheOptions('berlin'));
    expect(await sendError(wallet, { type: 2, maxFeePerGas: 0, maxPriorityFeePerGas: 0 })).toMatch(/EIP 1559 is not activated/);
  });
});
