/**
 * The publisher's preparation thread (consortium/batchPreparer.ts, prepareWorker.ts): a batch
 * prepared in the worker is one the receiving ward opens and verifies record by record (the same
 * checks as a batch prepared on the publisher's thread), its run is the one planned from sizes, and
 * a record that cannot be published fails in the worker with the same WardError as on the thread.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openShare, type ShareRecipient } from '../../../electron/core/consortium/batch';
import { BatchPreparer, runPlanJob, type PlanJob, type PrepareKeys } from '../../../electron/core/consortium/batchPreparer';
import { GrantInbox } from '../../../electron/core/consortium/grants';
import { splitSealedRecords, type PublishableRecord, type ShareGrant } from '../../../electron/core/consortium/payload';
import type { ConsortiumContext } from '../../../electron/core/consortium/sealing';
import { budgetFor, estimateRun, publishGasBound } from '../../../electron/core/consortium/sizing';
import { WardError } from '../../../electron/core/model/errors';
import { credentialsOf, newPatient, newWard, pub, wardRecords } from '../../support/consortiumFixtures';

const context: ConsortiumContext = { chainId: 4242, ledger: '0x' + '42'.repeat(20) };
const A = newWard('Ward A');
const B = newWard('Ward B');
const toB: ShareRecipient = { ward: B.sync.address, wardSyncPublicKey: pub(B.sync), readerPublicKey: pub(B.team) };
const keys: PrepareKeys = {
  context,
  publisher: { account: A.sync.address, privateKey: A.sync.privateKey, shareSecret: A.shareSecret },
  station: { privateKey: A.station.privateKey, address: A.station.address },
};
const patients = Array.from({ length: 4 }, (_, i) => newPatient(A, `Patient ${i}`));
const budget = budgetFor(200_000_000);

function jobOf(records: PublishableRecord[]): PlanJob {
  const credentialOf = credentialsOf(A, context);
  const credentials = new Map(records.map((r) => [r.author.toLowerCase(), credentialOf(r.author)!]));
  return { records, budget, credentials, recipients: new Map(patients.map((p) => [p.wallet.address.toLowerCase(), [toB]])) };
}

describe('preparing batches in a worker thread', () => {
  const preparer = new BatchPreparer(keys);
  afterAll(() => preparer.close());

  it('prepares the run planned from sizes, and ward B opens and verifies every record of it', async () => {
    const records = wardRecords(A, patients, 300);
    const job = jobOf(records);
    const planned = estimateRun(records, budget, { station: A.station.address, recipientsOf: () => [toB] });
    const { batch, shareRecords, gasBound } = await preparer.plan(job);
    expect(preparer.threaded).toBe(true);
    expect(batch.count).toBe(planned);
    // The gas bound the thread computed is the one this thread computes from the batch's copy.
    expect(gasBound).toBe(publishGasBound(batch));
    expect(shareRecords.flat().sort()).toEqual(records.slice(0, planned).map((r) => r.id).sort());
    // Ward B's side: find its grants by tag, open each share against the root "on chain".
    const inbox = new GrantInbox(context, { account: B.sync.address, privateKey: B.sync.privateKey }, () => pub(A.sync));
    const grants = batch.grants.filter((g) => inbox.isForMe(A.sync.address, g)).map((g) => inbox.open(A.sync.address, g) as ShareGrant);
    expect(grants).toHaveLength(batch.shares.length);
    const sealed = splitSealedRecords(batch.records, batch.count);
    const verified = grants.flatMap((g) => {
      const opened = openShare(g, sealed, { root: batch.root, count: batch.count, blockNumber: 9 }, context);
      expect(opened.problems).toEqual([]);
      return opened.verified.map((r) => r.id);
    });
    expect(verified.sort()).toEqual(records.slice(0, planned).map((r) => r.id).sort());
    // The same job on this thread plans the same run into the same shares.
    const here = runPlanJob(keys, job);
    expect(here.shareRecords).toEqual(shareRecords);
    expect(here.batch.count).toBe(batch.count);
  });

  it('refuses a record whose author has no credential with the WardError the thread would give', async () => {
    const records = wardRecords(A, patients, 5);
    const job = { ...jobOf(records), credentials: new Map() };
    let here: unknown;
    try {
      runPlanJob(keys, job);
    } catch (e) {
      here = e;
    }
    expect(here).toBeInstanceOf(WardError);
    const there = await preparer.plan(job).catch((e: unknown) => e);
    expect(there).toBeInstanceOf(WardError);
    expect(there).toMatchObject({ code: (here as WardError).code, message: (here as WardError).message });
  });

  it('starts a new thread after close', async () => {
    await preparer.close();
    expect(preparer.threaded).toBe(false);
    const { batch } = await preparer.plan(jobOf(wardRecords(A, patients, 20)));
    expect(preparer.threaded).toBe(true);
    expect(batch.count).toBe(20);
  });
});
