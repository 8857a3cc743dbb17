import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { verifyInclusion } from '../../../electron/core/crypto/merkle';
import { leafOf } from '../../../electron/core/storage/storedRecord';
import { archiveLock, restoreBackup, writeBackup } from '../../../electron/core/storage/backupArchive';
import { createRecoveryKey, openRecoveryKey, recoveryKeyText } from '../../../electron/core/crypto/recoveryKey';
import { storePath, WardStore } from '../../../electron/core/storage/wardStore';
import { makeWard, nurseRecord, nurseVitals, putStationBatch, scopeOf, stationBatch } from '../../support/realRecords';
import { removeDir, tempDir } from '../../support/tempCore';

const T0 = Date.UTC(2026, 10, 1);
const PASS = 'correct horse battery staple';
const FAST_KDF = { N: 2 ** 10, r: 8, p: 1 };

describe('encrypted backup and restore', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = tempDir('wardledger-backup-');
    dirs.push(d);
    return d;
  };
  beforeAll(() => useFastKeccak());
  afterEach(() => dirs.splice(0).forEach(removeDir));

  /** A data directory: a store with a station batch and nurse records, keystores, settings. */
  async function dataDir() {
    const d = dir();
    const ward = makeWard(2);
    const store = await WardStore.open(storePath(d));
    const made = stationBatch(ward, Array.from({ length: 50 }, (_, i) => ({ patient: ward.patients[i % 2]!, at: T0 + i * 1000, i })));
    const nurse = nurseRecord(ward, ward.patients[0]!, nurseVitals(1), { createdAt: T0 + 99_000 });
    await store.write((w) => {
      for (const p of ward.patients) w.scope(p.address, scopeOf(ward, p).scope);
      putStationBatch(w, made);
      w.record(nurse, { vitals: 'complete' });
      w.audit({ t: 'audit', actor: ward.nurse.address, patient: ward.patients[0]!.address, action: 0, breakGlass: false, reason: null, at: T0, block: 1, tx: '0x01' });
    });
    mkdirSync(join(d, 'keystores'));
    writeFileSync(join(d, 'keystores', 'a.json'), JSON.stringify({ crypto: 'x'.repeat(5000) }));
    writeFileSync(join(d, 'station.key'), 'k'.repeat(66));
    chmodSync(join(d, 'station.key'), 0o600);
    writeFileSync(join(d, 'ward.json'), Buffer.alloc(200_000, 7)); // spans several chunks
    const files = ['keystores', 'station.key', 'ward.json'].map((name) => ({ name, path: join(d, name) }));
    return { d, store, files, records: [...made.records, nurse] };
  }

  it('restores the store and every file exactly, from one file that reveals nothing of either', async () => {
    const { d, store, files, records } = await dataDir();
    const out = join(dir(), 'ward.wlbak');
    const manifest = await writeBackup(out, PASS, { store: store.snapshot(), files }); // default scrypt cost
    await store.close();
    expect(manifest.items.map((i) => i.path)).toEqual(['records/store', 'keystores/a.json', 'station.key', 'ward.json']);
    const archive = readFileSync(out);
    expect(archive.includes(Buffer.from('xxxxxxxx'))).toBe(false);
    expect(archive.includes(Buffer.from(records[0]!.id.slice(2, 42), 'hex'))).toBe(false);

    const target = join(dir(), 'restored');
    await restoreBackup(out, PASS, target);
    for (const f of ['keystores/a.json', 'station.key', 'ward.json']) expect(readFileSync(join(target, f))).toEqual(readFileSync(join(d, f)));
    expect(statSync(join(target, 'station.key')).mode & 0o777).toBe(0o600);
    const again = await WardStore.open(storePath(target), { create: false });
    try {
      for (const r of records) expect((await again.entry(r.id))!.record).toEqual(r);
      expect((await again.activity()).items).toHaveLength(1);
      // The restored store numbers on after the restored records and trees: a new tree never
      // takes the number of a restored one (its station batch keeps its proofs).
      const before = (await again.entry(records[0]!.id))!;
      let fresh = 0;
      await again.write((w) => {
        fresh = w.tree({ root: '0x' + '11'.repeat(32), nodes: ['0x' + '11'.repeat(32)] });
      });
      expect(fresh).toBeGreaterThan(1);
      expect((await again.entry(records[0]!.id))!.record.batchSignature).toEqual(before.record.batchSignature);
    } finally {
      await again.close();
    }
  });

  it('takes a consistent snapshot while writes continue: every batch acknowledged before it is there, and only whole batches', async () => {
    const d = dir();
    const ward = makeWard(1);
    const p = ward.patients[0]!;
    const store = await WardStore.open(storePath(d));
    await store.write((w) => w.scope(p.address, scopeOf(ward, p).scope));
    let acked = -1;
    let stop = false;
    const writer = (async () => {
      for (let n = 0; !stop; n++) {
        const made = stationBatch(ward, Array.from({ length: 100 }, (_, i) => ({ patient: p, at: T0 + n * 100 + i, i })));
        await store.write((w) => void putStationBatch(w, made, {}));
        acked = n;
      }
    })();
    while (acked < 3) await new Promise((r) => setTimeout(r, 5));
    const ackedBefore = acked;
    const out = join(dir(), 'live.wlbak');
    await writeBackup(out, PASS, { store: store.snapshot(), files: [] }); // the default key derivation takes long enough for writes to go on
    const ackedAfter = acked;
    stop = true;
    await writer;
    await store.close();
    expect(ackedAfter).toBeGreaterThan(ackedBefore); // writes did go on during the backup

    const target = join(dir(), 'restored');
    await restoreBackup(out, PASS, target);
    const restored = await WardStore.open(storePath(target), { create: false });
    try {
      const items = (await restored.window(p.address, { limit: 100_000, order: 'asc' })).items;
      const perBatch = new Map<number, number>();
      for (const e of items) {
        perBatch.set(Math.floor((e.at - T0) / 100), (perBatch.get(Math.floor((e.at - T0) / 100)) ?? 0) + 1);
        expect(verifyInclusion(e.record.batchSignature!.root, leafOf(e.record), e.record.batchSignature!.proof)).toBe(true);
      }
      for (let n = 0; n <= ackedBefore; n++) expect(perBatch.get(n)).toBe(100);
      for (const count of perBatch.values()) expect(count).toBe(100);
      // The restored store goes on numbering after what it holds.
      await restored.write((w) => void w.record(nurseRecord(ward, p, nurseVitals(2), { createdAt: T0 + 10_000_000 })));
      expect((await restored.latest(p.address))!.at).toBe(T0 + 10_000_000);
    } finally {
      await restored.close();
    }
  });

  it('refuses a wrong passphrase, a changed byte, a cut-off end and a non-empty target, restoring nothing', async () => {
    const { store, files } = await dataDir();
    const out = join(dir(), 'ward.wlbak');
    await writeBackup(out, PASS, { store: store.snapshot(), files }, { kdf: FAST_KDF });
    await store.close();
    const target = join(dir(), 'restored');
    await expect(restoreBackup(out, 'wrong passphrase!', target)).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    expect(existsSync(`${target}.restoring`)).toBe(false);

    const archive = readFileSync(out);
    const changed = Buffer.from(archive);
    changed[Math.floor(archive.length / 2)]! ^= 0x01;
    const cut = archive.subarray(0, archive.length - 100);
    for (const [name, bytes] of [['changed', changed], ['cut', cut]] as const) {
      const bad = join(dir(), `${name}.wlbak`);
      writeFileSync(bad, bytes);
      await expect(restoreBackup(bad, PASS, target)).rejects.toMatchObject({ code: 'INTEGRITY' });
      expect(existsSync(target)).toBe(false);
      expect(existsSync(`${target}.restoring`)).toBe(false);
    }
    mkdirSync(target);
    writeFileSync(join(target, 'something'), 'x');
    await expect(restoreBackup(out, PASS, target)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(readdirSync(target)).toEqual(['something']);
    await expect(writeBackup(out, PASS, { files: [] })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(writeBackup(join(dir(), 'x.wlbak'), 'short', { files: [] })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('encrypted to a recovery key: opens with its private half only, says which key it needs, and refuses an edited header', async () => {
    const { d, store, files } = await dataDir();
    const { file, publicKey } = await createRecoveryKey(PASS, FAST_KDF);
    const other = await openRecoveryKey(JSON.stringify((await createRecoveryKey(PASS, FAST_KDF)).file), PASS);
    const out = join(dir(), 'ward.wlbk');
    await writeBackup(out, publicKey, { store: store.snapshot(), files });
    await store.close();
    expect(await archiveLock(out)).toEqual({ by: 'recovery-key', recoveryKey: recoveryKeyText(publicKey), fingerprint: file.fingerprint });
    const archive = readFileSync(out);
    expect(archive.includes(Buffer.from('xxxxxxxx'))).toBe(false);

    const target = join(dir(), 'restored');
    // A passphrase, or another recovery key: refused, naming the key it needs; nothing left behind.
    await expect(restoreBackup(out, PASS, target)).rejects.toThrow(new RegExp(`encrypted to a recovery key \\(${file.fingerprint}\\)`));
    await expect(restoreBackup(out, other, target)).rejects.toMatchObject({ code: 'WRONG_PASSWORD', message: expect.stringContaining(file.fingerprint) });
    expect(existsSync(target) || existsSync(`${target}.restoring`)).toBe(false);

    // The header names the other key instead (so that key would be asked for): the key check fails.
    const header = archive.toString('latin1');
    const swapped = Buffer.from(header.replace(recoveryKeyText(publicKey), recoveryKeyText(other.publicKey)), 'latin1');
    const bad = join(dir(), 'swapped.wlbk');
    writeFileSync(bad, swapped);
    await expect(restoreBackup(bad, other, target)).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    // Its ephemeral key edited: the derived key is another; refused, nothing restored.
    const eph = /"ephemeral":"([0-9a-f]{64})"/.exec(header)![1]!;
    const edited = join(dir(), 'edited.wlbk');
    writeFileSync(edited, Buffer.from(header.replace(eph, (eph[0] === '0' ? '1' : '0') + eph.slice(1)), 'latin1'));
    await expect(restoreBackup(edited, await openRecoveryKey(JSON.stringify(file), PASS), target)).rejects.toMatchObject({ code: expect.stringMatching(/WRONG_PASSWORD|INTEGRITY/) });
    expect(existsSync(target)).toBe(false);
    // Its ephemeral key replaced by a point of small order, as listed among the public keys to
    // reject in D. J. Bernstein's https://cr.yp.to/ecdh.html ("0" and "1"): said damaged, in words.
    for (const small of ['00'.repeat(32), '01' + '00'.repeat(31)]) {
      const smallOrder = join(dir(), `small-${small.slice(0, 2)}.wlbk`);
      writeFileSync(smallOrder, Buffer.from(header.replace(eph, small), 'latin1'));
      await expect(restoreBackup(smallOrder, await openRecoveryKey(JSON.stringify(file), PASS), target)).rejects.toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(/^The backup is damaged \(its key exchange is not valid\)/) });
      expect(existsSync(target) || existsSync(`${target}.restoring`)).toBe(false);
    }

    await restoreBackup(out, await openRecoveryKey(JSON.stringify(file), PASS), target);
    for (const f of ['keystores/a.json', 'station.key', 'ward.json']) expect(readFileSync(join(target, f))).toEqual(readFileSync(join(d, f)));
    // A passphrase archive says so.
    const withPass = join(dir(), 'pass.wlbk');
    await writeBackup(withPass, PASS, { files }, { kdf: FAST_KDF });
    expect(await archiveLock(withPass)).toEqual({ by: 'passphrase' });
    await expect(restoreBackup(withPass, other, join(dir(), 'r2'))).rejects.toThrow(/written with a passphrase/);
  });
});
