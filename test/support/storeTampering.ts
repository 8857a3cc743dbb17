/**
 * Test helper: alter a stopped ward's record store on disk, byte by byte, as someone with access
 * to the data directory could — a record's stored fields, or a node of a stored Merkle tree —
 * through the store's own key layout (storage/keys.ts), bypassing everything the store checks.
 */
import { getAddress } from 'ethers';
import { WardError } from '../../electron/core/model/errors';
import { key, T } from '../../electron/core/storage/keys';
import { LevelKv } from '../../electron/core/storage/levelKv';
import { parseLocator } from '../../electron/core/storage/locator';
import { decodeRecordBody, encodeRecordBody, type TreePlace } from '../../electron/core/storage/recordBinary';
import type { StoredRecord } from '../../electron/core/storage/storedRecord';
import { TreeRole } from '../../electron/core/storage/storeWrite';
import { storePath } from '../../electron/core/storage/wardStore';

async function withKv<T>(dataDir: string, f: (kv: LevelKv) => Promise<T>): Promise<T> {
  const kv = await LevelKv.open(storePath(dataDir), { createIfMissing: false });
  try {
    return await f(kv);
  } finally {
    await kv.close();
  }
}

async function bodyOf(kv: LevelKv, id: string): Promise<{ k: Buffer; locator: Buffer; record: StoredRecord; tree: TreePlace | null }> {
  const loc = await kv.get(key(T.recordId, Buffer.from(id.slice(2), 'hex')));
  if (!loc) throw new WardError('NOT_FOUND', 'no such record');
  const locator = parseLocator(loc);
  const k = key(T.record, locator.bytes);
  const d = decodeRecordBody((await kv.get(k))!, getAddress(locator.patientHex)); // checksummed, as the store hands it out
  return { k, locator: locator.bytes, record: d.record, tree: d.format === 'binary' ? d.signatureTree : null };
}

/** Rewrite a record's stored fields (its body is re-encoded as the store would). */
export function alterRecord(dataDir: string, id: string, change: (r: StoredRecord) => void): Promise<void> {
  return withKv(dataDir, async (kv) => {
    const { k, record, tree } = await bodyOf(kv, id);
    if (tree) record.batchSignature = { root: '0x' + '00'.repeat(32), count: 0, createdAt: 0, signature: '', proof: [] };
    change(record);
    await kv.commit([{ type: 'put', key: k, value: encodeRecordBody(record, tree).body }]);
  });
}

/** Flip a byte of the stored node that is a batch-signed record's first proof hash (its sibling in its signature tree). */
export function alterFirstProofNode(dataDir: string, id: string): Promise<void> {
  return withKv(dataDir, async (kv) => {
    const { tree } = await bodyOf(kv, id);
    if (!tree) throw new WardError('BAD_INPUT', 'not a batch-signed record');
    const nodesKey = key(T.tree, ['tree', tree.treeNo], Uint8Array.of(1));
    const nodes = Buffer.from((await kv.get(nodesKey))!);
    const leaves = (nodes.length / 32 + 1) / 2;
    const at = 2 * leaves - 2 - tree.leafIndex;
    const sibling = at % 2 === 1 ? at + 1 : at - 1;
    nodes[sibling * 32] ^= 0x01;
    await kv.commit([{ type: 'put', key: nodesKey, value: nodes }]);
  });
}

/** Flip a byte of the stored root of the tree a record is anchored under (its claimed anchor). */
export function alterAnchorRoot(dataDir: string, id: string): Promise<void> {
  return withKv(dataDir, async (kv) => {
    const { locator, tree } = await bodyOf(kv, id);
    const membership = await kv.get(key(T.membership, ['byte', TreeRole.anchor], locator));
    const treeNo = membership ? Buffer.from(membership).readUInt32BE(0) : tree?.treeNo;
    if (treeNo === undefined) throw new WardError('BAD_INPUT', 'the record has no anchor tree');
    const headerKey = key(T.tree, ['tree', treeNo], Uint8Array.of(0));
    const header = Buffer.from((await kv.get(headerKey))!);
    header[2] ^= 0x01; // form, flags, then the 32-byte root (merkleTrees.ts)
    await kv.commit([{ type: 'put', key: headerKey, value: header }]);
  });
}
