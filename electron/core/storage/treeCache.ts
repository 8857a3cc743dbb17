/**
 * The store's trees as the read path needs them, cached by size: headers (root, batch signature),
 * proof readers over the stored nodes (64 KB for a 1,000-record batch, so fewer are kept), and
 * anchors. "Not anchored yet" is cached too: every anchor is written through the store, which
 * tells this cache once the anchor is durable (`anchored`).
 */
import { WardError } from '../model/errors';
import { BoundedCache } from './boundedCache';
import { key, T } from './keys';
import type { LevelKv } from './levelKv';
import { decodeTreeHeader, oneLeafNodes, proofReader, type ProofReader, type TreeHeader } from './merkleTrees';
import { TreeStateField } from './storeWrite';
import type { TreeAnchor } from './storeTypes';

export class TreeCache {
  private readonly headers = new BoundedCache<number, TreeHeader>(4096);
  private readonly proofReaders = new BoundedCache<number, ProofReader>(64);
  private readonly anchors = new BoundedCache<number, TreeAnchor | null>(4096);

  constructor(private readonly kv: LevelKv) {}

  async header(treeNo: number): Promise<TreeHeader> {
    let h = this.headers.get(treeNo);
    if (!h) {
      const body = await this.kv.get(key(T.tree, ['tree', treeNo], Uint8Array.of(0)));
      if (!body) throw new WardError('INTEGRITY', 'A record points at a batch the store does not hold; restore it from a backup.');
      this.headers.set(treeNo, (h = decodeTreeHeader(body)));
    }
    return h;
  }

  /**
   * Headers and anchors of these trees read in one go where not cached (a first open's page names
   * some two hundred trees: two point reads each, one after another, waited on a cold disk).
   */
  async prepare(treeNos: Iterable<number>): Promise<void> {
    const heads = [...treeNos].filter((t) => !this.headers.get(t));
    const anchors = [...treeNos].filter((t) => this.anchors.get(t) === undefined);
    const [headBodies, anchorValues] = await Promise.all([
      this.kv.getMany(heads.map((t) => key(T.tree, ['tree', t], Uint8Array.of(0)))),
      this.kv.getMany(anchors.map((t) => key(T.treeState, ['tree', t], Uint8Array.of(TreeStateField.anchor)))),
    ]);
    // A missing header is left to header() (its error).
    heads.forEach((t, i) => headBodies[i] && this.headers.set(t, decodeTreeHeader(headBodies[i]!)));
    anchors.forEach((t, i) => this.anchors.get(t) === undefined && this.anchors.set(t, parseAnchor(anchorValues[i])));
  }

  async proofs(treeNo: number): Promise<ProofReader> {
    let p = this.proofReaders.get(treeNo);
    if (!p) this.proofReaders.set(treeNo, (p = proofReader(await this.header(treeNo), await this.nodes(treeNo))));
    return p;
  }

  /** A tree's stored nodes (layout or proofs form), read each time (not cached); a one-leaf layout's is its root. */
  async nodes(treeNo: number): Promise<Uint8Array> {
    const nodes = (await this.kv.get(key(T.tree, ['tree', treeNo], Uint8Array.of(1)))) ?? oneLeafNodes(await this.header(treeNo));
    if (!nodes) throw new WardError('INTEGRITY', 'A batch\'s Merkle tree is missing from the store; restore it from a backup.');
    return nodes;
  }

  /** The tree's anchor, or null when it has none yet. */
  async anchor(treeNo: number): Promise<TreeAnchor | null> {
    let a = this.anchors.get(treeNo);
    if (a === undefined) {
      const v = await this.kv.get(key(T.treeState, ['tree', treeNo], Uint8Array.of(TreeStateField.anchor)));
      // An anchor committed while this read was in flight wins over what the read saw.
      a = this.anchors.get(treeNo) ?? parseAnchor(v);
      this.anchors.set(treeNo, a);
    }
    return a;
  }

  /** The store made this anchor durable. */
  anchored(treeNo: number, anchor: TreeAnchor): void {
    this.anchors.set(treeNo, anchor);
  }
}

const parseAnchor = (v: Uint8Array | undefined): TreeAnchor | null => (v ? (JSON.parse(Buffer.from(v).toString('utf8')) as TreeAnchor) : null);
