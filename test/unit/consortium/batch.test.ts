/**
 * The consortium payload end to end without a chain: a ward prepares a batch, a receiving ward
 * finds its grants by tag, opens its share, verifies every record and reads the content once it
 * has the scope key; forged, altered, misplaced and republished batches are refused with a cause.
 * The tree is checked against OpenZeppelin's StandardMerkleTree (an independent implementation).
 */
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { getAddress, hexlify, randomBytes, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  groupIntoShares,
  leafOfRecord,
  openShare,
  prepareBatch,
  shareLeaf,
  verifyConsortiumInclusion,
  type BatchOnChain,
  type PreparedBatch,
  type ShareRecipient,
} from '../../../electron/core/consortium/batch';
import { signCredential } from '../../../electron/core/consortium/credentials';
import { GrantInbox, makeScopeGrant, openScopeGrant } from '../../../electron/core/consortium/grants';
import { splitSealedRecords, type PublishableRecord, type ShareGrant } from '../../../electron/core/consortium/payload';
import { checksumAddress, grantHead, openGrant, tagKey, tagMatches, type ConsortiumContext } from '../../../electron/core/consortium/sealing';
import { WardError } from '../../../electron/core/model/errors';
import { scopeKeyFromRaw, unwrapScopeKey } from '../../../electron/core/crypto/keyScope';
import { leafHash } from '../../../electron/core/crypto/merkle';
import { contentHashOf } from '../../../electron/core/crypto/recordSignature';
import { credentialsOf, newPatient, newWard, nurseRecord, nurseRecordSignedBeforeRoles, pub, stationRecords, type TestWard } from '../../support/consortiumFixtures';

const context: ConsortiumContext = { chainId: 4242, ledger: '0x' + '42'.repeat(20) };
const A = newWard('Ward A');
const B = newWard('Ward B');
const M = newWard('Ward M (malicious)');
const syncKeys = new Map([A, B, M].map((w) => [w.sync.address.toLowerCase(), pub(w.sync)]));
const syncKeyOf = (ward: string) => syncKeys.get(ward.toLowerCase());
const publisher = (w: TestWard) => ({ account: w.sync.address, privateKey: w.sync.privateKey, shareSecret: w.shareSecret });
const toTeam = (w: TestWard): ShareRecipient => ({ ward: w.sync.address, wardSyncPublicKey: pub(w.sync), readerPublicKey: pub(w.team) });
const onChainOf = (b: PreparedBatch, blockNumber = 77): BatchOnChain => ({ root: b.root, count: b.count, blockNumber });

function publishFromA(recipientsOf: (patient: string) => ShareRecipient[], station = true) {
  const anna = newPatient(A, 'Anna Example');
  const bert = newPatient(A, 'Bert Example');
  const readings = stationRecords(A, [0, 1, 2, 3, 4, 5].map((i) => ({ patient: i % 2 ? bert : anna, i })));
  const records: PublishableRecord[] = [nurseRecord(A, anna, 10), nurseRecord(A, bert, 11), ...readings, nurseRecord(A, anna, 12)];
  const batch = prepareBatch({ context, publisher: publisher(A), shares: groupIntoShares(records, recipientsOf), credentialOf: credentialsOf(A, context), station: station ? A.station : undefined });
  return { anna, bert, records, batch };
}

/** What ward `to` receives: its grants, opened. */
function inboxOf(to: TestWard, grantPublisher: string, grants: Uint8Array[]) {
  const inbox = new GrantInbox(context, { account: to.sync.address, privateKey: to.sync.privateKey }, syncKeyOf);
  return grants.filter((g) => inbox.isForMe(grantPublisher, g)).map((g) => inbox.open(grantPublisher, g));
}

describe('consortium batches', () => {
  it('groups one patient per share and gives each its grant; only the addressed ward finds it', () => {
    const { anna, batch } = publishFromA(() => [toTeam(B)]);
    expect(batch.shares.map((s) => s.count)).toEqual([5, 4]); // anna: 10, 0, 2, 4, 12; bert: 11, 1, 3, 5
    expect(batch.shares[0]!.patient).toBe(anna.wallet.address);
    expect(batch.count).toBe(9);
    expect(batch.grants).toHaveLength(2);
    expect(inboxOf(B, A.sync.address, batch.grants)).toHaveLength(2);
    expect(inboxOf(M, A.sync.address, batch.grants)).toHaveLength(0);
    expect(inboxOf(A, A.sync.address, batch.grants)).toHaveLength(0);
    // The same grants re-emitted by another ward are not recognised as coming from A.
    expect(inboxOf(B, M.sync.address, batch.grants)).toHaveLength(0);
  });

  it('lets the receiver open and verify every record, and read its content with a scope grant', () => {
    const { anna, records, batch } = publishFromA(() => [toTeam(B)]);
    const [annaGrant] = inboxOf(B, A.sync.address, batch.grants) as ShareGrant[];
    expect(annaGrant!.header.patient).toBe(anna.wallet.address);
    const opened = openShare(annaGrant!, splitSealedRecords(batch.records, batch.count), onChainOf(batch), context);
    expect(opened.problems).toEqual([]);
    const annas = records.filter((r) => r.patient === anna.wallet.address);
    expect(opened.verified.map((r) => r.id)).toEqual(annas.map((r) => r.id));
    for (const got of opened.verified) {
      const sent = annas.find((r) => r.id === got.id)!;
      expect({ ...got, consortium: undefined, batchSignature: undefined, signature: got.signature }).toEqual({ ...sent, consortium: undefined, batchSignature: undefined });
      expect(got.consortium).toMatchObject({ ward: A.sync.address, batchId: batch.batchId, block: 77, root: batch.root, shareIndex: 0 });
      expect(verifyConsortiumInclusion(batch.root, leafOfRecord(got), got.consortium.recordProof, got.consortium.shareProof)).toBe(true);
      expect(verifyConsortiumInclusion(batch.root, { ...leafOfRecord(got), createdAt: got.createdAt + 1 }, got.consortium.recordProof, got.consortium.shareProof)).toBe(false);
    }
    // Station readings are re-signed per share by the station: no per-record proofs were published.
    const readings = opened.verified.filter((r) => r.authorRole === 'station');
    expect(readings).toHaveLength(3);
    expect(new Set(readings.map((r) => r.batchSignature!.root)).size).toBe(1);

    // Content needs the ward scope key: a scope grant from A to B's care team.
    const scopeGrantBytes = makeScopeGrant(context, publisher(A), toTeam(B), anna.wallet.address, anna.scope.scopeId, rawScopeKey(anna));
    const [scopeGrant] = inboxOf(B, A.sync.address, [scopeGrantBytes]);
    expect(scopeGrant!.kind).toBe('scope');
    if (scopeGrant!.kind !== 'scope') return;
    const scopeKey = openScopeGrant(scopeGrant, B.team.privateKey);
    expect(() => openScopeGrant(scopeGrant, B.sync.privateKey)).toThrow(/could not be opened/);
    const reopened = scopeKeyFromRaw(scopeGrant.scopeId, scopeKey);
    for (const got of opened.verified) {
      const plaintext = reopened.open(got.cipher, got.id);
      expect(contentHashOf(plaintext)).toBe(got.contentHash);
    }
  });

  it('keeps station readings verifiable without the station key: their original signature and proof travel', () => {
    const { bert, batch } = publishFromA(() => [toTeam(B)], false);
    const grants = inboxOf(B, A.sync.address, batch.grants) as ShareGrant[];
    const bertGrant = grants.find((g) => g.header.patient === bert.wallet.address)!;
    const opened = openShare(bertGrant, splitSealedRecords(batch.records, batch.count), onChainOf(batch), context);
    expect(opened.problems).toEqual([]);
    const readings = opened.verified.filter((r) => r.authorRole === 'station');
    expect(readings).toHaveLength(3);
    expect(readings[0]!.batchSignature!.proof.length).toBeGreaterThan(0);
    expect(bertGrant.header.batchSignatures).toHaveLength(1);
  });

  // Records are signed with the author's role (EIP-712 typed data version 2); records written
  // before were signed without it (version 1) and must verify wherever they travel. docs/design.md,
  // "Signed fields"; docs/consortium.md, "Signatures".
  describe("the author's signed role", () => {
    function openAll(records: PublishableRecord[], station?: TestWard['station']) {
      const batch = prepareBatch({ context, publisher: publisher(A), shares: groupIntoShares(records, () => [toTeam(B)]), credentialOf: credentialsOf(A, context), station });
      const grants = inboxOf(B, A.sync.address, batch.grants) as ShareGrant[];
      const sealed = splitSealedRecords(batch.records, batch.count);
      const opened = grants.map((g) => openShare(g, sealed, onChainOf(batch), context));
      return { verified: opened.flatMap((o) => o.verified), problems: opened.flatMap((o) => o.problems) };
    }

    it('arrives signed with the role, and records signed before the role still verify as they were signed', () => {
      const anna = newPatient(A, 'Anna');
      const now = [nurseRecord(A, anna, 1), ...stationRecords(A, [{ patient: anna, i: 2 }, { patient: anna, i: 3 }])];
      const before = [nurseRecordSignedBeforeRoles(A, anna, 4), ...stationRecords(A, [{ patient: anna, i: 5 }, { patient: anna, i: 6 }], Date.now(), true)];
      // Without the station key every original signature travels as it was made.
      const asSigned = openAll([...now, ...before]);
      expect(asSigned.problems).toEqual([]);
      expect(asSigned.verified.map((r) => [r.id, r.signedVersion])).toEqual([...now.map((r) => [r.id, 2]), ...before.map((r) => [r.id, undefined])]);
      // With it, the station signs its readings afresh, and a fresh signature always carries the role.
      const restationed = openAll([...now, ...before], A.station);
      expect(restationed.problems).toEqual([]);
      expect(restationed.verified.map((r) => [r.authorRole, r.signedVersion])).toEqual([['nurse', 2], ['station', 2], ['station', 2], ['nurse', undefined], ['station', 2], ['station', 2]]);
    });

    it('refuses a record whose publisher drops the role from a role-signed record, or adds it to one signed without', () => {
      const anna = newPatient(A, 'Anna');
      const { signedVersion: _dropped, ...claimedUnsigned } = nurseRecord(A, anna, 1);
      const claimedSigned: PublishableRecord = { ...nurseRecordSignedBeforeRoles(A, anna, 2), signedVersion: 2 };
      const readings = stationRecords(A, [{ patient: anna, i: 3 }, { patient: anna, i: 4 }]).map(({ signedVersion: _s, ...r }) => r);
      const { verified, problems } = openAll([claimedUnsigned, claimedSigned, ...readings]);
      expect(verified).toEqual([]);
      expect(problems.map((p) => [p.recordId, p.problem])).toEqual([
        [claimedUnsigned.id, expect.stringMatching(/signature does not hold/)],
        [claimedSigned.id, expect.stringMatching(/signature does not hold/)],
        ...readings.map((r) => [r.id, expect.stringMatching(/batch signature does not hold/)]),
      ]);
    });
  });

  it('matches OpenZeppelin StandardMerkleTree at both levels', () => {
    const { batch, records } = publishFromA(() => []);
    for (const share of batch.shares) {
      const ids = new Set(records.filter((r) => r.patient === share.patient).map((r) => r.id));
      const values = records.filter((r) => ids.has(r.id)).map((r) => [r.id, r.patientRef, r.commitment, r.author, String(r.createdAt)]);
      expect(StandardMerkleTree.of(values, ['bytes32', 'bytes32', 'bytes32', 'address', 'uint64']).root).toBe(share.shareRoot);
    }
    const oz = StandardMerkleTree.of(batch.shares.map((s) => [s.shareRoot]), ['bytes32']);
    expect(oz.root).toBe(batch.root);
    batch.shares.forEach((s) => expect(StandardMerkleTree.verify(batch.root, ['bytes32'], [s.shareRoot], s.shareProof)).toBe(true));
    expect(hexlify(shareLeaf(batch.shares[0]!.shareRoot))).toBe(oz.leafHash([batch.shares[0]!.shareRoot]));
    expect(leafHash(leafOfRecord(records[0]!))).toBeTruthy();
  });

  describe('refuses, with a cause, what must not be shown as verified', () => {
    function annaShare() {
      const sent = publishFromA(() => [toTeam(B)]);
      const grant = (inboxOf(B, A.sync.address, sent.batch.grants) as ShareGrant[])[0]!;
      return { ...sent, grant, sealed: splitSealedRecords(sent.batch.records, sent.batch.count) };
    }

    it('a batch not on chain, a payload of the wrong size, a root that is not the one stored', () => {
      const { batch, grant, sealed } = annaShare();
      expect(openShare(grant, sealed, null, context).problems[0]!.problem).toMatch(/not on the consortium chain/);
      expect(openShare(grant, sealed.slice(1), onChainOf(batch), context).problems[0]!.problem).toMatch(/number of records/);
      const wrongRoot = openShare(grant, sealed, { ...onChainOf(batch), root: hexlify(randomBytes(32)) }, context);
      expect(wrongRoot.verified).toEqual([]);
      expect(wrongRoot.problems[0]!.problem).toMatch(/not included under the root/);
      expect(openShare({ ...grant, count: 99 }, sealed, onChainOf(batch), context).problems[0]!.problem).toMatch(/outside the batch/);
    });

    it('a sealed record altered by one bit, or moved to another place, or read in another consortium', () => {
      const { batch, grant, sealed } = annaShare();
      const altered = sealed.map((s) => new Uint8Array(s));
      altered[2]![10]! ^= 1;
      const r = openShare(grant, altered, onChainOf(batch), context);
      expect(r.verified).toEqual([]);
      expect(r.problems[0]).toMatchObject({ index: 2, problem: expect.stringMatching(/could not be opened/) });
      const swapped = [sealed[1]!, sealed[0]!, ...sealed.slice(2)];
      expect(openShare(grant, swapped, onChainOf(batch), context).problems[0]!.problem).toMatch(/could not be opened/);
      expect(openShare(grant, sealed, onChainOf(batch), { ...context, chainId: 1 }).problems[0]!.problem).toMatch(/could not be opened/);
    });

    it('a forged author signature (the ward signed the record itself)', () => {
      const anna = newPatient(A, 'Anna');
      const good = nurseRecord(A, anna, 1);
      const forged = { ...nurseRecord(A, anna, 2), signature: good.signature };
      const batch = prepareBatch({ context, publisher: publisher(A), shares: [{ records: [good, forged], recipients: [toTeam(B)] }], credentialOf: credentialsOf(A, context) });
      const [grant] = inboxOf(B, A.sync.address, batch.grants) as ShareGrant[];
      const r = openShare(grant!, splitSealedRecords(batch.records, batch.count), onChainOf(batch), context);
      expect(r.verified.map((x) => x.id)).toEqual([good.id]);
      expect(r.problems).toEqual([{ recordId: forged.id, index: 1, problem: expect.stringMatching(/signature does not hold/) }]);
    });

    it('a station signature made over more readings than the share carries (one reading held back)', () => {
      // The station signs the tree of the readings a share carries (a "derived" signature: no
      // per-record proof travels). A ward that takes the signature of a share with three readings
      // into a share with two of them must not get either reading verified: with the readings
      // alone in the share (their tree is the share's tree) and beside a nurse record.
      const anna = newPatient(A, 'Anna');
      const readings = stationRecords(A, [1, 2, 3].map((i) => ({ patient: anna, i })));
      const share = (records: PublishableRecord[]) => {
        const batch = prepareBatch({ context, publisher: publisher(A), shares: [{ records, recipients: [toTeam(B)] }], credentialOf: credentialsOf(A, context), station: A.station });
        return { batch, grant: (inboxOf(B, A.sync.address, batch.grants) as ShareGrant[])[0]! };
      };
      const all = share(readings);
      expect(all.grant.header.batchSignatures).toHaveLength(1);
      for (const records of [readings.slice(0, 2), [nurseRecord(A, anna, 9), ...readings.slice(0, 2)]]) {
        const fewer = share(records);
        const sealed = splitSealedRecords(fewer.batch.records, fewer.batch.count);
        expect(openShare(fewer.grant, sealed, onChainOf(fewer.batch), context).problems).toEqual([]);
        const swapped = { ...fewer.grant, header: { ...fewer.grant.header, batchSignatures: all.grant.header.batchSignatures } };
        const r = openShare(swapped, sealed, onChainOf(fewer.batch), context);
        expect(r.verified.map((x) => x.authorRole)).toEqual(records.length === 3 ? ['nurse'] : []);
        expect(r.problems).toEqual(readings.slice(0, 2).map((x) => ({ recordId: x.id, index: records.indexOf(x), problem: expect.stringMatching(/batch signature does not hold/) })));
      }
    });

    it('records of ward A republished by ward M as its own (M holds A\'s share key after a transfer)', () => {
      const { records, anna } = publishFromA(() => [toTeam(M)]);
      const annas = records.filter((r) => r.patient === anna.wallet.address && r.authorRole === 'nurse');
      // M can not get A's nurse to sign a credential for M, so it offers A's credential, or signs one with a key of its own.
      for (const credentialOf of [credentialsOf(A, context), () => signCredential(M.nurse.signingKey, context, M.sync.address, 'nurse')]) {
        expect(() => prepareBatch({ context, publisher: publisher(M), shares: [{ records: annas, recipients: [toTeam(B)] }], credentialOf })).toThrow(/no valid credential/);
      }
      // A hand-made batch: M copies A's genuine credential into its share header. To build it here the
      // test lets A's nurse sign a credential for M, then swaps in the one A's nurse really signed.
      const batch = prepareBatch({ context, publisher: publisher(M), shares: [{ records: annas, recipients: [toTeam(B)] }], credentialOf: () => signCredential(A.nurse.signingKey, context, M.sync.address, 'nurse') });
      const [grant] = inboxOf(B, M.sync.address, batch.grants) as ShareGrant[];
      const sealed = splitSealedRecords(batch.records, batch.count);
      expect(openShare(grant!, sealed, onChainOf(batch), context).verified).toHaveLength(annas.length); // had A's nurse signed for M
      const genuine = credentialsOf(A, context)(A.nurse.address)!;
      const copied = { ...grant!, header: { ...grant!.header, authors: [{ ...genuine, ward: M.sync.address }] } };
      const r = openShare(copied, sealed, onChainOf(batch), context);
      expect(r.verified).toEqual([]);
      expect(r.problems.map((p) => p.problem)).toEqual(annas.map(() => expect.stringMatching(/no credential from the ward that published it/)));
    });

    it('a replay of ward A\'s batch payload under ward M: nothing opens', () => {
      const { batch, grant, sealed } = annaShare();
      const replayedGrant = { ...grant, batchWard: M.sync.address };
      const r = openShare(replayedGrant, sealed, onChainOf(batch), context);
      expect(r.verified).toEqual([]);
      expect(r.problems[0]!.problem).toMatch(/could not be opened/);
    });
  });

  it('refuses to publish records whose author has no credential, or that mix patients in a share', () => {
    const anna = newPatient(A, 'Anna');
    const bert = newPatient(A, 'Bert');
    expect(() => prepareBatch({ context, publisher: publisher(A), shares: [{ records: [nurseRecord(A, anna, 1)] }], credentialOf: () => undefined })).toThrow(/no valid credential/);
    expect(() => prepareBatch({ context, publisher: publisher(A), shares: [{ records: [nurseRecord(A, anna, 1), nurseRecord(A, bert, 2)] }], credentialOf: credentialsOf(A, context) })).toThrow(/one patient/);
    const tampered = { ...nurseRecord(A, anna, 3), salt: hexlify(randomBytes(32)) };
    expect(() => prepareBatch({ context, publisher: publisher(A), shares: [{ records: [tampered] }], credentialOf: credentialsOf(A, context) })).toThrow(/commitment/);
  });
});


/** The raw scope key of a test patient (A's clinicians unwrap it with the team key). */
function rawScopeKey(p: ReturnType<typeof newPatient>): Uint8Array {
  return unwrapScopeKey(p.scope.keys, A.team.privateKey);
}

describe('consortium key agreement', () => {
  it('remembers checksummed addresses without changing them, and refuses a bad one every time', () => {
    for (const address of [A.sync.address.toLowerCase(), A.sync.address, '0x' + 'ab'.repeat(20)]) {
      expect(checksumAddress(address)).toBe(getAddress(address));
      expect(checksumAddress(address)).toBe(getAddress(address)); // remembered: the same answer
    }
    // A wrong checksum (one letter's case flipped) and a short address: refused, not remembered.
    const good = getAddress('0x' + 'ab'.repeat(20));
    const i = good.search(/[a-fA-F]/);
    const flipped = good.slice(0, i) + (good[i] === good[i]!.toUpperCase() ? good[i]!.toLowerCase() : good[i]!.toUpperCase()) + good.slice(i + 1);
    for (const bad of [flipped, '0x1234']) {
      expect(() => getAddress(bad)).toThrow();
      expect(() => checksumAddress(bad)).toThrow();
      expect(() => checksumAddress(bad)).toThrow();
    }
  });

  it('opens a grant sealed when ECDH ran on @noble/curves: the WebAssembly libsecp256k1 agrees byte for byte', () => {
    // Sealed by sealing.ts of commit e4e116d (ECDH by @noble/curves getSharedSecret) with these
    // fixed keys; grants already on a consortium chain must open the same way.
    const A = new Wallet('0x' + '11'.repeat(32));
    const B = new Wallet('0x' + '22'.repeat(32));
    const c: ConsortiumContext = { chainId: 1981, ledger: '0x' + '07'.repeat(20) };
    const sealed = Buffer.from(
      '036880d80cb3813a859ab4e5fd47273f341d8e145e7f0b656c524ee820f1aa032ecb951c440e1a8c4e2f41f6085916156c429591de48ee3e4a91740cf3313f848d22189b483a06ade3842139892d5c56be3b7e5c22649838d5460e880ff35ba8b69ab0',
      'hex',
    );
    const head = grantHead(sealed)!;
    expect(tagMatches(tagKey(B.privateKey, pub(A), c, A.address, B.address), head.epk, head.tag)).toBe(true);
    expect(new TextDecoder().decode(openGrant(sealed, c, A.address, B.privateKey))).toBe('grant sealed by @noble/curves ECDH');
    expect(() => openGrant(sealed, c, A.address, A.privateKey)).toThrow(WardError);
  });
});
