/**
 * The author's role is among the signed fields (issue 9, item 15): EIP-712 typed data version 2.
 * A role edited on disk or in an export no longer verifies; records written before (version 1,
 * role unsigned) still verify. Records of the earlier version are made here as that version made
 * them: the same stored record without `signedVersion`, signed over the role-less fields by the
 * author's own key (opened from the author's keystore with ethers), written into the stopped
 * ward's store through its own key layout (storeTampering.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRecord } from '../../../electron/core/crypto/recordSignature';
import { fieldsOf } from '../../../electron/core/records/recordCodec';
import type { WardCore } from '../../../electron/core/shellContract';
import type { StoredRecord } from '../../../electron/core/storage/storedRecord';
import { storePath, WardStore } from '../../../electron/core/storage/wardStore';
import { alterRecord } from '../../support/storeTampering';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

type Ward = Awaited<ReturnType<typeof staffedWard>>;

describe('the author\'s role is signed (real core, real ganache)', () => {
  let dir: string;
  let core: WardCore;
  let w: Ward;
  let doctor: Caller;
  const ids: string[] = [];

  /** The stored records of a stopped ward, by id. */
  async function stored(recordIds: string[]): Promise<StoredRecord[]> {
    const store = await WardStore.open(storePath(dir), { create: false });
    try {
      return await Promise.all(recordIds.map(async (id) => (await store.entry(id, { proofs: false }))!.record));
    } finally {
      await store.close();
    }
  }
  const history = async () => (await doctor.ok('records/history', { patient: w.addresses.patient })).records;
  async function restart(): Promise<void> {
    await core.stop();
    core = await startCore(dir);
    doctor = new Caller(core);
    await doctor.login(w.people.doctor.name, w.people.doctor.password);
  }

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    w = await staffedWard(core);
    doctor = w.callers.doctor;
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '6', responsibleDoctor: w.addresses.doctor });
    for (const pulse of [71, 72, 73]) ids.push((await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: { pulse, spo2: 97 }, missingReason: 'Spot check' })).id);
    // Opened once, so the persistent verification memos are written.
    expect((await history()).every((r) => r.provenance.status === 'verified')).toBe(true);
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('writes every record with its role signed (typed data version 2)', async () => {
    await core.stop();
    const mine = await stored(ids);
    expect(mine.map((r) => [r.signedVersion, r.authorRole])).toEqual(ids.map(() => [2, 'nurse']));
    await restart();
  });

  it('shows a record whose role was edited on disk as tampered, also after a restart with memos written', async () => {
    await core.stop();
    await alterRecord(dir, ids[0]!, (r) => {
      r.authorRole = 'doctor';
    });
    core = await startCore(dir);
    doctor = new Caller(core);
    await doctor.login(w.people.doctor.name, w.people.doctor.password);
    const edited = (await history()).find((r) => r.id === ids[0])!;
    expect(edited.provenance).toMatchObject({ status: 'tampered', signatureValid: false });
    expect((await history()).filter((r) => r.id !== ids[0]).every((r) => r.provenance.status === 'verified')).toBe(true);
  });

  it('still verifies a record written before the role was signed (version 1)', async () => {
    await core.stop();
    const keystore = readFileSync(join(dir, 'keystores', `${w.addresses.nurse.toLowerCase()}.json`), 'utf8');
    const nurseKey = (await ethers.decryptKeystoreJson(keystore, w.people.nurse.password)).privateKey;
    await alterRecord(dir, ids[1]!, (r) => {
      delete r.signedVersion;
      r.signature = signRecord(nurseKey, fieldsOf(r));
    });
    const [earlierStored] = await stored([ids[1]!]);
    expect(earlierStored!.signedVersion).toBeUndefined();
    expect(fieldsOf(earlierStored!).authorRole).toBeUndefined();
    await restart();
    const earlier = (await history()).find((r) => r.id === ids[1])!;
    expect(earlier.provenance.status, JSON.stringify(earlier.provenance)).toBe('verified');
    expect(earlier.author.role).toBe('nurse');
  });

  it('an export states the signed role; a role edited in the file fails verification and says why', async () => {
    const exp = await doctor.ok('export/fhir', { patient: w.addresses.patient });
    const report = await doctor.ok('verify/fhir', { bundle: exp.bundle });
    expect(report.items.find((i) => i.recordId === ids[2])).toMatchObject({ ok: true, signature: true });
    expect(report.items.find((i) => i.recordId === ids[1])).toMatchObject({ ok: true }); // version 1 record

    const edited = JSON.parse(JSON.stringify(exp.bundle));
    for (const entry of edited.entry as Array<{ resource: { resourceType: string; target?: Array<{ reference: string }>; agent?: Array<{ role?: Array<{ coding: Array<{ code: string }>; text: string }> }> } }>) {
      const r = entry.resource;
      if (r.resourceType !== 'Provenance' || !JSON.stringify(r).includes(ids[2]!.slice(2, 20))) continue;
      for (const role of (r.agent ?? []).flatMap((a) => a.role ?? [])) {
        role.coding[0]!.code = 'doctor';
        role.text = 'doctor';
      }
    }
    const bad = await doctor.ok('verify/fhir', { bundle: edited });
    const item = bad.items.find((i) => i.recordId === ids[2])!;
    // The signature itself still holds; the file no longer says what was signed, and says where.
    expect(item).toMatchObject({ ok: false, signature: true, integrity: false });
    expect(item.problems.join(' ')).toMatch(/Provenance agent\[0\]\.role\[0\]\.coding\[0\]\.code: the file says "doctor", the signed record says "nurse"/);
  });
});
