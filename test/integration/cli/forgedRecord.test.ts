/**
 * Issue 9 item 1: a completely forged record must not verify. The attack as the issue describes
 * it: re-sign a record with a fresh key, set SpO2 84 and the author's name to a real doctor's, and
 * point the file's anchor at a ten-byte contract that answers "anchored" for every root (on
 * another chain, or on the ward's own). The verifier pins the ward itself (--data-dir, or --rpc
 * with --registry), so each run fails and says why; the genuine export still verifies over --rpc.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFhirBundle, parseFhirExport } from '../../../electron/core/clinical/fhir';
import { canonicalize } from '../../../electron/core/crypto/canonical';
import { commitToHash } from '../../../electron/core/crypto/commitment';
import { leafHash } from '../../../electron/core/crypto/merkle';
import { contentHashOf, signRecord } from '../../../electron/core/crypto/recordSignature';
import { txOverrides } from '../../../electron/core/chain/wardNode';
import { exportRecordOf, type SignatureData } from '../../../electron/core/records/fhirExchange';
import type { SealedContent } from '../../../electron/core/records/recordCodec';
import { Anvil } from '../../support/anvil';
import { wardledger } from '../../support/cli';
import { removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';
import { serveWardChain } from '../../support/wardChainRpc';

/** Runtime: PUSH1 1 PUSH1 0 MSTORE PUSH1 0xa0 PUSH1 0 RETURN — 160 bytes whose first word is 1 ("batch 1") for any call. */
const FAKE_ANCHORS_RUNTIME = '600160005260a06000f3';
/** Creation code returning that runtime: PUSH10 runtime, PUSH1 0, MSTORE, PUSH1 10, PUSH1 22, RETURN. */
const FAKE_ANCHORS_INIT = '0x69' + FAKE_ANCHORS_RUNTIME + '600052600a6016f3';

async function deployFake(provider: ethers.Provider): Promise<string> {
  const wallet = ethers.Wallet.createRandom().connect(provider);
  const tx = await wallet.sendTransaction({ data: FAKE_ANCHORS_INIT, gasLimit: 100_000, ...txOverrides });
  const receipt = await tx.wait();
  expect(await provider.getCode(receipt!.contractAddress!)).toBe('0x' + FAKE_ANCHORS_RUNTIME);
  return receipt!.contractAddress!;
}

type Bundle = { entry: Array<{ resource: Record<string, unknown> }>; signature?: unknown; timestamp?: string };

/** The forgery of the export's vitals record, anchored at `target`; the manifest is copied as is. */
function forge(genuine: Bundle, target: { chainId: number; contract: string }): { bundle: Bundle; recordId: string; forger: string } {
  const parsed = parseFhirExport(genuine);
  const victim = parsed.records.find((r) => r.kind === 'vitals')!;
  const sig = JSON.parse(Buffer.from(victim.signature.data, 'base64').toString('utf8')) as SignatureData;
  const sealed = JSON.parse(Buffer.from(sig.plaintext, 'base64').toString('utf8')) as SealedContent;
  const forger = ethers.Wallet.createRandom();
  sealed.author = forger.address;
  sealed.authorName = 'Grace Hopper';
  sealed.content.vitals!.spo2 = 84;
  const plaintext = canonicalize(sealed);
  const contentHash = contentHashOf(plaintext);
  const { salt, commitment } = commitToHash(contentHash);
  const fields = { ...sig.fields, contentHash, author: forger.address, authorRole: 'doctor' };
  const signature = signRecord(forger, fields);
  const root = leafHash({ recordId: fields.recordId, patientRef: fields.patientRef, commitment, author: forger.address, createdAt: fields.createdAt });
  const forged = exportRecordOf({
    sig: { v: 1, signature, fields, plaintext: Buffer.from(plaintext).toString('base64') },
    sealed,
    anchor: { ...target, root, proof: [], batchId: 1, block: 1, tx: null, commitment, salt },
  });
  const records = parsed.records.map((r) => (r.recordId === victim.recordId ? forged : r));
  const bundle = buildFhirBundle(parsed.patient, records, { timestamp: genuine.timestamp }) as unknown as Bundle;
  return { bundle: { ...bundle, signature: genuine.signature }, recordId: victim.recordId, forger: forger.address };
}

describe('a forged record does not verify (issue 9 item 1)', () => {
  let dir: string;
  let registry: string;
  let genuine: Bundle;
  let anvil: Anvil;

  beforeAll(async () => {
    dir = tempDir();
    const core = await startCore(dir);
    const w = await staffedWard(core);
    const patient = w.addresses.patient;
    await w.callers.nurse.ok('ward/admit', { patient, bed: '5', responsibleDoctor: w.addresses.doctor });
    await w.callers.nurse.ok('records/addVitals', { patient, vitals: { spo2: 95, pulse: 88, supplementalOxygen: false }, missingReason: 'Spot check' });
    await w.callers.doctor.ok('records/addDiagnosis', { patient, text: 'Urinary tract infection', code: 'N39.0' });
    genuine = (await w.callers.patient.ok('export/fhir', { patient })).bundle as Bundle;
    await core.stop();
    writeFileSync(join(dir, 'genuine.json'), JSON.stringify(genuine));
    registry = (JSON.parse(readFileSync(join(dir, 'ward.json'), 'utf8')) as { registryAddress: string }).registryAddress;
    anvil = await Anvil.start({ stateFile: join(dir, 'anvil-state.json'), chainId: 4242 });
  }, 120_000);
  afterAll(async () => {
    await anvil?.stop();
    removeDir(dir);
  });

  it('the genuine export verifies over --rpc against the registry the user pins, and says which ward it trusted', async () => {
    const chain = await serveWardChain(dir);
    try {
      const r = await wardledger(['verify', join(dir, 'genuine.json'), '--rpc', chain.url, '--registry', registry]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(`Ward: registry ${registry} on chain 22337 (pinned by the --registry flag).`);
      expect(r.stdout).toContain('All 2 records verified; the export is complete.');
      // Without the ward directory the verifier names authors by address and registry role, never by the file's names.
      expect(r.stdout).not.toContain('Florence Nurse');
      expect(r.stdout).toMatch(/by 0x[0-9a-fA-F]{40} \(nurse\)/);
    } finally {
      await chain.stop();
    }
    const refused = await wardledger(['verify', join(dir, 'genuine.json'), '--rpc', anvil.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--rpc needs --registry ADDRESS/);
  });

  it('fails a forged record anchored at a fake contract on another chain, with --data-dir and with --rpc, saying why', async () => {
    const fake = await deployFake(new ethers.JsonRpcProvider(anvil.url, undefined, { staticNetwork: true }));
    const { bundle, recordId, forger } = forge(genuine, { chainId: anvil.chainId, contract: fake });
    const file = join(dir, 'forged.json');
    writeFileSync(file, JSON.stringify(bundle));

    const viaDataDir = await wardledger(['verify', file, '--data-dir', dir]);
    expect(viaDataDir.code, viaDataDir.stdout + viaDataDir.stderr).toBe(1);
    const line = viaDataDir.stdout.split('\n').find((l) => l.includes(recordId.slice(0, 12)))!;
    expect(line).toMatch(/^FAIL/);
    expect(line).toContain(`The anchor names chain 4242; the ward's chain is 22337.`);
    expect(line).toContain(`The author ${forger} is not a member of the ward.`);
    expect(line).toMatch(/member FAIL/);
    expect(line).not.toContain('Grace Hopper');
    expect(viaDataDir.stdout).not.toMatch(/not reachable/);

    const chain = await serveWardChain(dir);
    try {
      const viaRpc = await wardledger(['verify', file, '--rpc', chain.url, '--registry', registry]);
      expect(viaRpc.code).toBe(1);
      expect(viaRpc.stdout).toContain(`The anchor names chain 4242; the ward's chain is 22337.`);
      expect(viaRpc.stdout).toContain(`The author ${forger} is not a member of the ward.`);
    } finally {
      await chain.stop();
    }
    // The chain the file points at does not hold the ward the user pinned: refused, and said so.
    const onFakeChain = await wardledger(['verify', file, '--rpc', anvil.url, '--registry', registry]);
    expect(onFakeChain.code).toBe(2);
    expect(onFakeChain.stderr).toContain(`There is no ward registry at ${registry} on chain 4242`);
  });

  it("fails a forged record anchored at a fake contract on the ward's own chain: not the ward's anchor contract", async () => {
    const chain = await serveWardChain(dir);
    try {
      const fake = await deployFake(chain.node.provider);
      const { bundle, recordId } = forge(genuine, { chainId: 22337, contract: fake });
      const file = join(dir, 'forged-same-chain.json');
      writeFileSync(file, JSON.stringify(bundle));
      const viaRpc = await wardledger(['verify', file, '--rpc', chain.url, '--registry', registry]);
      expect(viaRpc.code).toBe(1);
      const line = viaRpc.stdout.split('\n').find((l) => l.includes(recordId.slice(0, 12)))!;
      expect(line).toContain(`The contract ${fake} named by the anchor is not a WardLedger anchor contract of the ward registry ${registry}.`);
      expect(line).toMatch(/member FAIL/);
      await chain.stop();
      const viaDataDir = await wardledger(['verify', file, '--data-dir', dir]);
      expect(viaDataDir.code).toBe(1);
      expect(viaDataDir.stdout).toMatch(new RegExp(`The anchor contract ${fake} is not this ward's`));
    } finally {
      await chain.stop();
    }
  });
});
