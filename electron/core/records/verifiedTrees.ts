/**
 * Batch trees checked once for all their records, instead of one proof walk per record (and two
 * for a station batch anchored whole: its batch signature and its anchor share the tree).
 *
 * A stored tree in layout form is checked by hashing it up to its root (one hash per inner node,
 * crypto/merkle.verifiedLayoutLeaves); its leaf hashes are then remembered, by tree and root, in
 * this process's memory (bounded by bytes). A record is in the tree when its own leaf hash (from
 * its fields as stored now) is the layout's leaf at its index: a record altered after the tree was
 * checked no longer matches and fails, named. A tree that does not hash up to its root, or one
 * kept as per-record proofs (migrated partial batches), is not vouched for here: its records are
 * checked proof by proof as before, so a damaged tree fails exactly the records it did before.
 */
import { layoutLeafIs, verifiedLayoutLeaves } from '../crypto/merkle';
import { ByteBoundedCache } from '../storage/boundedCache';
import type { TreePlace } from '../storage/recordBinary';
import type { WardStore } from '../storage/wardStore';

/** Leaf hashes of checked trees kept at most (32 bytes a leaf: 32 KB for a 1,000-reading batch). */
export const VERIFIED_TREE_BYTES = 16 * 1024 * 1024;

export class VerifiedTrees {
  /** `${treeNo}:${root}` → the layout's leaves, or null: the tree cannot vouch (proofs form, or it does not hash up). */
  private readonly checked = new ByteBoundedCache<string, Uint8Array | null>(VERIFIED_TREE_BYTES, (leaves) => 96 + (leaves?.length ?? 0));

  /**
   * Check the trees not checked yet (tree number → the root the records claim and how many proof
   * walks of the page would use it), reading each once. A tree is checked whole only where that
   * costs less than the proof walks it replaces (one hash per inner node against one per level per
   * walk): a patient's few readings scattered over big shared batches walk their proofs instead.
   */
  async prepare(store: WardStore, trees: Map<number, { root: string; walks: number }>): Promise<void> {
    for (const [treeNo, { root, walks }] of trees) {
      const k = `${treeNo}:${root.toLowerCase()}`;
      if (this.checked.get(k) !== undefined) continue;
      const { header } = await store.tree(treeNo);
      if (header.form === 'layout' && walks * Math.ceil(Math.log2(header.leaves + 1)) < header.leaves) continue;
      const leaves = header.form === 'layout' && header.root === root.toLowerCase() ? verifiedLayoutLeaves(root, (await store.treeNodes(treeNo)).nodes) : null;
      this.checked.set(k, leaves);
    }
  }

  /**
   * Whether the leaf is in the tree at `place` under `root`: true or false when the tree was
   * checked whole (prepare), undefined when its records need their proofs checked one by one
   * (`leafHash` is only computed when a checked tree can answer: the walk hashes the leaf itself).
   */
  includes(place: TreePlace | null, root: string, leafHash: () => Uint8Array | null): boolean | undefined {
    if (!place) return undefined;
    const leaves = this.checked.get(`${place.treeNo}:${root.toLowerCase()}`);
    if (!leaves) return undefined;
    const leaf = leafHash();
    return leaf ? layoutLeafIs(leaves, place.leafIndex, leaf) : false;
  }

  clear(): void {
    this.checked.clear();
  }
}
