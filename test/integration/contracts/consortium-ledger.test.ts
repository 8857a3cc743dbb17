/**
 * ConsortiumLedger on a real chain (in-process ganache, zero gas price, unfunded senders): only an
 * active ward publishes; a batch id once per ward (enforced on chain); what is stored per batch;
 * payloads and grants as events; grants checked for size.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZeroHash, hexlify, randomBytes, type Contract, type InterfaceAbi, type Wallet } from 'ethers';
import { as, blockTimestamp, deploy, eventsOf, expectRevert, loadArtifacts, publicKeyOf, randomBytes32, send, startChain, type TestChain } from './chain';

type Artifacts = Awaited<ReturnType<typeof loadArtifacts>>;

async function deployed(artifact: { abi: unknown; bytecode: string }, signer: Wallet, args: unknown[] = []): Promise<Contract> {
  return (await deploy(artifact as { abi: InterfaceAbi; bytecode: string }, signer, args)).contract;
}

const grant = (n: number) => hexlify(randomBytes(n));

describe('ConsortiumLedger', () => {
  let artifacts: Artifacts;
  let chain: TestChain;
  let admin: Wallet;
  let directory: Contract;
  let ledger: Contract;
  let wardA: Wallet;
  let wardB: Wallet;

  beforeAll(async () => {
    artifacts = await loadArtifacts();
    chain = await startChain('berlin-zero-gas');
  });
  afterAll(async () => chain.close());
  beforeEach(async () => {
    admin = await chain.newWallet();
    directory = await deployed(artifacts.ConsortiumDirectory, admin);
    ledger = await deployed(artifacts.ConsortiumLedger, admin, [await directory.getAddress()]);
    wardA = await chain.newWallet();
    wardB = await chain.newWallet();
    for (const w of [wardA, wardB]) await send(directory, 'addWard', w.address, `Ward ${w.address.slice(2, 6)}`, publicKeyOf(w), publicKeyOf(await chain.newWallet()));
  });

  it('publishes a batch: stores root, count, bytes, block and time; emits the payload and each grant', async () => {
    const batchId = randomBytes32();
    const root = randomBytes32();
    const records = hexlify(randomBytes(700));
    const grants = [grant(65), grant(300)];
    const receipt = await send(as(ledger, wardA), 'publishBatch', batchId, root, 3, records, grants);

    expect(eventsOf(receipt, ledger, 'BatchPublished').map((a) => a.toArray())).toEqual([[wardA.address, batchId, root, 3n, records]]);
    expect(eventsOf(receipt, ledger, 'KeyGranted').map((a) => a.toArray())).toEqual(grants.map((g) => [wardA.address, g]));
    const stored = await ledger.batchOf(wardA.address, batchId);
    expect(stored.toArray()).toEqual([root, 3n, 700n, BigInt(receipt.blockNumber), BigInt(await blockTimestamp(chain, receipt.blockNumber))]);
    expect(await ledger.batchCount(wardA.address)).toBe(1n);
    expect((await ledger.batchOf(wardB.address, batchId)).root).toBe(ZeroHash);
  });

  it('accepts a batch id once per ward (a retry reverts), and the same id from another ward', async () => {
    const batchId = randomBytes32();
    await send(as(ledger, wardA), 'publishBatch', batchId, randomBytes32(), 1, '0x01', []);
    await expectRevert(as(ledger, wardA).publishBatch(batchId, randomBytes32(), 1, '0x02', []), ledger, 'AlreadyPublished', [wardA.address, batchId]);
    // Another ward cannot squat or block ward A's ids: ids are per ward.
    await send(as(ledger, wardB), 'publishBatch', batchId, randomBytes32(), 1, '0x03', []);
    expect(await ledger.batchCount(wardA.address)).toBe(1n);
    expect(await ledger.batchCount(wardB.address)).toBe(1n);
  });

  it('refuses empty batches and malformed grants', async () => {
    const w = as(ledger, wardA);
    await expectRevert(w.publishBatch(ZeroHash, randomBytes32(), 1, '0x01', []), ledger, 'EmptyBatch');
    await expectRevert(w.publishBatch(randomBytes32(), ZeroHash, 1, '0x01', []), ledger, 'EmptyBatch');
    await expectRevert(w.publishBatch(randomBytes32(), randomBytes32(), 0, '0x01', []), ledger, 'EmptyBatch');
    await expectRevert(w.publishBatch(randomBytes32(), randomBytes32(), 1, '0x', []), ledger, 'EmptyBatch');
    await expectRevert(w.publishBatch(randomBytes32(), randomBytes32(), 1, '0x01', [grant(65), grant(64)]), ledger, 'InvalidGrant', [1n]);
    await expectRevert(w.publishGrants([grant(8193)]), ledger, 'InvalidGrant', [0n]);
    await expectRevert(w.publishGrants([]), ledger, 'NoGrants');
    const receipt = await send(w, 'publishGrants', [grant(8192), grant(65)]);
    expect(eventsOf(receipt, ledger, 'KeyGranted')).toHaveLength(2);
  });

  it('lets only active wards publish: not an admin, a stranger, or a removed ward', async () => {
    const stranger = await chain.newWallet();
    for (const caller of [admin, stranger]) {
      await expectRevert(as(ledger, caller).publishBatch(randomBytes32(), randomBytes32(), 1, '0x01', []), ledger, 'NotActiveWard', [caller.address]);
      await expectRevert(as(ledger, caller).publishGrants([grant(65)]), ledger, 'NotActiveWard', [caller.address]);
    }
    const before = randomBytes32();
    await send(as(ledger, wardA), 'publishBatch', before, randomBytes32(), 1, '0x01', []);
    await send(directory, 'removeWard', wardA.address);
    await expectRevert(as(ledger, wardA).publishBatch(randomBytes32(), randomBytes32(), 1, '0x01', []), ledger, 'NotActiveWard', [wardA.address]);
    await expectRevert(as(ledger, wardA).publishGrants([grant(65)]), ledger, 'NotActiveWard', [wardA.address]);
    // What it published while a member stays.
    expect((await ledger.batchOf(wardA.address, before)).count).toBe(1n);
    expect(await ledger.directory()).toBe(await directory.getAddress());
  });
});
