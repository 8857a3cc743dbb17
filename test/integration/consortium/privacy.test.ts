/**
 * Nothing on the consortium chain names or links a patient.
 *
 * Ward A publishes several batches for several patients (nurse records and station readings, with
 * standing grants to ward B), then transfers the patients to ward B (scope grants, and a share
 * granted again) and shares them with a clinician ward B listed in the directory by name, as a
 * patient's cross-ward share does (records/crossWardShares.ts: scope grants and a note sealed for
 * that person). The test then reads every event of the consortium contracts and every
 * transaction sent to them, and looks for each patient's address, public key, name, patientRef,
 * scope ids, record ids, commitments, content hashes and salts, in hex and as text; and for any
 * 8-byte sequence that appears in the payloads or grants of two different transactions (a value
 * that stays the same across batches). Ward A's sync engine then publishes more records of the
 * same patients, its batches cut patient by patient, so one patient's records sit in consecutive
 * batches: the same scans cover them. Ward B must still be able to open and verify what it was
 * given, so the scan is not passing on empty data.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupIntoShares, openShare, prepareBatch, sealShareOrScopeGrant, type PreparedBatch, type ShareRecipient } from '../../../electron/core/consortium/batch';
import { directoryInterface, ledgerInterface, type ConsortiumClient } from '../../../electron/core/consortium/client';
import { GrantInbox, makeScopeGrant, makeTransferGrant, openScopeGrant, openTransferGrant } from '../../../electron/core/consortium/grants';
import { addPerson } from '../../../electron/core/consortium/admin';
import { encodeGrant, splitSealedRecords, type PublishableRecord, type ShareGrant } from '../../../electron/core/consortium/payload';
import { deriveShareKey } from '../../../electron/core/consortium/sealing';
import { unwrapScopeKey } from '../../../electron/core/crypto/keyScope';
import { startConsortium, type TestConsortium } from '../../support/consortiumChain';
import { credentialsOf, newPatient, newWard, nurseRecord, pub, stationRecords, wardRecords, type TestPatient, type TestWard } from '../../support/consortiumFixtures';
import { openSyncWard } from '../../support/syncWard';

const strip = (h: string) => h.toLowerCase().replace(/^0x/, '');
const utf8Hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

describe('consortium privacy', () => {
  let c: TestConsortium;
  let A: TestWard;
  let B: TestWard;
  let client: ConsortiumClient;
  const patients: TestPatient[] = [];
  const records: PublishableRecord[] = [];
  const batches: PreparedBatch[] = [];
  /** The batches ward A's sync engine cut (also in `batches`). */
  const engineBatches: PreparedBatch[] = [];
  const clinician = ethers.Wallet.createRandom();

  beforeAll(async () => {
    c = await startConsortium();
    A = newWard('Ward 7 North');
    B = newWard('Ward 9 Surgery');
    await c.addWard(A);
    await c.addWard(B);
    const dir = join(c.dir, 'a');
    mkdirSync(dir);
    client = c.client(A.sync.privateKey, dir);
    for (const name of ['Alice Wonderland', 'Roberto Marley-Smith', 'Carla Nuñez']) patients.push(newPatient(A, name));
    const toB: ShareRecipient = { ward: B.sync.address, wardSyncPublicKey: pub(B.sync), readerPublicKey: pub(B.team) };
    const publisher = { account: A.sync.address, privateKey: A.sync.privateKey, shareSecret: A.shareSecret };

    for (let round = 0; round < 3; round++) {
      const list: PublishableRecord[] = [];
      patients.forEach((p, k) => list.push(nurseRecord(A, p, round * 10 + k), nurseRecord(A, p, round * 10 + k + 5)));
      list.push(...stationRecords(A, patients.flatMap((p, k) => [0, 1, 2].map((j) => ({ patient: p, i: round * 100 + k * 3 + j })))));
      records.push(...list);
      const batch = prepareBatch({ context: c.context, publisher, shares: groupIntoShares(list, () => [toB]), credentialOf: credentialsOf(A, c.context), station: round === 1 ? undefined : A.station });
      batches.push(batch);
      expect(await client.publishBatch(batch)).toMatchObject({ status: 'done' });
    }

    // Ward B lists its clinician in the directory by name (from its own sync account).
    const dirB = join(c.dir, 'b');
    mkdirSync(dirB);
    await addPerson(c.client(B.sync.privateKey, dirB), pub(clinician), 'Dr Ines Okafor (doctor)');
    // Transfer of care: every patient's scope key for B's team, and the first batch's shares again for
    // the clinician; each patient also shares with the clinician (scope key and a note for their key).
    const toClinician: ShareRecipient = { ...toB, readerPublicKey: pub(clinician) };
    const grants = patients.map((p) => makeScopeGrant(c.context, publisher, toB, p.wallet.address, p.scope.scopeId, unwrapScopeKey(p.scope.keys, A.team.privateKey)));
    for (const p of patients) {
      grants.push(makeScopeGrant(c.context, publisher, toClinician, p.wallet.address, p.scope.scopeId, unwrapScopeKey(p.scope.keys, A.team.privateKey)));
      grants.push(makeTransferGrant(c.context, publisher, toClinician, p.wallet.address, { name: p.name, dob: '1950-01-01', hospitalNumber: `HN-${p.name.length}`, reason: 'Shared by the patient', by: `${p.name} (patient)`, at: Date.now(), publicKey: pub(p.wallet).toLowerCase() }));
    }
    for (const share of batches[0]!.shares) {
      const shareKey = deriveShareKey(A.shareSecret, c.context, A.sync.address, batches[0]!.batchId, share.index);
      const block = (await client.batchOnChain(batches[0]!.batchId))!.blockNumber;
      const g: ShareGrant = { kind: 'share', reader: pub(clinician), batchWard: A.sync.address, batchId: batches[0]!.batchId, batchBlock: block, shareIndex: share.index, first: share.first, count: share.count, shareKey, shareProof: share.shareProof, header: share.header };
      grants.push(sealShareOrScopeGrant(encodeGrant(g), c.context, publisher, toClinician));
    }
    expect(await client.publishGrants('transfer-1', grants)).toMatchObject({ status: 'done' });

    // Then ward A's sync engine publishes more of the same patients' records, cutting its batches
    // patient by patient (publisher.ts groupedByPatient): a patient's records run on from one batch
    // into the next, and nothing may link the two. Each batch is taken as the client sends it.
    const sync = await openSyncWard(A, join(c.dir, 'a-engine'), { url: c.proxy.url, ledger: c.ledger, context: c.context, recipients: () => [toB] });
    try {
      const later = wardRecords(A, patients, 300);
      await sync.outbox.add(later);
      records.push(...later);
      const send = sync.client.publishStream.bind(sync.client);
      sync.client.publishStream = (source, inFlight, onPublished) =>
        send(
          (async function* () {
            for await (const x of source) {
              engineBatches.push(x.batch);
              yield x;
            }
          })(),
          inFlight,
          onPublished,
        );
      await sync.engine.syncNow();
      expect((await sync.engine.status()).queue).toBe(0);
      batches.push(...engineBatches);
    } finally {
      await sync.close();
    }
    // Grouped: a batch cuts at most one patient short, and at least one patient spans two batches.
    expect(engineBatches.length).toBeGreaterThanOrEqual(3);
    expect(engineBatches.reduce((n, b) => n + b.shares.length, 0)).toBeLessThanOrEqual(engineBatches.length + patients.length - 1);
    expect(patients.some((p) => engineBatches.filter((b) => b.shares.some((s) => s.header.patient.toLowerCase() === p.wallet.address.toLowerCase())).length >= 2)).toBe(true);
  });
  afterAll(async () => c?.close());

  async function everything() {
    const head = await client.blockNumber();
    const logs: Array<{ topics: string[]; data: string; transactionHash: string; address: string }> = [];
    for await (const page of client.logs({ address: [c.ledger, c.directory] }, 0, head)) logs.push(...page.logs);
    const hashes = [...new Set(logs.map((l) => l.transactionHash))];
    const inputs: string[] = [];
    for (const h of hashes) inputs.push((await c.anvil.rpc<{ input: string }>('eth_getTransactionByHash', [h])).input);
    return { logs, inputs };
  }

  it('shows no patient identifier, name, commitment or per-patient value anywhere', async () => {
    const { logs, inputs } = await everything();
    expect(logs.length).toBeGreaterThan(10);
    // Searched as bytes: a hex-string search would also match across nibble boundaries, where a
    // short needle (a 5-byte first name) turns up by chance in a megabyte of random ciphertext.
    const haystack = Buffer.concat([...logs.flatMap((l) => [...l.topics, l.data]), ...inputs].map((h) => Buffer.from(strip(h), 'hex')));
    const found = (hex: string) => haystack.indexOf(Buffer.from(hex, 'hex')) >= 0;

    for (const p of patients) {
      const needles: Array<[string, string]> = [
        ['address', strip(p.wallet.address)],
        ['public key', strip(pub(p.wallet))],
        ['name', utf8Hex(p.name)],
        ['first name', utf8Hex(p.name.split(' ')[0]!)],
        ['patientRef', strip(p.ref)],
        ['scope id', strip(p.scope.scopeId)],
        ['scope id text', utf8Hex(p.scope.scopeId)],
      ];
      for (const [what, needle] of needles) expect(found(needle), `${p.name}: ${what} found on chain`).toBe(false);
    }
    expect(found(utf8Hex('Shared by the patient')), 'a share note in the clear').toBe(false);
    // The clinician is in the directory by name and key (staff data their ward published), but no
    // grant names them: what is addressed to them cannot be told from what is addressed to anyone.
    expect(found(utf8Hex('Dr Ines Okafor (doctor)'))).toBe(true);
    const ledgerBytes = Buffer.concat(logs.filter((l) => l.address.toLowerCase() === c.ledger.toLowerCase()).flatMap((l) => [...l.topics, l.data]).map((h) => Buffer.from(strip(h), 'hex')));
    expect(ledgerBytes.indexOf(Buffer.from(strip(pub(clinician)), 'hex')), 'the clinician\'s key in a grant').toBe(-1);
    for (const r of records) {
      for (const [what, value] of [['record id', r.id], ['commitment', r.commitment], ['content hash', r.contentHash], ['salt', r.salt], ['signature', r.signature || '0x']] as const) {
        if (value.length > 4) expect(found(strip(value)), `${what} of a record found on chain`).toBe(false);
      }
      expect(found(strip(r.cipher.ct).slice(0, 64)), 'ward ciphertext published as is').toBe(false);
    }
  });

  it('repeats no 8-byte value across the payloads and grants of different transactions', async () => {
    const { logs } = await everything();
    const byTx = new Map<string, Buffer[]>();
    for (const l of logs.filter((x) => x.address.toLowerCase() === c.ledger.toLowerCase())) {
      const parsed = ledgerInterface.parseLog(l)!;
      const bytes = parsed.name === 'BatchPublished' ? parsed.args.records : parsed.args.grant;
      byTx.set(l.transactionHash, [...(byTx.get(l.transactionHash) ?? []), Buffer.from(ethers.getBytes(bytes))]);
    }
    expect(byTx.size).toBe(4 + engineBatches.length); // three batches, the transfer and the engine's batches
    const seenIn = new Map<string, string>();
    const repeated: string[] = [];
    for (const [tx, blobs] of byTx) {
      for (const b of blobs) {
        for (let i = 0; i + 8 <= b.length; i++) {
          const w = b.subarray(i, i + 8).toString('hex');
          const first = seenIn.get(w);
          if (first === undefined) seenIn.set(w, tx);
          else if (first !== tx) repeated.push(w);
        }
      }
    }
    expect(repeated).toEqual([]);
    // Not even the directory's ward entries name a patient (they are ward data only).
    const wardEvents = logs.filter((l) => l.address.toLowerCase() === c.directory.toLowerCase()).map((l) => directoryInterface.parseLog(l)!.name);
    expect(wardEvents).toEqual(['AdminAdded', 'WardAdded', 'WardAdded', 'RecipientAdded']);
  });

  it('still lets ward B find, open and verify all it was given', async () => {
    const { logs } = await everything();
    const syncKeys = new Map([A, B].map((w) => [w.sync.address.toLowerCase(), pub(w.sync)]));
    const inbox = new GrantInbox(c.context, { account: B.sync.address, privateKey: B.sync.privateKey }, (w) => syncKeys.get(w.toLowerCase()));
    const mine = logs
      .filter((l) => l.address.toLowerCase() === c.ledger.toLowerCase())
      .map((l) => ({ l, p: ledgerInterface.parseLog(l)! }))
      .filter(({ p }) => p.name === 'KeyGranted' && inbox.isForMe(p.args.ward, ethers.getBytes(p.args.grant)))
      .map(({ p }) => inbox.open(p.args.ward, ethers.getBytes(p.args.grant)));
    const shares = mine.filter((g): g is ShareGrant => g.kind === 'share');
    expect(shares).toHaveLength(3 * 3 + 3 + engineBatches.reduce((n, b) => n + b.shares.length, 0));
    // Three scope grants for B's team, three for the clinician with their notes: each opens only with its reader's key.
    const scopes = mine.filter((g) => g.kind === 'scope');
    expect(scopes).toHaveLength(6);
    const forClinician = scopes.filter((g) => g.reader.toLowerCase() === pub(clinician).toLowerCase());
    expect(forClinician).toHaveLength(3);
    for (const g of forClinician) expect(() => openScopeGrant(g, clinician.privateKey)).not.toThrow();
    for (const g of forClinician) expect(() => openScopeGrant(g, B.team.privateKey)).toThrow();
    const notes = mine.filter((g) => g.kind === 'transfer');
    expect(notes.map((g) => openTransferGrant(g, clinician.privateKey).name).sort()).toEqual(patients.map((p) => p.name).sort());
    for (const g of notes) expect(() => openTransferGrant(g, B.team.privateKey)).toThrow();
    let verified = 0;
    for (const g of shares) {
      const b = batches.find((x) => x.batchId === g.batchId)!;
      const opened = openShare(g, splitSealedRecords(b.records, b.count), await client.batchOnChain(g.batchId), c.context);
      expect(opened.problems).toEqual([]);
      verified += opened.verified.length;
    }
    expect(verified).toBe(records.length + batches[0]!.count);
  });
});
