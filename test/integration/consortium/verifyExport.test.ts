/**
 * `wardledger verify FILE --rpc URL` and the insurer's check of an export on the hospital
 * consortium chain: a real core (embedded ganache) publishes a patient's records to anvil behind
 * the Besu proxy (1 s blocks), a doctor exports the patient, and the export is verified
 *  - by the built command line, a real process, with the ward's data directory and the consortium
 *    node: each published record "included (block N)", the one written while the sync was paused
 *    "not published" (not a failure), and the report says what the check covers and what not;
 *  - after each consortium field of one record is edited by hand (batch id, block, root, a proof
 *    element, the transaction, the ward, an added field): exit 1, that record named with the cause;
 *  - with the node down: exit 3 and a clear error, never a pass; with no ledger at the address: 2;
 *  - after the ward is removed from the consortium: still included (a member at the batch's block);
 *  - by the insurer in the app (verify/fhir), with the workstation's consortium settings.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWard, removeWard } from '../../../electron/core/consortium/admin';
import { wardCardFromDataDir } from '../../../electron/core/consortium/syncAccount';
import { EXT } from '../../../electron/core/clinical/fhirModel';
import type { VerificationReport } from '../../../electron/core/model/records';
import type { WardCore } from '../../../electron/core/shellContract';
import { wardledger } from '../../support/cli';
import { startConsortium, type TestConsortium } from '../../support/consortiumChain';
import { removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';
import { until } from '../../support/until';

const SLOW = 300_000;
const engine = { idleMs: 300, failureRetryMs: 300, pollMs: 100, requestTimeoutMs: 2000 };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The Provenance of `recordId` in a bundle, and its consortium place (parsed). */
function provenanceOf(bundle: Json, recordId: string): { ext: { url: string; valueString: string }; place: Json } {
  const p = bundle.entry.map((e: Json) => e.resource).find((r: Json) => r.resourceType === 'Provenance' && r.extension.some((x: Json) => x.valueString === recordId));
  const ext = p.extension.find((x: Json) => x.url === EXT.consortium);
  return { ext, place: ext ? JSON.parse(ext.valueString) : undefined };
}

describe('verifying an export on the hospital consortium chain', () => {
  let c: TestConsortium;
  let dir: string;
  let core: WardCore | null = null;
  let bundle: Json;
  let published: string[];
  let unpublished: string;
  let file: string;

  beforeAll(async () => {
    c = await startConsortium({ blockTime: 1 });
    dir = tempDir();
    core = await startCore(dir, { consortiumEngine: engine });
    const w = await staffedWard(core);
    await addWard(c.client(c.admin.privateKey, join(c.dir, 'admin')), wardCardFromDataDir(dir));
    await w.itAdmin.ok('consortium/configure', { url: c.proxy.url, ledger: c.ledger, chainId: c.context.chainId, confirmations: 1 });
    // The nurse's credential is signed when her key is unlocked after the settings are saved.
    await w.callers.nurse.ok('session/lock', {});
    await w.callers.nurse.ok('session/unlock', { password: w.people.nurse.password });
    const patient = w.addresses.patient;
    await w.callers.nurse.ok('ward/admit', { patient, bed: '4', responsibleDoctor: w.addresses.doctor });
    // Written while the sync is paused, then published in one round: one batch, one share of three
    // records (so each record's proof under the share root has elements to edit).
    await w.itAdmin.ok('consortium/pause', {});
    published = [];
    for (const pulse of [72, 76, 81]) published.push((await w.callers.nurse.ok('records/addVitals', { patient, vitals: { pulse, spo2: 96 }, missingReason: 'Spot check' })).id);
    await w.itAdmin.ok('consortium/resume', {});
    const status = await until(() => w.itAdmin.ok('consortium/syncNow', {}), (s) => s.queue === 0, 'the three records published', 60_000);
    expect(status).toMatchObject({ held: [], errors: [] });
    // Written while the sync is paused: on the ward (anchored), not on the consortium.
    await w.itAdmin.ok('consortium/pause', {});
    unpublished = (await w.callers.nurse.ok('records/addVitals', { patient, vitals: { pulse: 90, spo2: 94 }, missingReason: 'Spot check' })).id;

    // The doctor exports once every record is anchored on the ward chain (the export is complete).
    const exported = await until(
      () => w.callers.doctor.ok('export/fhir', { patient }),
      (e) => JSON.stringify(e.bundle).includes(`"valueString":"${unpublished}"`),
      'every record anchored and exported',
      30_000,
    );
    bundle = exported.bundle as Json;
    file = join(dir, 'export.json');
    writeFileSync(file, JSON.stringify(bundle));

    // The insurer's check in the app uses the workstation's consortium settings.
    const report = await w.callers.insurer.ok('verify/fhir', { bundle });
    expect(report.ok, JSON.stringify(report.items.flatMap((i) => i.problems))).toBe(true);
    expect(report.consortium).toMatchObject({ ledger: c.ledger, chainId: c.context.chainId, published: 3, included: 3, unreachable: null });
    for (const id of published) expect(report.items.find((i) => i.recordId === id)!.consortium).toMatchObject({ status: 'included', wardName: 'Ward 7 North' });
    expect(report.items.find((i) => i.recordId === unpublished)!.consortium).toEqual({ status: 'not-published' });
    // The node down: the insurer's report says the places could not be checked, and is no pass.
    c.proxy.setOffline(true);
    const down = await w.callers.insurer.ok('verify/fhir', { bundle });
    c.proxy.setOffline(false);
    expect(down.ok).toBe(false);
    expect(down.consortium!.unreachable).toMatch(/does not answer/);
    expect(down.items.find((i) => i.recordId === published[0])!.consortium.status).toBe('unchecked');

    await core.stop();
    core = null;
  }, SLOW);

  afterAll(async () => {
    await core?.stop();
    await c?.close();
    if (dir) removeDir(dir);
  });

  it('verifies each published record on the consortium, and reports the others as not published', async () => {
    // Only published records carry a place: the batch, root, block, transaction and proofs; no position
    // in the batch (it could only be checked with the share key, which an export does not carry).
    expect(provenanceOf(bundle, unpublished).ext).toBeUndefined();
    const place = provenanceOf(bundle, published[0]!).place;
    expect(Object.keys(place).sort()).toEqual(['batchId', 'block', 'chainId', 'ledger', 'recordProof', 'root', 'shareProof', 'tx', 'ward']);
    expect(place.recordProof.length).toBeGreaterThan(0);

    const r = await wardledger(['verify', file, '--data-dir', dir, '--rpc', c.proxy.url]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`Consortium: ledger ${c.ledger} on chain ${c.context.chainId}`);
    expect(r.stdout).toMatch(/Covers: .*inclusion under the batch root/);
    expect(r.stdout).toMatch(/Does not cover: The record's sealed copy/);
    expect(r.stdout).toContain(`consortium: included (block ${place.block}, Ward 7 North)`);
    expect(r.stdout).toMatch(new RegExp(`${unpublished.slice(0, 12)}.*consortium: not published`));
    expect(r.stdout).toContain('Consortium: 3 of 3 published record(s) included; 1 not on the consortium.');

    // The same with the ledger named, as JSON.
    const json = await wardledger(['verify', file, '--data-dir', dir, '--rpc', c.proxy.url, '--ledger', c.ledger, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as VerificationReport;
    expect(report.consortium).toMatchObject({ pinnedBy: 'the --ledger flag', published: 3, included: 3 });
    expect(report.items.find((i) => i.recordId === published[1])!.consortium).toMatchObject({ status: 'included', ward: place.ward, block: expect.any(Number) });

    // Without --rpc nothing changes, and the report says the places were not checked.
    const plain = await wardledger(['verify', file, '--data-dir', dir]);
    expect(plain.code, plain.stdout).toBe(0);
    expect(plain.stdout).toContain('NOT COVERED  The consortium places of 3 records');
  }, SLOW);

  const otherHash = ethers.hexlify(ethers.randomBytes(32));
  const edits: Array<[string, (place: Json) => void, RegExp]> = [
    ['a forged batch id', (p) => (p.batchId = otherHash), /batch 0x[0-9a-f]{64} of Ward 7 North is not on the consortium chain/],
    ['the block', (p) => (p.block += 1), /Consortium block: the file says \d+, the ledger says batch .* was published in block \d+/],
    ['the root', (p) => (p.root = otherHash), /not included under the batch root .*Consortium root: the file says/],
    ['a proof element', (p) => (p.recordProof[p.recordProof.length - 1] = otherHash), /is not included under the batch root/],
    ['the transaction', (p) => (p.tx = otherHash), /Consortium transaction: 0x[0-9a-f]{64} is not the transaction that published batch/],
    ['the ward', (p) => (p.ward = ethers.Wallet.createRandom().address), /is not on the consortium chain/],
    ['the ledger', (p) => (p.ledger = ethers.Wallet.createRandom().address), /published to another consortium/],
    ['an added field', (p) => (p.index = 7), /Provenance extension\[\d\]\.valueString: the file says/],
  ];
  for (const [what, edit, cause] of edits) {
    it(`fails when ${what} of one record's consortium place is edited, naming that record`, async () => {
      const forged = structuredClone(bundle);
      const { ext, place } = provenanceOf(forged, published[1]!);
      edit(place);
      ext.valueString = JSON.stringify(place);
      const path = join(dir, 'forged.json');
      writeFileSync(path, JSON.stringify(forged));
      const r = await wardledger(['verify', path, '--data-dir', dir, '--rpc', c.proxy.url]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const line = r.stdout.split('\n').find((l) => l.includes(published[1]!.slice(0, 12)))!;
      expect(line).toMatch(/^FAIL /);
      expect(line).toMatch(cause);
      // The other records still verify.
      for (const id of [published[0]!, published[2]!, unpublished]) expect(r.stdout.split('\n').find((l) => l.includes(id.slice(0, 12)))).toMatch(/^OK /);
      expect(r.stdout).toContain('1 of 4 records failed verification');
    }, SLOW);
  }

  it('is a clear error, never a pass, when the consortium node does not answer (exit 3), and refuses a ledger address with no ledger (exit 2)', async () => {
    c.proxy.setOffline(true);
    try {
      const down = await wardledger(['verify', file, '--data-dir', dir, '--rpc', c.proxy.url]);
      expect(down.code).toBe(3);
      expect(down.stderr).toMatch(/The consortium (node )?at .* (does not answer|could not be checked \(the node does not answer)/);
      expect(down.stdout).not.toMatch(/verified; the export is complete/);
    } finally {
      c.proxy.setOffline(false);
    }
    const notLedger = await wardledger(['verify', file, '--data-dir', dir, '--rpc', c.proxy.url, '--ledger', c.directory]);
    expect(notLedger.code).toBe(2);
    expect(notLedger.stderr).toMatch(/There is no WardLedger consortium ledger at/);
    const noLedger = await wardledger(['verify', file, '--rpc', c.proxy.url]);
    expect(noLedger.code).toBe(2);
    expect(noLedger.stderr).toMatch(/--rpc needs --registry ADDRESS .* or --ledger ADDRESS/);
    // The original file still verifies: nothing above changed it.
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(bundle);
  }, SLOW);

  it('checks membership at the block of the batch: a ward removed (and added again) since still verifies for what it published while a member', async () => {
    const ward = wardCardFromDataDir(dir).account;
    const removed = await removeWard(c.client(c.admin.privateKey, join(c.dir, 'admin')), ward);
    expect(removed.block).toBeGreaterThan(provenanceOf(bundle, published[0]!).place.block);
    const r = await wardledger(['verify', file, '--data-dir', dir, '--rpc', c.proxy.url, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as VerificationReport;
    expect(report.consortium).toMatchObject({ published: 3, included: 3 });
    // Added again: its directory entry now starts after the batch, so its WardAdded/WardRemoved history answers.
    await addWard(c.client(c.admin.privateKey, join(c.dir, 'admin')), wardCardFromDataDir(dir));
    const again = await wardledger(['verify', file, '--data-dir', dir, '--rpc', c.proxy.url, '--json']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as VerificationReport).consortium).toMatchObject({ published: 3, included: 3 });
  }, SLOW);
});
