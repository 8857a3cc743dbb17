import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { Wallet, hexlify, randomBytes } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeafFields } from '../../../electron/core/crypto/merkle';
import { LEAF_ENCODING, buildBatch, computeRoot, layoutLeafIs, leafHash, leafHashOrNull, verifiedLayoutLeaves, verifyInclusion } from '../../../electron/core/crypto/merkle';

const authors = [Wallet.createRandom().address, Wallet.createRandom().address];

function randomLeaf(i: number): LeafFields {
  return {
    recordId: hexlify(randomBytes(32)),
    patientRef: hexlify(randomBytes(32)),
    commitment: hexlify(randomBytes(32)),
    author: authors[i % 2],
    createdAt: 1_760_000_000_000 + i,
  };
}
const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => randomLeaf(i));
const ozValue = (l: LeafFields) => [l.recordId, l.patientRef, l.commitment, l.author, BigInt(l.createdAt)];

describe('merkle batches', () => {
  it('every proof verifies, for odd and even sizes', () => {
    for (const n of [1, 2, 3, 7, 64]) {
      const leaves = leavesOf(n);
      const batch = buildBatch(leaves);
      expect(batch.proofs.size).toBe(n);
      for (const leaf of leaves) expect(verifyInclusion(batch.root, leaf, batch.proofs.get(leaf.recordId)!)).toBe(true);
    }
  });

  it('matches OpenZeppelin StandardMerkleTree: same root, interchangeable proofs (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), (n) => {
        const leaves = leavesOf(n);
        const batch = buildBatch(leaves);
        const oz = StandardMerkleTree.of(leaves.map(ozValue), LEAF_ENCODING);
        expect(batch.root).toBe(oz.root);
        expect(computeRoot(leaves)).toBe(oz.root);
        leaves.forEach((leaf, i) => {
          const mine = batch.proofs.get(leaf.recordId)!;
          expect(mine).toEqual(oz.getProof(i));
          expect(StandardMerkleTree.verify(batch.root, LEAF_ENCODING, ozValue(leaf), mine)).toBe(true);
        });
      }),
      { numRuns: 15 },
    );
  });

  it('the OpenZeppelin dump loads and validates in StandardMerkleTree', () => {
    const leaves = leavesOf(9);
    const batch = buildBatch(leaves);
    const loaded = StandardMerkleTree.load(batch.toStandardTreeData()); // load() re-hashes every leaf
    expect(loaded.root).toBe(batch.root);
    expect(JSON.parse(JSON.stringify(batch.toStandardTreeData())).tree[0]).toBe(batch.root);
  });

  it("an OpenZeppelin tree's stored layout is checked once against its root, then each leaf is found at its place", () => {
    for (const n of [1, 2, 3, 8, 37]) {
      const leaves = leavesOf(n);
      const oz = StandardMerkleTree.of(leaves.map(ozValue), LEAF_ENCODING);
      const dump = oz.dump();
      const nodes = Buffer.concat(dump.tree.map((h) => Buffer.from(h.slice(2), 'hex')));
      const checked = verifiedLayoutLeaves(oz.root, nodes)!;
      expect(checked).not.toBeNull();
      expect(checked.length).toBe(n * 32);
      dump.values.forEach((v, i) => {
        // The store's leaf index: the place from the end of the layout (storage/merkleTrees.leafIndexes).
        const leafIndex = dump.tree.length - 1 - v.treeIndex;
        const mine = leafHashOrNull(leaves[i]!)!;
        expect('0x' + Buffer.from(mine).toString('hex')).toBe(oz.leafHash(v.value));
        expect(layoutLeafIs(checked, leafIndex, mine)).toBe(true);
        if (n > 1) expect(layoutLeafIs(checked, (leafIndex + 1) % n, mine)).toBe(false);
      });
      expect(layoutLeafIs(checked, n, leafHashOrNull(leaves[0]!)!)).toBe(false);
      // Any node altered, or another root: the layout vouches for nothing.
      for (let node = 0; node < dump.tree.length; node++) {
        const altered = Buffer.from(nodes);
        altered[node * 32 + 5] ^= 0x01;
        expect(verifiedLayoutLeaves(oz.root, altered)).toBeNull();
      }
      expect(verifiedLayoutLeaves(computeRoot(leavesOf(n)), nodes)).toBeNull();
      expect(verifiedLayoutLeaves(oz.root, nodes.subarray(0, nodes.length - 32))).toBeNull();
    }
    expect(leafHashOrNull({ ...randomLeaf(0), author: 'not an address' })).toBeNull();
  });

  it('a wrong leaf, a wrong proof or a wrong root fails', () => {
    const leaves = leavesOf(10);
    const batch = buildBatch(leaves);
    const leaf = leaves[3];
    const proof = batch.proofs.get(leaf.recordId)!;
    const altered: Partial<LeafFields>[] = [
      { recordId: hexlify(randomBytes(32)) },
      { patientRef: hexlify(randomBytes(32)) },
      { commitment: hexlify(randomBytes(32)) },
      { author: authors[1] === leaf.author ? authors[0] : authors[1] },
      { createdAt: BigInt(leaf.createdAt) + 1n },
    ];
    for (const change of altered) expect(verifyInclusion(batch.root, { ...leaf, ...change }, proof)).toBe(false);
    expect(verifyInclusion(batch.root, leaf, batch.proofs.get(leaves[4].recordId)!)).toBe(false);
    expect(verifyInclusion(batch.root, leaf, proof.slice(1))).toBe(false);
    expect(verifyInclusion(batch.root, leaf, [...proof].reverse())).toBe(false);
    expect(verifyInclusion(hexlify(randomBytes(32)), leaf, proof)).toBe(false);
    // A bare inner node is not accepted as a leaf (double-hashed leaves, no 64-byte leaf confusion).
    expect(verifyInclusion(batch.root, { ...leaf, recordId: proof[0] }, proof.slice(1))).toBe(false);
  });

  it('malformed input to verifyInclusion returns false without throwing', () => {
    const leaves = leavesOf(4);
    const batch = buildBatch(leaves);
    const proof = batch.proofs.get(leaves[0].recordId)!;
    expect(verifyInclusion('0x12', leaves[0], proof)).toBe(false);
    expect(verifyInclusion(batch.root, leaves[0], ['zz'])).toBe(false);
    expect(verifyInclusion(batch.root, leaves[0], null as unknown as string[])).toBe(false);
    expect(verifyInclusion(batch.root, null as unknown as LeafFields, proof)).toBe(false);
    expect(verifyInclusion(batch.root, { ...leaves[0], createdAt: -1 }, proof)).toBe(false);
  });

  it('rejects an empty batch, a repeated record and malformed leaves', () => {
    expect(() => buildBatch([])).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    const leaf = randomLeaf(0);
    expect(() => buildBatch([leaf, { ...leaf, commitment: hexlify(randomBytes(32)) }])).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => buildBatch([{ ...leaf, author: '0x1234' }])).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => buildBatch([{ ...leaf, commitment: '0x00' }])).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => buildBatch([{ ...leaf, createdAt: 2n ** 64n }])).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });

  it('leafHash is the double-hashed standard leaf', () => {
    const leaf = randomLeaf(1);
    expect(buildBatch([leaf]).root).toBe(leafHash(leaf));
    expect(StandardMerkleTree.of([ozValue(leaf)], LEAF_ENCODING).leafHash(ozValue(leaf))).toBe(leafHash(leaf));
  });
});
