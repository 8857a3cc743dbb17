/**
 * Merkle batches of record anchors, bit-for-bit compatible with OpenZeppelin's
 * StandardMerkleTree (@openzeppelin/merkle-tree) and MerkleProof.sol.
 *
 * Leaf = keccak256(keccak256(abi.encode(recordId, patientRef, commitment, author, createdAt)))
 * with encoding ['bytes32','bytes32','bytes32','address','uint64']; node = keccak256 of the two
 * children sorted; leaves sorted by hash; array layout as StandardMerkleTree.of. So the root equals
 * StandardMerkleTree.of(values, LEAF_ENCODING).root, proofs verify with StandardMerkleTree.verify
 * and MerkleProof.verify, and `toStandardTreeData()` loads with StandardMerkleTree.load.
 *
 * Why not build with StandardMerkleTree directly: measured here, it takes ~1-2 s to build 5,000
 * leaves plus ~2.5-3 s to extract their proofs (generic ABI encoder, hex strings everywhere, and
 * every getProof re-hashes and re-verifies). All five leaf types are static, so abi.encode is
 * five 32-byte words; hashing the bytes directly (keccak.ts) does the same work in milliseconds.
 */
import type { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { getAddress } from 'ethers';
import { WardError } from '../model/errors';
import { bytesToHex, hexToBytes } from './hex';
import { keccak256Bytes } from './keccak';

export const LEAF_ENCODING = ['bytes32', 'bytes32', 'bytes32', 'address', 'uint64'];

/** Tuple form of a leaf as StandardMerkleTree holds it (createdAt as a decimal string). */
export type LeafValue = [string, string, string, string, string];
/** OpenZeppelin's 'standard-v1' dump format (the package does not export the type by name). */
export type StandardTreeData = ReturnType<StandardMerkleTree<LeafValue>['dump']>;

export interface LeafFields {
  /** bytes32 0x hex; unique within a batch. */
  recordId: string;
  /** bytes32 pseudonymous patient reference. */
  patientRef: string;
  /** bytes32 salted commitment (see commitment.ts). */
  commitment: string;
  /** Author address. */
  author: string;
  /** uint64 creation time. */
  createdAt: number | bigint;
}

export interface MerkleBatch {
  /** bytes32 root, 0x hex. */
  root: string;
  /** recordId (lowercase 0x hex) -> sibling hashes from leaf to root. */
  proofs: Map<string, string[]>;
  /** OpenZeppelin 'standard-v1' dump (for StandardMerkleTree.load / interop); built on demand. */
  toStandardTreeData(): StandardTreeData;
}

/**
 * Build the tree for a batch of leaves.
 * @throws WardError('BAD_INPUT') for an empty batch, malformed fields, or a repeated recordId.
 */
export function buildBatch(leaves: LeafFields[]): MerkleBatch {
  if (!Array.isArray(leaves) || leaves.length === 0) throw new WardError('BAD_INPUT', 'A Merkle batch needs at least one record.');
  const hashed = leaves.map((leaf, valueIndex) => ({ leaf, valueIndex, hash: leafHashBytes(leaf) }));
  hashed.sort((a, b) => compareBytes(a.hash, b.hash));

  const tree = layTree(hashed.map((h) => h.hash));
  const hexTree = tree.map(bytesToHex);
  const proofs = new Map<string, string[]>();
  const treeIndexOf: number[] = new Array(leaves.length);
  hashed.forEach((h, i) => {
    const treeIndex = tree.length - 1 - i;
    treeIndexOf[h.valueIndex] = treeIndex;
    const id = h.leaf.recordId.toLowerCase();
    if (proofs.has(id)) throw new WardError('BAD_INPUT', 'A record appears twice in one Merkle batch.');
    proofs.set(id, proofOf(hexTree, treeIndex));
  });

  return {
    root: hexTree[0],
    proofs,
    toStandardTreeData: () => ({
      format: 'standard-v1' as const,
      leafEncoding: LEAF_ENCODING,
      tree: hexTree,
      values: leaves.map((leaf, i) => ({ value: leafValue(leaf), treeIndex: treeIndexOf[i] })),
    }),
  };
}

/** True if `proof` proves `leaf` under `root`. Never throws for malformed input. */
export function verifyInclusion(root: string, leaf: LeafFields, proof: string[]): boolean {
  try {
    if (!Array.isArray(proof)) return false;
    let node = leafHashBytes(leaf);
    for (const sibling of proof) node = nodeHash(node, hexToBytes(sibling, 32));
    return bytesToHex(node) === bytesToHex(hexToBytes(root, 32));
  } catch {
    return false;
  }
}

/**
 * Root over `leaves` without building proofs: checks a whole received batch against its anchored
 * root with ~2 hashes per leaf, instead of ~log2(n) per leaf when checking every proof.
 * @throws WardError('BAD_INPUT') as buildBatch.
 */
export function computeRoot(leaves: LeafFields[]): string {
  if (!Array.isArray(leaves) || leaves.length === 0) throw new WardError('BAD_INPUT', 'A Merkle batch needs at least one record.');
  return bytesToHex(layTree(leaves.map(leafHashBytes).sort(compareBytes))[0]);
}

/**
 * A tree over leaf hashes computed elsewhere (another leaf encoding, e.g. the consortium's share
 * roots), with the same layout and pair hashing as the record trees: `root`, and the proof of
 * each leaf hash (lowercase 0x hex) from leaf to root.
 * @throws WardError('BAD_INPUT') for an empty list or a repeated leaf.
 */
export function buildHashTree(leafHashes: Uint8Array[]): { root: string; proofs: Map<string, string[]> } {
  if (!Array.isArray(leafHashes) || leafHashes.length === 0) throw new WardError('BAD_INPUT', 'A Merkle tree needs at least one leaf.');
  const sorted = [...leafHashes].sort(compareBytes);
  const hexTree = layTree(sorted).map(bytesToHex);
  const proofs = new Map<string, string[]>();
  sorted.forEach((h, i) => {
    const key = bytesToHex(h);
    if (proofs.has(key)) throw new WardError('BAD_INPUT', 'A leaf appears twice in one Merkle tree.');
    proofs.set(key, proofOf(hexTree, hexTree.length - 1 - i));
  });
  return { root: hexTree[0], proofs };
}

/** The root reached from `leafHash` through `proof` (sorted-pair hashing), or null for malformed input. */
export function rootFromProof(leafHash: Uint8Array, proof: string[]): string | null {
  try {
    if (!Array.isArray(proof)) return null;
    let node = leafHash;
    for (const sibling of proof) node = nodeHash(node, hexToBytes(sibling, 32));
    return bytesToHex(node);
  } catch {
    return null;
  }
}

/**
 * Check a stored tree layout (StandardMerkleTree array order: 2n − 1 nodes of 32 bytes, root
 * first, sorted leaves last in reverse) against `root` with one hash per inner node: every inner
 * node must be the pair hash of its children and the first node the root. Then every leaf of the
 * layout is under the root, and a record's inclusion is a comparison with its leaf
 * (`layoutLeafIs`), not a walk of its proof. Returns the layout's leaves (n × 32 bytes, copied),
 * or null when the layout is malformed or does not hash up to the root.
 */
export function verifiedLayoutLeaves(root: string, nodes: Uint8Array): Uint8Array | null {
  try {
    if (nodes.length === 0 || nodes.length % 32 !== 0 || (nodes.length / 32) % 2 !== 1) return null;
    const count = nodes.length / 32;
    const at = (i: number) => nodes.subarray(i * 32, i * 32 + 32);
    if (!equalBytes(at(0), hexToBytes(root, 32))) return null;
    for (let i = (count - 1) / 2 - 1; i >= 0; i--) {
      if (!equalBytes(at(i), nodeHash(at(2 * i + 1), at(2 * i + 2)))) return null;
    }
    // A copy (Buffer.slice would be a view keeping the whole stored layout alive).
    return new Uint8Array(nodes.subarray(((count - 1) / 2) * 32));
  } catch {
    return null;
  }
}

/** Whether `leaf` is the layout leaf at `leafIndex` (its place from the end) of leaves returned by verifiedLayoutLeaves. */
export function layoutLeafIs(leaves: Uint8Array, leafIndex: number, leafHashOfRecord: Uint8Array): boolean {
  const n = leaves.length / 32;
  if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= n) return false;
  const at = (n - 1 - leafIndex) * 32;
  return equalBytes(leaves.subarray(at, at + 32), leafHashOfRecord);
}

/** The leaf hash as bytes, or null for malformed leaf fields (never throws). */
export function leafHashOrNull(leaf: LeafFields): Uint8Array | null {
  try {
    return leafHashBytes(leaf);
  } catch {
    return null;
  }
}

/** The OpenZeppelin standard leaf hash of one record anchor, bytes32 0x hex. */
export function leafHash(leaf: LeafFields): string {
  return bytesToHex(leafHashBytes(leaf));
}

// ---------------------------------------------------------------------------------------------

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function leafHashBytes(leaf: LeafFields): Uint8Array {
  if (typeof leaf !== 'object' || leaf === null) throw new WardError('BAD_INPUT', 'A Merkle leaf is missing.');
  // abi.encode of five static types: five left-padded 32-byte words.
  const encoded = new Uint8Array(5 * 32);
  encoded.set(hexToBytes(leaf.recordId, 32, 'record id'), 0);
  encoded.set(hexToBytes(leaf.patientRef, 32, 'patient reference'), 32);
  encoded.set(hexToBytes(leaf.commitment, 32, 'commitment'), 64);
  // Format check only, no EIP-55 checksum: that would cost one more keccak per leaf.
  if (typeof leaf.author !== 'string' || !ADDRESS.test(leaf.author)) throw new WardError('BAD_INPUT', 'A Merkle leaf has a malformed author address.');
  encoded.set(hexToBytes(leaf.author, 20, 'author'), 96 + 12);
  new DataView(encoded.buffer).setBigUint64(128 + 24, checkedUint64(leaf.createdAt));
  return keccak256Bytes(keccak256Bytes(encoded));
}

/** StandardMerkleTree's array layout: sorted leaves at the end in reverse, parents of i at (i-1)/2. */
function layTree(sortedLeafHashes: Uint8Array[]): Uint8Array[] {
  const n = sortedLeafHashes.length;
  const tree: Uint8Array[] = new Array(2 * n - 1);
  sortedLeafHashes.forEach((h, i) => (tree[tree.length - 1 - i] = h));
  for (let i = tree.length - 1 - n; i >= 0; i--) tree[i] = nodeHash(tree[2 * i + 1], tree[2 * i + 2]);
  return tree;
}

function nodeHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  const pair = new Uint8Array(64);
  if (compareBytes(a, b) <= 0) {
    pair.set(a, 0);
    pair.set(b, 32);
  } else {
    pair.set(b, 0);
    pair.set(a, 32);
  }
  return keccak256Bytes(pair);
}

function proofOf(hexTree: string[], index: number): string[] {
  const proof: string[] = [];
  while (index > 0) {
    proof.push(hexTree[index % 2 === 1 ? index + 1 : index - 1]);
    index = Math.floor((index - 1) / 2);
  }
  return proof;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function leafValue(leaf: LeafFields): LeafValue {
  return [leaf.recordId, leaf.patientRef, leaf.commitment, checkedAddress(leaf.author), checkedUint64(leaf.createdAt).toString()];
}

function checkedAddress(a: unknown): string {
  try {
    return getAddress(a as string);
  } catch {
    throw new WardError('BAD_INPUT', 'A Merkle leaf has a malformed author address.');
  }
}

function checkedUint64(t: unknown): bigint {
  if ((typeof t === 'number' && Number.isSafeInteger(t)) || typeof t === 'bigint') {
    const v = BigInt(t);
    if (v >= 0n && v < 1n << 64n) return v;
  }
  throw new WardError('BAD_INPUT', 'A Merkle leaf has a malformed creation time.');
}
