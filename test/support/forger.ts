/**
 * A malicious ward's batch maker, for the pull tests: it builds a batch the way the byte layouts
 * of docs/consortium.md say (sealed records, share tree, batch tree, a sealed share grant with a
 * valid tag for the receiver) but lets the test put anything in it — a header naming another
 * ward's author, a record with a broken signature, a root that is not the tree's — which the honest
 * prepareBatch refuses to make. The attacker writes its own code; so does this file.
 */
import { getAddress } from 'ethers';
import { leafOfRecord, sealShareOrScopeGrant, shareLeaf, type PreparedBatch, type ShareRecipient } from '../../electron/core/consortium/batch';
import type { AuthorCredential } from '../../electron/core/consortium/credentials';
import { encodeGrant, encodeRecordBlob, joinSealedRecords, type PublishableRecord, type RecordBlob } from '../../electron/core/consortium/payload';
import { deriveShareKey, sealRecord, type ConsortiumContext } from '../../electron/core/consortium/sealing';
import { randomHex } from '../../electron/core/crypto/randomPool';
import { buildBatch, buildHashTree } from '../../electron/core/crypto/merkle';
import type { TestWard } from './consortiumFixtures';

export interface Forgery {
  /** One patient's records, all signed one by one, by the author whose credential is given. */
  records: PublishableRecord[];
  credential: AuthorCredential;
  /** Publish this root instead of the tree's. */
  root?: string;
}

export function forgeBatch(context: ConsortiumContext, forger: TestWard, to: ShareRecipient, f: Forgery): PreparedBatch {
  const account = getAddress(forger.sync.address);
  const batchId = randomHex(32);
  const shareKey = deriveShareKey(forger.shareSecret, context, account, batchId, 0);
  const first = f.records[0]!;
  const blobs: RecordBlob[] = f.records.map((r) => ({ id: r.id, createdAt: r.createdAt, kind: r.kind, authorIndex: 0, scopeIndex: 0, contentHash: r.contentHash, salt: r.salt, amends: r.amends, signature: { mode: 'record', signature: r.signature }, roleSigned: r.signedVersion === 2, iv: r.cipher.iv, ct: r.cipher.ct }));
  const sealed = blobs.map((b, i) => sealRecord(shareKey, context, account, batchId, i, encodeRecordBlob(b)));
  const shareTree = buildBatch(f.records.map(leafOfRecord));
  const batchTree = buildHashTree([shareLeaf(shareTree.root)]);
  const header = { patient: getAddress(first.patient), patientRef: first.patientRef, scopes: [first.cipher.scopeId], authors: [f.credential], batchSignatures: [] };
  const grant = encodeGrant({ kind: 'share', reader: to.readerPublicKey, batchWard: account, batchId, batchBlock: 0, shareIndex: 0, first: 0, count: sealed.length, shareKey, shareProof: [], header });
  return {
    batchId,
    root: f.root ?? batchTree.root,
    count: sealed.length,
    records: joinSealedRecords(sealed),
    grants: [sealShareOrScopeGrant(grant, context, { account, privateKey: forger.sync.privateKey }, to)],
    shares: [{ index: 0, patient: header.patient, first: 0, count: sealed.length, shareRoot: shareTree.root, shareProof: [], header, recordProofs: shareTree.proofs }],
  };
}
