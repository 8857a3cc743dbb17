/**
 * ConsortiumDirectory on a real chain (in-process ganache, zero gas price, unfunded senders as on
 * a Besu free-gas network): admins, wards, recipients, the checks on keys and names, and an event
 * for every change.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZeroAddress, keccak256, type Contract, type InterfaceAbi, type Wallet } from 'ethers';
import { as, deploy, eventsOf, expectRevert, loadArtifacts, publicKeyOf, send, startChain, type TestChain } from './chain';

type Artifacts = Awaited<ReturnType<typeof loadArtifacts>>;

async function deployDirectory(artifacts: Artifacts, admin: Wallet): Promise<Contract> {
  return (await deploy(artifacts.ConsortiumDirectory as unknown as { abi: InterfaceAbi; bytecode: string }, admin, [])).contract;
}

describe('ConsortiumDirectory', () => {
  let artifacts: Artifacts;
  let chain: TestChain;
  let admin: Wallet;
  let directory: Contract;
  let wardA: Wallet;
  let teamA: Wallet;

  beforeAll(async () => {
    artifacts = await loadArtifacts();
    chain = await startChain('berlin-zero-gas');
  });
  afterAll(async () => chain.close());
  beforeEach(async () => {
    admin = await chain.newWallet();
    directory = await deployDirectory(artifacts, admin);
    wardA = await chain.newWallet();
    teamA = await chain.newWallet();
  });

  it('starts with its deployer as the only admin, with an event', async () => {
    expect(await directory.isAdmin(admin.address)).toBe(true);
    expect(await directory.adminCount()).toBe(1n);
    const logs = await directory.queryFilter(directory.filters.AdminAdded!(), 0, 'latest');
    expect(logs.map((l) => (l as unknown as { args: { toArray(): unknown[] } }).args.toArray())).toEqual([[admin.address, admin.address]]);
  });

  it('adds, updates and removes a ward, with an event for each change', async () => {
    const added = await send(directory, 'addWard', wardA.address, 'Ward 7B Cardiology', publicKeyOf(wardA), publicKeyOf(teamA));
    expect(eventsOf(added, directory, 'WardAdded').map((a) => a.toArray())).toEqual([
      [wardA.address, 'Ward 7B Cardiology', publicKeyOf(wardA), publicKeyOf(teamA), admin.address],
    ]);
    expect(await directory.isActiveWard(wardA.address)).toBe(true);
    const entry = await directory.ward(wardA.address);
    expect([entry.name, entry.syncPublicKey, entry.teamPublicKey, entry.activeSince, entry.removedAt]).toEqual([
      'Ward 7B Cardiology',
      publicKeyOf(wardA),
      publicKeyOf(teamA),
      BigInt(added.blockNumber),
      0n,
    ]);
    expect(await directory.wardCount()).toBe(1n);
    expect(await directory.wardAt(0)).toBe(wardA.address);

    const newTeam = await chain.newWallet();
    const updated = await send(directory, 'updateWard', wardA.address, 'Ward 7B', publicKeyOf(newTeam));
    expect(eventsOf(updated, directory, 'WardUpdated').map((a) => a.toArray())).toEqual([[wardA.address, 'Ward 7B', publicKeyOf(newTeam), admin.address]]);
    expect((await directory.ward(wardA.address)).teamPublicKey).toBe(publicKeyOf(newTeam));

    const removed = await send(directory, 'removeWard', wardA.address);
    expect(eventsOf(removed, directory, 'WardRemoved').map((a) => a.toArray())).toEqual([[wardA.address, admin.address]]);
    expect(await directory.isActiveWard(wardA.address)).toBe(false);
    expect((await directory.ward(wardA.address)).removedAt).toBe(BigInt(removed.blockNumber));
    await expectRevert(directory.removeWard(wardA.address), directory, 'UnknownWard', [wardA.address]);
    await expectRevert(directory.updateWard(wardA.address, 'x', publicKeyOf(teamA)), directory, 'UnknownWard', [wardA.address]);

    // Re-adding starts a new period of membership; the list of accounts does not grow.
    const readded = await send(directory, 'addWard', wardA.address, 'Ward 7B', publicKeyOf(wardA), publicKeyOf(newTeam));
    expect(await directory.isActiveWard(wardA.address)).toBe(true);
    expect((await directory.ward(wardA.address)).activeSince).toBe(BigInt(readded.blockNumber));
    expect(await directory.wardCount()).toBe(1n);
    await expectRevert(directory.wardAt(1), directory, 'IndexOutOfBounds', [1n, 1n]);
  });

  it('checks that the sync key is the account\'s own, that keys are 64 bytes, and the name', async () => {
    const other = await chain.newWallet();
    await expectRevert(directory.addWard(wardA.address, 'Ward', publicKeyOf(other), publicKeyOf(teamA)), directory, 'InvalidPublicKey');
    await expectRevert(directory.addWard(wardA.address, 'Ward', publicKeyOf(wardA), '0x' + '11'.repeat(63)), directory, 'InvalidPublicKey');
    await expectRevert(directory.addWard(wardA.address, 'Ward', '0x04' + publicKeyOf(wardA).slice(2), publicKeyOf(teamA)), directory, 'InvalidPublicKey');
    await expectRevert(directory.addWard(wardA.address, '', publicKeyOf(wardA), publicKeyOf(teamA)), directory, 'InvalidName');
    await expectRevert(directory.addWard(wardA.address, 'x'.repeat(97), publicKeyOf(wardA), publicKeyOf(teamA)), directory, 'InvalidName');
    await expectRevert(directory.addWard(ZeroAddress, 'Ward', publicKeyOf(wardA), publicKeyOf(teamA)), directory, 'ZeroAddress');
    await send(directory, 'addWard', wardA.address, 'x'.repeat(96), publicKeyOf(wardA), publicKeyOf(teamA));
    await expectRevert(directory.addWard(wardA.address, 'Ward', publicKeyOf(wardA), publicKeyOf(teamA)), directory, 'AlreadyWard', [wardA.address]);
  });

  it('lets only admins change admins and wards, and always keeps an admin', async () => {
    const stranger = await chain.newWallet();
    const asStranger = as(directory, stranger);
    await expectRevert(asStranger.addWard(wardA.address, 'Ward', publicKeyOf(wardA), publicKeyOf(teamA)), directory, 'NotAdmin', [stranger.address]);
    await expectRevert(asStranger.addAdmin(stranger.address), directory, 'NotAdmin', [stranger.address]);
    await send(directory, 'addWard', wardA.address, 'Ward', publicKeyOf(wardA), publicKeyOf(teamA));
    await expectRevert(as(directory, wardA).removeWard(wardA.address), directory, 'NotAdmin', [wardA.address]);
    await expectRevert(asStranger.updateWard(wardA.address, 'Ward', publicKeyOf(teamA)), directory, 'NotAdmin', [stranger.address]);

    const second = await chain.newWallet();
    const addedAdmin = await send(directory, 'addAdmin', second.address);
    expect(eventsOf(addedAdmin, directory, 'AdminAdded').map((a) => a.toArray())).toEqual([[second.address, admin.address]]);
    await expectRevert(directory.addAdmin(second.address), directory, 'AlreadyAdmin', [second.address]);
    await expectRevert(directory.addAdmin(ZeroAddress), directory, 'ZeroAddress');
    expect(await directory.adminCount()).toBe(2n);
    await expectRevert(directory.removeAdmin(admin.address), directory, 'CannotRemoveSelf');
    const removedAdmin = await send(as(directory, second), 'removeAdmin', admin.address);
    expect(eventsOf(removedAdmin, directory, 'AdminRemoved').map((a) => a.toArray())).toEqual([[admin.address, second.address]]);
    expect(await directory.isAdmin(admin.address)).toBe(false);
    expect(await directory.adminCount()).toBe(1n);
    await expectRevert(as(directory, second).removeAdmin(stranger.address), directory, 'UnknownAdmin', [stranger.address]);
    await expectRevert(directory.removeWard(wardA.address), directory, 'NotAdmin', [admin.address]);
  });

  it('lets an active ward register its recipients, withdrawn by the ward or an admin, and ignored once the ward is removed', async () => {
    const clinician = await chain.newWallet();
    const key = publicKeyOf(clinician);
    const keyHash = keccak256(key);
    await expectRevert(as(directory, wardA).addRecipient(key, 'Grace Hopper (doctor)'), directory, 'NotActiveWard', [wardA.address]);
    await send(directory, 'addWard', wardA.address, 'Ward A', publicKeyOf(wardA), publicKeyOf(teamA));
    const wardB = await chain.newWallet();
    await send(directory, 'addWard', wardB.address, 'Ward B', publicKeyOf(wardB), publicKeyOf(await chain.newWallet()));

    const added = await send(as(directory, wardA), 'addRecipient', key, 'Grace Hopper (doctor)');
    expect(eventsOf(added, directory, 'RecipientAdded').map((a) => a.toArray())).toEqual([[wardA.address, keyHash, key, 'Grace Hopper (doctor)']]);
    await expectRevert(as(directory, wardB).addRecipient(publicKeyOf(await chain.newWallet()), ''), directory, 'InvalidName');
    expect(await directory.recipientWard(keyHash)).toBe(wardA.address);
    await expectRevert(as(directory, wardB).addRecipient(key, 'Grace Hopper (doctor)'), directory, 'AlreadyRecipient', [keyHash]);
    await expectRevert(as(directory, wardA).addRecipient('0x1234', 'Grace Hopper (doctor)'), directory, 'InvalidPublicKey');
    await expectRevert(as(directory, wardB).removeRecipient(keyHash), directory, 'UnknownRecipient', [keyHash]);

    const removed = await send(as(directory, wardA), 'removeRecipient', keyHash);
    expect(eventsOf(removed, directory, 'RecipientRemoved').map((a) => a.toArray())).toEqual([[wardA.address, keyHash, wardA.address]]);
    expect(await directory.recipientWard(keyHash)).toBe(ZeroAddress);

    await send(as(directory, wardA), 'addRecipient', key, 'Grace Hopper (doctor)');
    const byAdmin = await send(directory, 'removeRecipient', keyHash);
    expect(eventsOf(byAdmin, directory, 'RecipientRemoved').map((a) => a.toArray())).toEqual([[wardA.address, keyHash, admin.address]]);

    await send(as(directory, wardA), 'addRecipient', key, 'Grace Hopper (doctor)');
    await send(directory, 'removeWard', wardA.address);
    expect(await directory.recipientWard(keyHash)).toBe(ZeroAddress);
  });
});
