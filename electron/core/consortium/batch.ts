/**
 * A consortium batch, from both ends: the publisher prepares it (prepareBatch) and a receiver
 * opens and verifies one share of it (openShare).
 *
 * The tree: each share's records form an OpenZeppelin standard tree over the record leaves the
 * ward already uses (recordId, patientRef, commitment, author, createdAt); the batch root is a
 * standard tree over the share roots, each leaf keccak256(keccak256(abi.encode(bytes32
 * shareRoot))). A record's consortium proof is therefore two lists: its proof under its share
 * root, and the share root's proof under the batch root. The share proof travels in the share's
 * grant; the record proofs are rebuilt by the receiver from the share's records, so no per-record
 * proof is published.
 *
 * A prepared batch is deterministic in nothing: its id is random, so it must be persisted before
 * the first send and re-sent byte for byte (see ConsortiumClient.publishBatch).
 */
import { getAddress } from 'ethers';
import { WardError } from '../model/errors';
import { checkHashCommitment, commitToHash } from '../crypto/commitment';
import { hexToBytes } from '../crypto/hex';
import { keccak256Bytes } from '../crypto/keccak';
import { buildBatch, buildHashTree, computeRoot, leafHash, rootFromProof, type LeafFields } from '../crypto/merkle';
import { randomHex } from '../crypto/randomPool';
import { signBatchRoot, verifyBatchSignature, verifyRecordSignature, type RecordSigner } from '../crypto/recordSignature';
import { credentialHolds, type AuthorCredential } from './credentials';
import {
  decodeRecordBlob,
  encodeGrant,
  encodeRecordBlob,
  joinSealedRecords,
  type HeaderBatchSignature,
  type PublishableRecord,
  type RecordBlob,
  type ShareGrant,
  type ShareHeader,
  type SignatureRef,
} from './payload';
import { checksumAddress, deriveShareKey, openRecord, sealGrant, sealRecord, tagKey, type ConsortiumContext } from './sealing';

/** The publishing ward's keys: its sync account and the secret its share keys derive from. */
export interface PublisherKeys {
  account: string;
  privateKey: string;
  shareSecret: Uint8Array;
}

/** Someone of another (or the same) ward who gets a share grant as the batch is published. */
export interface ShareRecipient {
  ward: string;
  wardSyncPublicKey: string;
  /** The key the grant is for: the ward's care team key or one of its recipients' keys. */
  readerPublicKey: string;
}

export interface ShareInput {
  /** One patient's records (same patient and patientRef). */
  records: PublishableRecord[];
  recipients?: ShareRecipient[];
}

export interface BatchInput {
  context: ConsortiumContext;
  publisher: PublisherKeys;
  shares: ShareInput[];
  /** The author's credential for this consortium and ward (credentials.ts). */
  credentialOf(author: string): AuthorCredential | undefined;
  /**
   * The station's key, to sign each share's station readings afresh as one batch signature per
   * share (no per-record proof is then published). Without it, station readings carry their
   * original batch signature and proof.
   */
  station?: RecordSigner & { address: string };
  /** Only for tests and replays; a fresh random id otherwise. */
  batchId?: string;
}

export interface PreparedShare {
  index: number;
  patient: string;
  first: number;
  count: number;
  shareRoot: string;
  shareProof: string[];
  header: ShareHeader;
  /** recordId (lowercase) → proof of its leaf under shareRoot. */
  recordProofs: Map<string, string[]>;
}

export interface PreparedBatch {
  batchId: string;
  root: string;
  count: number;
  /** The BatchPublished payload: the sealed records, length-prefixed, in index order. */
  records: Uint8Array;
  /** Sealed grants for the shares' recipients, published with the batch. */
  grants: Uint8Array[];
  shares: PreparedShare[];
}

/** Per-share limits that keep a share grant under the ledger's MAX_GRANT_BYTES. */
export const SHARE_LIMITS = { authors: 16, scopes: 16, batchSignatures: 16 } as const;

/** The batch tree leaf of a share root. */
export function shareLeaf(shareRoot: string): Uint8Array {
  return keccak256Bytes(keccak256Bytes(hexToBytes(shareRoot, 32, 'share root')));
}

export function leafOfRecord(r: Pick<PublishableRecord, 'id' | 'patientRef' | 'commitment' | 'author' | 'createdAt'>): LeafFields {
  return { recordId: r.id, patientRef: r.patientRef, commitment: r.commitment, author: r.author, createdAt: r.createdAt };
}

/**
 * Groups records into shares: one patient per share, in the order given, a new share whenever a
 * share would pass SHARE_LIMITS.
 */
export function groupIntoShares(records: PublishableRecord[], recipientsOf: (patient: string) => ShareRecipient[] = () => []): ShareInput[] {
  const open = new Map<string, { share: ShareInput; authors: Set<string>; scopes: Set<string>; sigs: Set<string> }>();
  const shares: ShareInput[] = [];
  for (const r of records) {
    const key = r.patient.toLowerCase();
    let g = open.get(key);
    const sig = r.batchSignature ? `${r.batchSignature.root}:${r.batchSignature.signature}` : null;
    const fits =
      g &&
      (g.authors.has(r.author.toLowerCase()) || g.authors.size < SHARE_LIMITS.authors) &&
      (g.scopes.has(r.cipher.scopeId) || g.scopes.size < SHARE_LIMITS.scopes) &&
      (!sig || g.sigs.has(sig) || g.sigs.size < SHARE_LIMITS.batchSignatures);
    if (!g || !fits) {
      g = { share: { records: [], recipients: recipientsOf(r.patient) }, authors: new Set(), scopes: new Set(), sigs: new Set() };
      open.set(key, g);
      shares.push(g.share);
    }
    g.share.records.push(r);
    g.authors.add(r.author.toLowerCase());
    g.scopes.add(r.cipher.scopeId);
    if (sig) g.sigs.add(sig);
  }
  return shares;
}

export function prepareBatch(input: BatchInput): PreparedBatch {
  const { context, publisher } = input;
  const account = getAddress(publisher.account);
  if (input.shares.length === 0 || input.shares.some((s) => s.records.length === 0)) throw new WardError('BAD_INPUT', 'A consortium batch needs at least one record in every share.');
  const batchId = input.batchId ?? randomHex(32);
  const sealed: Uint8Array[] = [];
  const built: Array<Omit<PreparedShare, 'shareProof'> & { shareKey: Uint8Array; recipients: ShareRecipient[] }> = [];

  input.shares.forEach((share, index) => {
    const { header, blobs } = headerAndBlobs(share.records, account, input);
    const shareKey = deriveShareKey(publisher.shareSecret, context, account, batchId, index);
    const first = sealed.length;
    blobs.forEach((blob, i) => sealed.push(sealRecord(shareKey, context, account, batchId, first + i, encodeRecordBlob(blob))));
    const tree = buildBatch(share.records.map(leafOfRecord));
    built.push({ index, patient: header.patient, first, count: blobs.length, shareRoot: tree.root, header, recordProofs: tree.proofs, shareKey, recipients: share.recipients ?? [] });
  });

  const batchTree = buildHashTree(built.map((s) => shareLeaf(s.shareRoot)));
  const tagKeys = new Map<string, Uint8Array>();
  const grants: Uint8Array[] = [];
  const shares = built.map(({ shareKey, recipients, ...s }) => {
    const shareProof = batchTree.proofs.get(bytesHex(shareLeaf(s.shareRoot)))!;
    for (const to of recipients) {
      const grant: ShareGrant = { kind: 'share', reader: to.readerPublicKey, batchWard: account, batchId, batchBlock: 0, shareIndex: s.index, first: s.first, count: s.count, shareKey, shareProof, header: s.header };
      grants.push(sealShareOrScopeGrant(encodeGrant(grant), context, publisher, to, tagKeys));
    }
    shareKey.fill(0);
    return { ...s, shareProof };
  });
  return { batchId, root: batchTree.root, count: sealed.length, records: joinSealedRecords(sealed), grants, shares };
}

/** Seal an encoded grant for `to`'s ward, with a tag only that ward can recognise. */
export function sealShareOrScopeGrant(
  encoded: Uint8Array,
  context: ConsortiumContext,
  publisher: Pick<PublisherKeys, 'account' | 'privateKey'>,
  to: Pick<ShareRecipient, 'ward' | 'wardSyncPublicKey'>,
  tagKeys = new Map<string, Uint8Array>(),
): Uint8Array {
  const cacheKey = to.ward.toLowerCase();
  let key = tagKeys.get(cacheKey);
  if (!key) tagKeys.set(cacheKey, (key = tagKey(publisher.privateKey, to.wardSyncPublicKey, context, publisher.account, to.ward)));
  return sealGrant(encoded, context, publisher.account, to.wardSyncPublicKey, key);
}

function bytesHex(b: Uint8Array): string {
  return '0x' + Buffer.from(b).toString('hex');
}

function headerAndBlobs(records: PublishableRecord[], publisher: string, input: BatchInput): { header: ShareHeader; blobs: RecordBlob[] } {
  const patient = checksumAddress(records[0]!.patient);
  const patientRef = records[0]!.patientRef;
  const scopes: string[] = [];
  const authors: AuthorCredential[] = [];
  const batchSignatures: HeaderBatchSignature[] = [];
  const indexOf = <T>(list: T[], same: (x: T) => boolean, make: () => T): number => {
    const i = list.findIndex(same);
    if (i >= 0) return i;
    list.push(make());
    return list.length - 1;
  };
  const station = input.station ? checksumAddress(input.station.address) : null;
  const restationed = records.filter((r) => r.batchSignature && station && checksumAddress(r.author) === station);
  let restationIndex = -1;

  const blobs = records.map((r) => {
    if (checksumAddress(r.patient) !== patient || r.patientRef !== patientRef) throw new WardError('BAD_INPUT', 'A consortium share must hold one patient\'s records only.');
    if (!checkHashCommitment(r.contentHash, r.salt, r.commitment)) throw new WardError('INTEGRITY', 'A record to publish does not match its own commitment.');
    const author = checksumAddress(r.author);
    const authorIndex = indexOf(authors, (a) => a.member === author, () => {
      const c = input.credentialOf(author);
      if (!c || checksumAddress(c.member) !== author || !credentialHolds(c, input.context, publisher)) {
        throw new WardError('BAD_INPUT', 'An author of a record to publish has no valid credential for this consortium.');
      }
      return { ...c, member: author, ward: publisher };
    });
    if (authors[authorIndex]!.role !== r.authorRole) throw new WardError('BAD_INPUT', 'An author\'s credential names another role than the record.');
    const scopeIndex = indexOf(scopes, (s) => s === r.cipher.scopeId, () => r.cipher.scopeId);

    let signature: SignatureRef;
    // What the record was signed as, unless the station signs it afresh below (always version 2).
    let roleSigned = r.signedVersion === 2;
    if (!r.batchSignature) signature = { mode: 'record', signature: r.signature };
    else if (station && author === station) {
      roleSigned = true;
      if (restationIndex < 0) {
        const tree = buildBatch(restationed.map(leafOfRecord));
        const signed = signBatchRoot(input.station!, tree.root, restationed.length, Date.now(), authors[authorIndex]!.role);
        restationIndex = batchSignatures.push({ authorIndex, root: tree.root, count: restationed.length, createdAt: Number(signed.batch.createdAt), signature: signed.signature }) - 1;
      }
      signature = { mode: 'derived', index: restationIndex };
    } else {
      const b = r.batchSignature;
      const index = indexOf(batchSignatures, (x) => x.root === b.root && x.signature === b.signature && x.authorIndex === authorIndex, () => ({ authorIndex, root: b.root, count: b.count, createdAt: b.createdAt, signature: b.signature }));
      signature = { mode: 'batch', index, proof: b.proof };
    }
    return { id: r.id, createdAt: r.createdAt, kind: r.kind, authorIndex, scopeIndex, contentHash: r.contentHash, salt: r.salt, amends: r.amends, signature, roleSigned, iv: r.cipher.iv, ct: r.cipher.ct };
  });

  // A share that carries all of an original signed batch needs no proofs either.
  batchSignatures.forEach((entry, index) => {
    const citing = blobs.map((b, i) => ({ b, r: records[i]! })).filter(({ b }) => b.signature.mode === 'batch' && b.signature.index === index);
    if (citing.length > 0 && computeRoot(citing.map(({ r }) => leafOfRecord(r))) === entry.root) {
      for (const { b } of citing) b.signature = { mode: 'derived', index };
    }
  });
  if (authors.length > SHARE_LIMITS.authors || scopes.length > SHARE_LIMITS.scopes || batchSignatures.length > SHARE_LIMITS.batchSignatures) {
    throw new WardError('BAD_INPUT', 'A consortium share has too many authors, scopes or signed batches; split it (groupIntoShares).');
  }
  return { header: { patient, patientRef, scopes, authors, batchSignatures }, blobs };
}

// --- receiving --------------------------------------------------------------------------------

/** What the chain says about a batch (ConsortiumLedger.batchOf), and where it was published. */
export interface BatchOnChain {
  root: string;
  count: number;
  blockNumber: number;
}

/** Where a received record was published and how it is proven. */
export interface ConsortiumAnchor {
  ward: string;
  batchId: string;
  block: number;
  root: string;
  shareIndex: number;
  index: number;
  recordProof: string[];
  shareProof: string[];
}

export type ReceivedRecord = PublishableRecord & { consortium: ConsortiumAnchor };

export interface OpenedShare {
  /** Records whose every check passed. */
  verified: ReceivedRecord[];
  /** What failed: the share as a whole (recordId null) or single records. Quarantine these. */
  problems: Array<{ recordId: string | null; index: number | null; problem: string }>;
}

/**
 * Open and verify one share of a batch: every record must open under the share key at its own
 * place, its author's credential must name the publishing ward, its author's signature must hold,
 * and the share must be included under the root stored on chain for that ward and batch id (which
 * only an active member could have published). A share that fails as a whole yields no records.
 * @param sealedRecords the whole batch payload, split (splitSealedRecords).
 */
export function openShare(grant: ShareGrant, sealedRecords: Uint8Array[], onChain: BatchOnChain | null, context: ConsortiumContext): OpenedShare {
  const shareFailure = (problem: string): OpenedShare => ({ verified: [], problems: [{ recordId: null, index: null, problem }] });
  if (!onChain || /^0x0{64}$/.test(onChain.root)) return shareFailure('The batch is not on the consortium chain for this ward.');
  if (onChain.count !== sealedRecords.length) return shareFailure('The batch payload does not hold the number of records stored on chain.');
  if (grant.count < 1 || grant.first + grant.count > sealedRecords.length) return shareFailure('The grant points outside the batch.');
  const h = grant.header;
  const ward = checksumAddress(grant.batchWard);

  const decoded: Array<{ blob: RecordBlob; record: PublishableRecord } | { problem: string }> = [];
  for (let i = grant.first; i < grant.first + grant.count; i++) {
    try {
      const blob = decodeRecordBlob(openRecord(grant.shareKey, context, ward, grant.batchId, i, sealedRecords[i]!));
      const author = h.authors[blob.authorIndex];
      const scopeId = h.scopes[blob.scopeIndex];
      if (!author || scopeId === undefined) throw new WardError('INTEGRITY', 'A sealed consortium record cites an author or scope its share does not list.');
      const commitment = commitToHash(blob.contentHash, blob.salt).commitment;
      decoded.push({
        blob,
        record: {
          id: blob.id,
          patient: h.patient,
          patientRef: h.patientRef,
          kind: blob.kind,
          author: author.member,
          authorRole: author.role,
          ...(blob.roleSigned ? { signedVersion: 2 as const } : {}),
          createdAt: blob.createdAt,
          amends: blob.amends,
          contentHash: blob.contentHash,
          salt: blob.salt,
          commitment,
          signature: blob.signature.mode === 'record' ? blob.signature.signature : '',
          cipher: { v: 1, scopeId, iv: blob.iv, ct: blob.ct },
        },
      });
    } catch (e) {
      decoded.push({ problem: e instanceof WardError ? e.message : 'A sealed consortium record could not be read.' });
    }
  }
  const failed = decoded.findIndex((d) => 'problem' in d);
  if (failed >= 0) return { verified: [], problems: [{ recordId: null, index: grant.first + failed, problem: (decoded[failed] as { problem: string }).problem }] };
  const items = decoded as Array<{ blob: RecordBlob; record: PublishableRecord }>;

  const leaves = items.map((d) => leafOfRecord(d.record));
  const shareTree = buildBatch(leaves);
  if (rootFromProof(shareLeaf(shareTree.root), grant.shareProof) !== onChain.root.toLowerCase()) {
    return shareFailure('The share is not included under the root the ward published on the consortium chain.');
  }

  const credentialOk = h.authors.map((a) => credentialHolds(a, context, ward));
  // A role-signed record (typed data version 2) is checked with its author's role as the
  // credential names it; a record signed before (version 1) without. The two versions' digests
  // differ, so the flag cannot turn one into the other.
  const roleOf = (blob: RecordBlob, author: AuthorCredential | undefined) => (blob.roleSigned && author ? { authorRole: author.role } : {});
  const batchSigOk = new Map<string, boolean>();
  const signedRootHolds = (index: number, blob: RecordBlob): boolean => {
    const memo = `${index}|${blob.roleSigned}`;
    if (!batchSigOk.has(memo)) {
      const e = h.batchSignatures[index];
      const signer = e && h.authors[e.authorIndex];
      batchSigOk.set(memo, !!signer && verifyBatchSignature({ root: e.root, count: e.count, author: signer.member, ...roleOf(blob, signer), createdAt: e.createdAt }, e.signature, signer.member));
    }
    return batchSigOk.get(memo)!;
  };
  // A derived signature signs the tree of the share's records that cite it, so the tree is built
  // here once per signature (the share's own tree when every record cites it): each such record's
  // proof comes from it and reaches its root by construction, and one comparison of that root with
  // the signed root stands for the walk of every record's proof.
  const derivedTrees = new Map<number, ReturnType<typeof buildBatch>>();
  const derivedTree = (index: number) => {
    let tree = derivedTrees.get(index);
    if (!tree) {
      const citing = leaves.filter((_, i) => items[i]!.blob.signature.mode === 'derived' && (items[i]!.blob.signature as { index: number }).index === index);
      tree = citing.length === leaves.length ? shareTree : buildBatch(citing);
      derivedTrees.set(index, tree);
    }
    return tree;
  };

  const result: OpenedShare = { verified: [], problems: [] };
  items.forEach(({ blob, record }, i) => {
    const index = grant.first + i;
    const problems: string[] = [];
    if (!credentialOk[blob.authorIndex]) problems.push('The author has no credential from the ward that published it (a record of another ward, or a forged author).');
    const s = blob.signature;
    if (s.mode === 'record') {
      const fields = { recordId: record.id, patientRef: record.patientRef, contentHash: record.contentHash, amends: record.amends, kind: record.kind, author: record.author, ...roleOf(blob, h.authors[blob.authorIndex]), createdAt: record.createdAt };
      if (!verifyRecordSignature(fields, s.signature, record.author)) {
        problems.push('The author\'s signature does not hold.');
      }
    } else {
      const entry = h.batchSignatures[s.index];
      const derived = s.mode === 'derived' ? derivedTree(s.index) : null;
      const proof = s.mode === 'batch' ? s.proof : derived!.proofs.get(record.id.toLowerCase()) ?? [];
      const rootOfProof = derived ? derived.root : rootFromProof(hexToBytes(leafHash(leaves[i]!), 32), proof);
      if (!entry || checksumAddress(h.authors[entry.authorIndex]?.member ?? '0x' + '00'.repeat(20)) !== checksumAddress(record.author) || rootOfProof !== entry.root.toLowerCase() || !signedRootHolds(s.index, blob)) {
        problems.push('The author\'s batch signature does not hold for this record.');
      } else {
        record.batchSignature = { root: entry.root, count: entry.count, createdAt: entry.createdAt, signature: entry.signature, proof };
      }
    }
    if (problems.length > 0) {
      for (const problem of problems) result.problems.push({ recordId: record.id, index, problem });
      return;
    }
    result.verified.push({
      ...record,
      consortium: { ward, batchId: grant.batchId, block: onChain.blockNumber, root: onChain.root, shareIndex: grant.shareIndex, index, recordProof: shareTree.proofs.get(record.id.toLowerCase())!, shareProof: grant.shareProof },
    });
  });
  return result;
}

/** Whether a record (by its leaf fields) is included under a consortium batch root. Never throws. */
export function verifyConsortiumInclusion(root: string, leaf: LeafFields, recordProof: string[], shareProof: string[]): boolean {
  try {
    const shareRoot = rootFromProof(hexToBytes(leafHash(leaf), 32), recordProof);
    return shareRoot !== null && rootFromProof(shareLeaf(shareRoot), shareProof) === root.toLowerCase();
  } catch {
    return false;
  }
}
