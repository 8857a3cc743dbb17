import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AbiCoder, ZeroAddress, ZeroHash, keccak256, type Wallet } from 'ethers';
import { WardContracts } from '../../../electron/core/chain/wardContracts';
import {
  Role,
  as,
  blockTimestamp,
  deployWard,
  enrol,
  eventsOf,
  expectRevert,
  loadArtifacts,
  publicKeyOf,
  randomBytes32,
  send,
  startChain,
  type TestChain,
  type Ward,
} from './chain';

type Artifacts = Awaited<ReturnType<typeof loadArtifacts>>;

/** Leaves as the lead's batches may encode them: record id and a salted content commitment. */
const LEAF_ENCODING = ['bytes32', 'bytes32'];

function batchTree(size: number): StandardMerkleTree<[string, string]> {
  const values = Array.from({ length: size }, () => [randomBytes32(), randomBytes32()] as [string, string]);
  return StandardMerkleTree.of(values, LEAF_ENCODING);
}

describe('RecordAnchors (berlin, zero gas price, unfunded senders)', () => {
  let artifacts: Artifacts;
  let chain: TestChain;
  let ward: Ward;
  let doctor: Wallet;

  beforeAll(async () => {
    artifacts = await loadArtifacts();
    chain = await startChain('berlin-zero-gas');
  });
  afterAll(async () => chain.close());
  beforeEach(async () => {
    ward = await deployWard(chain, artifacts);
    doctor = await enrol(chain, ward, Role.Doctor);
  });

  it('anchors a root with its submitter, time, block and size, and counts batches', async () => {
    const tree = batchTree(5);
    const anchors = as(ward.anchors, doctor);
    expect(await anchors.anchorBatch.staticCall(tree.root, 5)).toBe(1n);
    const receipt = await send(anchors, 'anchorBatch', tree.root, 5);

    expect(eventsOf(receipt, ward.anchors, 'BatchAnchored').map((a) => a.toArray())).toEqual([
      [1n, tree.root, doctor.address, 5n],
    ]);
    const anchor = await ward.anchors.anchorOf(tree.root);
    expect(anchor.toArray()).toEqual([
      1n,
      doctor.address,
      BigInt(await blockTimestamp(chain, receipt.blockNumber)),
      BigInt(receipt.blockNumber),
      5n,
    ]);
    expect(await ward.anchors.batchCount()).toBe(1n);
    expect(await ward.anchors.rootOf(1)).toBe(tree.root);

    const second = batchTree(2);
    await send(anchors, 'anchorBatch', second.root, 2);
    expect(await ward.anchors.batchCount()).toBe(2n);
    expect((await ward.anchors.anchorOf(second.root)).batchId).toBe(2n);
    expect(await ward.anchors.rootOf(2)).toBe(second.root);
  });

  it('reports an unknown root as all zero and an unknown batch id as an error', async () => {
    expect((await ward.anchors.anchorOf(randomBytes32())).toArray()).toEqual([0n, ZeroAddress, 0n, 0n, 0n]);
    await expectRevert(ward.anchors.rootOf(0), ward.anchors, 'UnknownBatch', [0n]);
    await expectRevert(ward.anchors.rootOf(1), ward.anchors, 'UnknownBatch', [1n]);
  });

  it('lets Doctors, Nurses and ITAdmins anchor', async () => {
    const nurse = await enrol(chain, ward, Role.Nurse);
    for (const submitter of [doctor, nurse, ward.admin]) {
      const root = batchTree(3).root;
      await send(as(ward.anchors, submitter), 'anchorBatch', root, 3);
      expect((await ward.anchors.anchorOf(root)).submitter).toBe(submitter.address);
    }
  });

  it('lets an IT admin add and remove an anchoring station; nobody else may', async () => {
    const station = await chain.newWallet();
    const root = batchTree(2).root;
    await expectRevert(as(ward.anchors, station).anchorBatch(root, 2), ward.anchors, 'NotAuthorised', [station.address]);
    await expectRevert(as(ward.anchors, doctor).addStation(station.address), ward.anchors, 'NotITAdmin', [doctor.address]);
    const added = await send(as(ward.anchors, ward.admin), 'addStation', station.address);
    const log = added.logs.map((l) => ward.anchors.interface.parseLog(l)).find((l) => l?.name === 'StationAdded');
    expect(log?.args.toArray()).toEqual([station.address, ward.admin.address]);
    expect(await ward.anchors.isStation(station.address)).toBe(true);
    await send(as(ward.anchors, station), 'anchorBatch', root, 2);
    expect((await ward.anchors.anchorOf(root)).submitter).toBe(station.address);
    await send(as(ward.anchors, ward.admin), 'removeStation', station.address);
    const next = batchTree(2).root;
    await expectRevert(as(ward.anchors, station).anchorBatch(next, 2), ward.anchors, 'NotAuthorised', [station.address]);
  });

  it('refuses patients, insurers, strangers, pending and revoked staff', async () => {
    const refused: Wallet[] = [await enrol(chain, ward, Role.Patient), await enrol(chain, ward, Role.Insurer), await chain.newWallet()];
    const pending = await chain.newWallet();
    await send(as(ward.registry, pending), 'requestRegistration', Role.Nurse, publicKeyOf(pending), randomBytes32());
    const revoked = await enrol(chain, ward, Role.Doctor);
    await send(ward.registry, 'revoke', revoked.address);
    refused.push(pending, revoked);

    const root = batchTree(2).root;
    for (const caller of refused) {
      await expectRevert(as(ward.anchors, caller).anchorBatch(root, 2), ward.anchors, 'NotAuthorised', [caller.address]);
    }
    expect(await ward.anchors.batchCount()).toBe(0n);
  });

  it('refuses an empty batch and a second anchor of the same root', async () => {
    const anchors = as(ward.anchors, doctor);
    const root = batchTree(4).root;
    await expectRevert(anchors.anchorBatch(ZeroHash, 4), ward.anchors, 'EmptyBatch');
    await expectRevert(anchors.anchorBatch(root, 0), ward.anchors, 'EmptyBatch');
    await send(anchors, 'anchorBatch', root, 4);
    await expectRevert(anchors.anchorBatch(root, 4), ward.anchors, 'AlreadyAnchored', [root]);
    await expectRevert(as(ward.anchors, ward.admin).anchorBatch(root, 9), ward.anchors, 'AlreadyAnchored', [root]);
    expect((await ward.anchors.anchorOf(root)).submitter).toBe(doctor.address);
  });

  it("the ward's reader of BatchAnchored logs: every field as the contract stored it, and by root only the roots asked for", async () => {
    const anchors = as(ward.anchors, doctor);
    const trees = [batchTree(2), batchTree(3), batchTree(70_000)];
    const blocks: number[] = [];
    for (const [i, tree] of trees.entries()) blocks.push((await send(anchors, 'anchorBatch', tree.root, [2, 3, 70_000][i]!)).blockNumber);
    const reader = new WardContracts(String(ward.anchors.target), String(ward.ledger.target), chain.provider);
    const all = await reader.batchesAnchored(blocks[0]!, blocks[2]!);
    expect(all).toHaveLength(3);
    for (const [i, tree] of trees.entries()) {
      const stored = await ward.anchors.anchorOf(tree.root);
      expect(all[i]).toMatchObject({ batchId: Number(stored.batchId), root: tree.root.toLowerCase(), submitter: stored.submitter, leafCount: Number(stored.leafCount), block: Number(stored.blockNumber) });
    }
    // A root never anchored, and one outside the range, are not there; the one asked for is.
    const byRoot = await reader.batchesWithRoots([trees[1]!.root, randomBytes32(), trees[2]!.root], blocks[0]!, blocks[1]!);
    expect(byRoot.map((b) => b.root)).toEqual([trees[1]!.root.toLowerCase()]);
    expect(await reader.batchesWithRoots([], blocks[0]!, blocks[2]!)).toEqual([]);
  });

  describe('verifyLeaf', () => {
    it('accepts every leaf of anchored StandardMerkleTrees of many shapes', async () => {
      for (const size of [1, 2, 3, 5, 8, 13]) {
        const tree = batchTree(size);
        await send(as(ward.anchors, doctor), 'anchorBatch', tree.root, size);
        for (const [i, value] of tree.entries()) {
          expect(await ward.anchors.verifyLeaf(tree.root, tree.getProof(i), tree.leafHash(value))).toBe(true);
        }
      }
    });

    it('rejects a wrong proof, a foreign leaf, a single-hashed leaf and an unanchored root', async () => {
      const tree = batchTree(6);
      await send(as(ward.anchors, doctor), 'anchorBatch', tree.root, 6);
      const value = tree.at(2)!;
      const leaf = tree.leafHash(value);
      const proof = tree.getProof(2);

      expect(await ward.anchors.verifyLeaf(tree.root, tree.getProof(3), leaf)).toBe(false);
      expect(await ward.anchors.verifyLeaf(tree.root, [...proof.slice(0, -1), randomBytes32()], leaf)).toBe(false);
      expect(await ward.anchors.verifyLeaf(tree.root, proof.slice(1), leaf)).toBe(false);
      expect(await ward.anchors.verifyLeaf(tree.root, proof, batchTree(1).leafHash([randomBytes32(), randomBytes32()]))).toBe(false);
      // The leaf must be double-hashed; the single keccak256(abi.encode(...)) does not verify.
      const singleHashed = keccak256(AbiCoder.defaultAbiCoder().encode(LEAF_ENCODING, value));
      expect(keccak256(singleHashed)).toBe(leaf);
      expect(await ward.anchors.verifyLeaf(tree.root, proof, singleHashed)).toBe(false);

      const unanchored = batchTree(6);
      expect(await ward.anchors.verifyLeaf(unanchored.root, unanchored.getProof(0), unanchored.leafHash(unanchored.at(0)!))).toBe(false);
    });

    it('accepts an inner node with a shortened proof: verifiers must hash the leaf themselves', async () => {
      const tree = batchTree(4);
      await send(as(ward.anchors, doctor), 'anchorBatch', tree.root, 4);
      // Array layout of the tree: [root, inner1, inner2, leaves...]; inner1's sibling is inner2.
      const [, inner1, inner2] = tree.dump().tree;
      expect(await ward.anchors.verifyLeaf(tree.root, [inner2], inner1)).toBe(true);
    });
  });
});
