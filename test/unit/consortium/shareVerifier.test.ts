/**
 * The puller verifies shares on worker threads (shareVerifier.ts, shareWorker.ts): each answer must
 * be exactly openShare's on the calling thread — for genuine shares at any place in the batch, and
 * for every refusal (a bit altered, a root not stored, a grant pointing outside the batch).
 */
import { hexlify, randomBytes } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { groupIntoShares, openShare, prepareBatch, type ShareRecipient } from '../../../electron/core/consortium/batch';
import { GrantInbox } from '../../../electron/core/consortium/grants';
import { splitSealedRecords, type ShareGrant } from '../../../electron/core/consortium/payload';
import type { ConsortiumContext } from '../../../electron/core/consortium/sealing';
import { shareVerifier, WorkerVerifier } from '../../../electron/core/consortium/shareVerifier';
import { credentialsOf, newPatient, newWard, nurseRecord, pub, stationRecords } from '../../support/consortiumFixtures';

const context: ConsortiumContext = { chainId: 4242, ledger: '0x' + '42'.repeat(20) };
const A = newWard('Ward A');
const B = newWard('Ward B');
const toB: ShareRecipient = { ward: B.sync.address, wardSyncPublicKey: pub(B.sync), readerPublicKey: pub(B.team) };
const patients = [0, 1, 2].map((i) => newPatient(A, `Patient ${i}`));
const records = [...patients.map((p, i) => nurseRecord(A, p, i)), ...stationRecords(A, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ patient: patients[i % 3]!, i })))];
const batch = prepareBatch({ context, publisher: { account: A.sync.address, privateKey: A.sync.privateKey, shareSecret: A.shareSecret }, shares: groupIntoShares(records, () => [toB]), credentialOf: credentialsOf(A, context), station: A.station });
const inbox = new GrantInbox(context, { account: B.sync.address, privateKey: B.sync.privateKey }, (w) => (w.toLowerCase() === A.sync.address.toLowerCase() ? pub(A.sync) : undefined));
const grants = batch.grants.map((g) => inbox.open(A.sync.address, g) as ShareGrant);
const sealed = splitSealedRecords(batch.records, batch.count);
const onChain = { root: batch.root, count: batch.count, blockNumber: 12 };

describe('verifying shares on worker threads', () => {
  const verifier = shareVerifier(2);
  afterAll(() => verifier.close());

  it('runs on worker threads and answers as openShare does for every share of a batch', async () => {
    expect(verifier).toBeInstanceOf(WorkerVerifier);
    expect(grants.length).toBe(3);
    expect(grants.some((g) => g.first > 0)).toBe(true);
    const answers = await Promise.all(grants.map((g) => verifier.verify(g, sealed, onChain, context)));
    answers.forEach((a, i) => {
      expect(a.problems).toEqual([]);
      expect(a.verified.length).toBe(grants[i]!.count);
      expect(a).toEqual(openShare(grants[i]!, sealed, onChain, context));
    });
    expect(answers.flatMap((a) => a.verified.map((r) => r.id)).sort()).toEqual(records.map((r) => r.id).sort());
  });

  it('refuses what openShare refuses, with the same cause', async () => {
    const g = grants.find((x) => x.first > 0)!;
    const altered = sealed.map((s) => new Uint8Array(s));
    altered[g.first + 1]![5]! ^= 1;
    const cases: Array<[string, ShareGrant, Uint8Array[], typeof onChain]> = [
      ['a bit altered', g, altered, onChain],
      ['a root not stored', g, sealed, { ...onChain, root: hexlify(randomBytes(32)) }],
      ['outside the batch', { ...g, count: 99 }, sealed, onChain],
      ['another share\'s key', { ...g, shareKey: grants.find((x) => x !== g)!.shareKey }, sealed, onChain],
    ];
    for (const [name, grant, payload, stored] of cases) {
      const answer = await verifier.verify(grant, payload, stored, context);
      expect(answer.verified, name).toEqual([]);
      expect(answer.problems.length, name).toBeGreaterThan(0);
      expect(answer, name).toEqual(openShare(grant, payload, stored, context));
    }
  });
});
