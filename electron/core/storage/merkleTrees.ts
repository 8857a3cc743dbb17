/**
 * Merkle trees stored once per batch instead of one proof per record.
 *
 * A station batch of 1,000 readings gives each reading a 10-hash proof (320 bytes as bytes, 0.7 KB
 * as hex in today's log) — the largest part of a reading after its ciphertext. The tree itself, in
 * OpenZeppelin's StandardMerkleTree array layout (crypto/merkle.ts), is 2n − 1 nodes of 32 bytes:
 * 64 bytes per leaf, and any leaf's proof is read from it without hashing (its siblings up to the
 * root). Each record keeps its leaf index in the tree.
 *
 * The tree is two entries: a small header (root, leaf count, the batch signature if any), read
 * with every record of the batch, and the nodes, read only when a proof is actually needed (a
 * record not verified before), so reading a window does not pull in every batch's whole tree.
 *
 * A tree whose leaves cannot be laid out again (a migrated batch that was written only in part, or
 * whose records were altered after signing) is kept as the proofs the records carried ("proofs"
 * form), so verification reports exactly what it reported before the migration.
 *
 * Header: b form (1 layout, 2 proofs), b flags (1 = batch signature), 32 root, v leaves,
 *         [v signedCount, v signedAt, 65 signature].
 * Nodes:  layout: (2·leaves − 1) × 32 bytes | proofs: per leaf v depth, depth × 32 bytes.
 *         A layout of one leaf is its root alone (the leaf is the root, its proof empty): no nodes
 *         entry is stored for it (a reading recorded alone, one a minute per bed), and its nodes
 *         are read as the header's root (stores written before keep the entry; both read alike).
 */
import { WardError } from '../model/errors';
import type { StoredRecord } from './storedRecord';
import { ByteReader, ByteWriter, damagedEntry, isCanonicalHex } from './bytes';

/** The batch signature over a tree's root (device batches signed by the station key). */
export interface TreeSignature {
  count: number;
  createdAt: number;
  signature: string;
}

export interface TreeInput {
  root: string;
  /** StandardMerkleTree layout as 0x hex nodes (MerkleBatch.toStandardTreeData().tree). */
  nodes?: string[];
  /** Or, for trees that cannot be laid out again: each leaf's proof, by leaf index. */
  proofs?: string[][];
  signature?: TreeSignature;
}

export interface TreeHeader {
  form: 'layout' | 'proofs';
  root: string;
  leaves: number;
  signature: TreeSignature | null;
}

const FORM_LAYOUT = 1;
const FORM_PROOFS = 2;
const F_SIGNED = 1;

/**
 * The batch signature a record read with this signature tree's header carries, with its proof (a
 * record read without proofs: []); undefined for a tree no one signed.
 */
export function batchSignatureOf(header: TreeHeader | null | undefined, proof: string[]): StoredRecord['batchSignature'] {
  const s = header?.signature;
  return s ? { root: header.root, count: s.count, createdAt: s.createdAt, signature: s.signature, proof } : undefined;
}

/** The header, and the nodes entry — null for a one-leaf layout, which is its root alone (oneLeafNodes). */
export function encodeTree(t: TreeInput): { header: Buffer; nodes: Buffer | null } {
  if (!isCanonicalHex(t.root, 32)) throw new WardError('INTERNAL', 'A Merkle root must be 32 bytes of lowercase hex.');
  if (!t.nodes === !t.proofs) throw new WardError('INTERNAL', 'A stored tree needs its layout or its proofs.');
  const leaves = t.nodes ? (t.nodes.length + 1) / 2 : t.proofs!.length;
  if (!Number.isInteger(leaves) || leaves < 1) throw new WardError('INTERNAL', 'A Merkle tree layout has 2n − 1 nodes.');
  const header = new ByteWriter(128)
    .u8(t.nodes ? FORM_LAYOUT : FORM_PROOFS)
    .u8(t.signature ? F_SIGNED : 0)
    .hex(t.root)
    .varint(leaves);
  if (t.signature) {
    if (!isCanonicalHex(t.signature.signature, 65)) throw new WardError('INTERNAL', 'A batch signature must be 65 bytes of lowercase hex.');
    header.varint(t.signature.count).varint(t.signature.createdAt).hex(t.signature.signature);
  }
  const nodes = new ByteWriter(leaves * 64);
  if (t.nodes) {
    if (t.nodes[0]!.toLowerCase() !== t.root) throw new WardError('INTERNAL', 'A Merkle tree layout must start with its root.');
    for (const n of t.nodes) {
      if (!isCanonicalHex(n.toLowerCase(), 32)) throw new WardError('INTERNAL', 'A tree node must be 32 bytes of hex.');
      nodes.hex(n.toLowerCase());
    }
  } else {
    for (const proof of t.proofs!) {
      nodes.varint(proof.length);
      for (const h of proof) {
        if (!isCanonicalHex(h, 32)) throw new WardError('INTERNAL', 'A proof hash must be 32 bytes of lowercase hex.');
        nodes.hex(h);
      }
    }
  }
  return { header: header.finish(), nodes: t.nodes && leaves === 1 ? null : nodes.finish() };
}

/** The nodes of a tree stored without a nodes entry: a one-leaf layout, whose only node is its root; else null. */
export function oneLeafNodes(header: TreeHeader): Uint8Array | null {
  return header.form === 'layout' && header.leaves === 1 ? Buffer.from(header.root.slice(2), 'hex') : null;
}

export function decodeTreeHeader(body: Uint8Array): TreeHeader {
  const r = new ByteReader(body);
  const form = r.u8();
  const flags = r.u8();
  if (form !== FORM_LAYOUT && form !== FORM_PROOFS) throw damagedEntry();
  const root = r.hex(32);
  const leaves = r.varint();
  const signature = flags & F_SIGNED ? { count: r.varint(), createdAt: r.varint(), signature: r.hex(65) } : null;
  r.end();
  return { form: form === FORM_LAYOUT ? 'layout' : 'proofs', root, leaves, signature };
}

/** Proof of one leaf: its siblings from the leaf up (sorted-leaf order for a layout). */
export type ProofReader = (leafIndex: number) => string[];

export function proofReader(header: TreeHeader, nodes: Uint8Array): ProofReader {
  const { leaves } = header;
  if (header.form === 'layout') {
    if (nodes.length !== (2 * leaves - 1) * 32) throw damagedEntry();
    // Nodes near the root are in every proof: each is turned into hex once.
    const hex: string[] = new Array(2 * leaves - 1);
    const node = (i: number) => (hex[i] ??= '0x' + Buffer.from(nodes.buffer, nodes.byteOffset + i * 32, 32).toString('hex'));
    return (leafIndex) => {
      if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= leaves) return [];
      const proof: string[] = [];
      for (let i = 2 * leaves - 2 - leafIndex; i > 0; i = (i - 1) >> 1) proof.push(node(i % 2 === 1 ? i + 1 : i - 1));
      return proof;
    };
  }
  const r = new ByteReader(nodes);
  const proofs: string[][] = [];
  for (let i = 0; i < leaves; i++) {
    const depth = r.varint();
    const proof: string[] = [];
    for (let j = 0; j < depth; j++) proof.push(r.hex(32));
    proofs.push(proof);
  }
  r.end();
  return (leafIndex) => proofs[leafIndex] ?? [];
}

/**
 * Leaf index of each record in a tree laid out by crypto/merkle.buildBatch, by lowercase record id:
 * the StandardMerkleTree dump lists every value's tree index; a leaf's index is its place from the
 * end of the layout.
 */
export function leafIndexes(dump: { tree: string[]; values: Array<{ value: readonly string[]; treeIndex: number }> }): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of dump.values) out.set(v.value[0]!.toLowerCase(), dump.tree.length - 1 - v.treeIndex);
  return out;
}
