/**
 * Bed bindings in the ward store (records/bedBindingStore.ts, issue 12: "everything the store holds
 * today … station bindings"), on a real store in a temporary directory: kept and removed durably
 * across a reopen, and a data directory's bindings.json from before imported once.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreBindings, type StoredBinding } from '../../../electron/core/records/bedBindingStore';
import { WardStore } from '../../../electron/core/storage/wardStore';
import { removeDir, tempDir } from '../../support/tempCore';

const binding = (serial: string, patient: string, since = 1): StoredBinding => ({
  driver: 'beurer-po80',
  serial,
  model: 'Beurer PO80',
  patient,
  intervalSeconds: 60,
  boundBy: 'Nora Nurse',
  since,
});
const alice = '0x' + '2'.repeat(40);
const bob = '0x' + '3'.repeat(40);

describe('bed bindings in the ward store', () => {
  const dirs: string[] = [];
  const stores: WardStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    dirs.splice(0).forEach(removeDir);
  });
  const open = async (dir: string) => {
    const store = await WardStore.open(join(dir, 'records'));
    stores.push(store);
    return { store, bindings: new StoreBindings(() => store, dir) };
  };
  const newDir = () => {
    const d = tempDir('wardledger-bindings-');
    dirs.push(d);
    return d;
  };

  it('keeps, replaces and removes a monitor’s binding across a reopen', async () => {
    const dir = newDir();
    const first = await open(dir);
    await first.bindings.put(binding('A', alice));
    await first.bindings.put(binding('B', alice));
    await first.bindings.put(binding('A', bob, 2)); // the same monitor bound again: one binding
    await first.bindings.remove({ driver: 'beurer-po80', serial: 'B' });
    await first.store.close();
    stores.pop();
    const reopened = await open(dir);
    expect(await reopened.bindings.load()).toEqual([binding('A', bob, 2)]);
  });

  it('imports bindings.json from before once, keeps a newer binding of the same monitor, and removes the file', async () => {
    const dir = newDir();
    const { store, bindings } = await open(dir);
    await bindings.put(binding('A', bob, 5));
    const file = join(dir, 'bindings.json');
    writeFileSync(file, JSON.stringify({ v: 1, bindings: [binding('A', alice), binding('C', alice)] }));
    const loaded = await bindings.load();
    expect(loaded).toHaveLength(2);
    expect(loaded).toEqual(expect.arrayContaining([binding('A', bob, 5), binding('C', alice)]));
    expect(existsSync(file)).toBe(false);
    expect((await store.counts()).bindings).toBe(2);
  });

  it('refuses a damaged bindings.json with a clear error and imports nothing', async () => {
    const dir = newDir();
    const { store, bindings } = await open(dir);
    writeFileSync(join(dir, 'bindings.json'), JSON.stringify({ v: 1, bindings: [{ ...binding('A', alice), patient: 'Alice' }] }));
    await expect(bindings.load()).rejects.toMatchObject({ message: expect.stringContaining('bed bindings file') });
    expect((await store.counts()).bindings).toBe(0);
    expect(existsSync(join(dir, 'bindings.json'))).toBe(true);
  });
});
