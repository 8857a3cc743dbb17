/**
 * Test helper: alter a stopped ward's record store on disk, byte by byte, as someone with access
 * to the data directory could — a record's stored fields, a node of a stored Merkle tree, records
 * deleted or copied, consent reordered, access-log entries deleted — through the store's own key
 * layout (storage/keys.ts), bypassing everything the store checks.
 */
import { getAddress } from 'ethers';
import { WardError } from '../../electron/core/model/errors';
import { getUint } from '../../electron/core/storage/bytes';
import { hexKey, key, prefixEnd, T, VitalsIndex, WIDTH } from '../../electron/core/storage/keys';
import { LevelKv, type KvOp } from '../../electron/core/storage/levelKv';
import { locatorOf, parseLocator } from '../../electron/core/storage/locator';
import type { ActivityEntry, ConsentEntry } from '../../electron/core/storage/storeTypes';
import { decodeRecordBody, encodeRecordBody, type TreePlace } from '../../electron/core/storage/recordBinary';
import type { StoredRecord } from '../../electron/core/storage/storedRecord';
import { TreeRole } from '../../electron/core/storage/storeWrite';
import { storePath, type WardStore } from '../../electron/core/storage/wardStore';

export async function withKv<T>(dataDir: string, f: (kv: LevelKv) => Promise<T>): Promise<T> {
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

/**
 * Delete records and every key that names them (body, id index, vitals index, queues, memberships,
 * amendment index, memo) — as if their lines were cut from the old log. With `memberLists`, also
 * their entries in their anchor batches' member lists and the member index by patient (a thorough attacker).
 */
export function deleteRecords(dataDir: string, ids: string[], options: { memberLists?: boolean } = {}): Promise<void> {
  return withKv(dataDir, async (kv) => {
    const ops: KvOp[] = [];
    for (const id of ids) {
      const { k, locator, record, tree } = await bodyOf(kv, id);
      const seq = getUint(locator, WIDTH.address + WIDTH.time, WIDTH.seq);
      const del = (x: Uint8Array) => ops.push({ type: 'del', key: x });
      del(k);
      del(key(T.recordId, hexKey(id, 32)));
      for (const v of Object.values(VitalsIndex)) del(key(T.vitals, ['byte', v], locator));
      del(key(T.unbatched, ['seq', seq]));
      del(key(T.outbox, ['seq', seq]));
      del(key(T.verifyMemo, hexKey(id, 32)));
      del(key(T.recordMemo, locator));
      if (!/^0x0{64}$/.test(record.amends)) del(key(T.amendedBy, hexKey(record.patient, 20), hexKey(record.amends, 32), ['seq', seq]));
      const membership = await kv.get(key(T.membership, ['byte', TreeRole.anchor], locator));
      for (const role of Object.values(TreeRole)) del(key(T.membership, ['byte', role], locator));
      const anchorTree = membership ? getUint(membership, 0, 4) : tree?.treeNo;
      if (options.memberLists && anchorTree !== undefined) {
        del(key(T.batchMembers, ['tree', anchorTree], ['seq', seq]));
        del(key(T.patientMembers, locator.subarray(0, WIDTH.address), ['tree', anchorTree], locator.subarray(WIDTH.address)));
      }
    }
    await kv.commit(ops);
  });
}

/** Where a record's verification memo is kept: under its locator (T.recordMemo), by its id (T.verifyMemo, stores written before), both or neither. */
export function memoPlaces(dataDir: string, id: string): Promise<{ underLocator: boolean; byId: boolean }> {
  return withKv(dataDir, async (kv) => {
    const { locator } = await bodyOf(kv, id);
    return { underLocator: (await kv.get(key(T.recordMemo, locator))) !== undefined, byId: (await kv.get(key(T.verifyMemo, hexKey(id, 32)))) !== undefined };
  });
}

/** Every memo under a locator moved to its record's id, as stores written before memos were kept by locator hold them; returns how many. */
export function memosToOldLayout(dataDir: string): Promise<number> {
  return withKv(dataDir, async (kv) => {
    const ops: KvOp[] = [];
    for (const [k, tag] of await kv.range({ gte: key(T.recordMemo), lt: key(T.recordMemo + 1) })) {
      const locator = parseLocator(k.subarray(1));
      const { record } = decodeRecordBody((await kv.get(key(T.record, locator.bytes)))!, getAddress(locator.patientHex));
      ops.push({ type: 'del', key: k }, { type: 'put', key: key(T.verifyMemo, hexKey(record.id, 32)), value: tag });
    }
    await kv.commit(ops);
    return ops.length / 2;
  });
}

/** Put one record's memo (from under its locator) under another record's locator, over that one's own. */
export function copyMemo(dataDir: string, fromId: string, toId: string): Promise<void> {
  return withKv(dataDir, async (kv) => {
    const tag = await kv.get(key(T.recordMemo, (await bodyOf(kv, fromId)).locator));
    if (!tag) throw new WardError('NOT_FOUND', 'the record has no memo under its locator');
    await kv.commit([{ type: 'put', key: key(T.recordMemo, (await bodyOf(kv, toId)).locator), value: tag }]);
  });
}

/** Copy a record's body under a second key of the same patient (filed a millisecond later, a new sequence number). */
export function duplicateRecord(dataDir: string, id: string): Promise<void> {
  return withKv(dataDir, async (kv) => {
    const { k } = await bodyOf(kv, id);
    const locator = parseLocator(k.subarray(1));
    const copy = locatorOf(getAddress(locator.patientHex), locator.at + 1, 2 ** 40 + locator.seq);
    await kv.commit([{ type: 'put', key: key(T.record, copy.bytes), value: (await kv.get(k))! }]);
  });
}

/**
 * Move a patient's revoke of a grantee above the grant (their times swapped in the consent
 * history) and put the grant back in force — as if the revoke line had been moved above the grant
 * line in the old log, whose replay then left the grant in force.
 */
export function moveRevokeAboveGrant(dataDir: string, patient: string, grantee: string): Promise<void> {
  return withKv(dataDir, async (kv) => {
    const p = hexKey(getAddress(patient), 20);
    const g = getAddress(grantee);
    const prefix = key(T.consentHistory, p);
    const rows = (await kv.range({ gte: prefix, lt: prefixEnd(prefix) })).map(([k, v]) => ({ k, entry: JSON.parse(Buffer.from(v).toString('utf8')) as ConsentEntry })).filter((r) => r.entry.grantee === g);
    const grant = rows.findLast((r) => r.entry.action === 'grant');
    const revoke = rows.findLast((r) => r.entry.action === 'revoke');
    if (!grant || !revoke) throw new WardError('BAD_INPUT', 'no grant and revoke to reorder');
    const moved = (r: typeof grant, at: number): KvOp => ({ type: 'put', key: key(T.consentHistory, p, ['time', at], Buffer.from(r.k.subarray(r.k.length - WIDTH.seq))), value: Buffer.from(JSON.stringify({ ...r.entry, at })) });
    await kv.commit([
      { type: 'del', key: grant.k },
      { type: 'del', key: revoke.k },
      moved(revoke, grant.entry.at),
      moved(grant, revoke.entry.at),
      { type: 'put', key: key(T.grant, p, hexKey(g, 20)), value: Buffer.from(JSON.stringify({ ...grant.entry, at: revoke.entry.at })) },
      { type: 'put', key: key(T.grantedTo, hexKey(g, 20), p), value: new Uint8Array(0) },
    ]);
  });
}

/** Delete a patient's access-log entries of audited accesses that `pick` chooses (from the ward's log and the patient's). */
export function deleteAudits(dataDir: string, patient: string, pick: (a: Extract<ActivityEntry, { t: 'audit' }>) => boolean): Promise<number> {
  return withKv(dataDir, async (kv) => {
    const p = hexKey(getAddress(patient), 20);
    const prefix = key(T.patientActivity, p);
    const ops: KvOp[] = [];
    for (const [k] of await kv.range({ gte: prefix, lt: prefixEnd(prefix) })) {
      const activityKey = key(T.activity, k.subarray(21));
      const a = JSON.parse(Buffer.from((await kv.get(activityKey))!).toString('utf8')) as ActivityEntry;
      if (a.t !== 'audit' || !pick(a)) continue;
      ops.push({ type: 'del', key: k }, { type: 'del', key: activityKey });
    }
    await kv.commit(ops);
    return ops.length / 2;
  });
}

/**
 * Flip one bit of a record's stored body in a RUNNING store, through the store's own database
 * handle (the data directory is locked while the core runs): as a write behind the core's back
 * would leave it. `fromEnd` counts back from the body's last byte (1: the ciphertext's last byte,
 * its authentication tag).
 */
export async function flipStoredByteWhileOpen(store: WardStore, id: string, fromEnd = 1): Promise<void> {
  const kv = (store as unknown as { kv: LevelKv }).kv;
  const { k } = await bodyOf(kv, id);
  const body = Buffer.from((await kv.get(k))!);
  body[body.length - fromEnd] ^= 0x01;
  await kv.commit([{ type: 'put', key: k, value: body }]);
}
