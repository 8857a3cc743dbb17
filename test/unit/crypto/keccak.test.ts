import { keccak_256 } from '@noble/hashes/sha3.js';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { Wallet, hexlify, keccak256, randomBytes, toUtf8Bytes } from 'ethers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { fastKeccakActive, keccak256Bytes, useFastKeccak } from '../../../electron/core/crypto/keccak';
import { LEAF_ENCODING, buildBatch } from '../../../electron/core/crypto/merkle';

const hex = (b: Uint8Array) => hexlify(b);

describe('keccak256 (WebAssembly, registered with ethers)', () => {
  beforeAll(async () => {
    await useFastKeccak();
  });

  it('is active after useFastKeccak, and idempotent', async () => {
    expect(fastKeccakActive()).toBe(true);
    await useFastKeccak();
    expect(fastKeccakActive()).toBe(true);
  });

  it('gives the published Keccak-256 vectors', () => {
    expect(hex(keccak256Bytes(new Uint8Array(0)))).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(hex(keccak256Bytes(toUtf8Bytes('abc')))).toBe('0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
    expect(keccak256(toUtf8Bytes('abc'))).toBe('0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });

  it('agrees with the pure-JS reference on any input, directly and through ethers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (data) => {
        const reference = hex(keccak_256(data));
        expect(hex(keccak256Bytes(data))).toBe(reference);
        expect(keccak256(data)).toBe(reference);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps Merkle roots equal to OpenZeppelin StandardMerkleTree (its own keccak)', () => {
    const author = Wallet.createRandom().address;
    const leaves = Array.from({ length: 33 }, (_, i) => ({
      recordId: hexlify(randomBytes(32)),
      patientRef: hexlify(randomBytes(32)),
      commitment: hexlify(randomBytes(32)),
      author,
      createdAt: 1_760_000_000_000 + i,
    }));
    const oz = StandardMerkleTree.of(
      leaves.map((l) => [l.recordId, l.patientRef, l.commitment, l.author, BigInt(l.createdAt)]),
      LEAF_ENCODING,
    );
    expect(buildBatch(leaves).root).toBe(oz.root);
  });
});
