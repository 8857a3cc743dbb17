/**
 * The consortium's files in a ward's data directory, damaged: each is refused with one message
 * naming the file, what is wrong and what to do (as every data file is, platform/atomicFile.ts),
 * never skipped — a skipped transaction in flight would lose its nonce and could publish twice.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterEach, describe, expect, it } from 'vitest';
import { NonceStore } from '../../../electron/core/consortium/nonceStore';
import { loadOrCreateSyncAccount, loadSyncAccount, syncAccountPath, wardCardFromDataDir } from '../../../electron/core/consortium/syncAccount';
import { WardError } from '../../../electron/core/model/errors';
import { removeDir, tempDir } from '../../support/tempCore';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));
function dataDir(): string {
  const d = tempDir('wardledger-consortium-files-');
  dirs.push(d);
  return d;
}

function refusal(f: () => unknown): WardError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WardError);
    return e as WardError;
  }
  throw new Error('expected a refusal');
}

describe('consortium files in the data directory', () => {
  it('refuses a damaged transaction in flight instead of forgetting it', async () => {
    const dir = dataDir();
    const account = Wallet.createRandom().address;
    const store = new NonceStore(dir, account, 7);
    await store.add({ nonce: 3, hash: '0x' + 'ab'.repeat(32), raw: '0x01', purpose: 'filler', sentAt: 1 });
    await store.add({ nonce: 5, hash: '0x' + 'ef'.repeat(32), gasLimit: '3300000', purpose: 'batch:0x' + '02'.repeat(32), sentAt: 1 });
    expect(new NonceStore(dir, account, 7).list().map((e) => e.nonce)).toEqual([3, 5]);

    const file = join(store.dir, '4.json');
    for (const [text, problem] of [
      ['{"nonce": 4, "hash": "0xab', /is damaged \(it is not valid JSON\)/],
      [JSON.stringify({ nonce: 4, hash: 'pending', raw: '0x01', purpose: 'filler', sentAt: 1 }), /is damaged \(hash: /],
      // A batch's entry keeps its gas limit instead of its bytes; one with neither cannot be sent again.
      [JSON.stringify({ nonce: 4, hash: '0x' + 'cd'.repeat(32), purpose: 'batch:0x' + '01'.repeat(32), sentAt: 1 }), /is damaged \(it holds neither the signed transaction nor its gas limit\)/],
      [JSON.stringify({ nonce: 4, hash: '0x' + 'cd'.repeat(32), gasLimit: '-5', purpose: 'batch:0x' + '01'.repeat(32), sentAt: 1 }), /is damaged \(gasLimit: /],
    ] as const) {
      writeFileSync(file, text);
      const e = refusal(() => new NonceStore(dir, account, 7));
      expect(e.code).toBe('INTEGRITY');
      expect(e.message).toMatch(problem);
      expect(e.message).toContain(file);
      expect(e.message).toMatch(/may already be on the consortium chain/);
    }
  });

  it('refuses a damaged consortium account, and a ward.json without what a ward card needs', () => {
    const dir = dataDir();
    loadOrCreateSyncAccount(dir);
    writeFileSync(syncAccountPath(dir), JSON.stringify({ v: 1, privateKey: 'not a key', shareSecret: '0x00' }));
    const account = refusal(() => loadSyncAccount(dir));
    expect(account.code).toBe('INTEGRITY');
    expect(account.message).toMatch(/consortium account .* is damaged \(its key or share secret is malformed\)/);
    expect(account.message).toContain(syncAccountPath(dir));

    const ward = dataDir();
    mkdirSync(ward, { recursive: true });
    writeFileSync(join(ward, 'ward.json'), JSON.stringify({ v: 1, wardName: 'Ward 7' }));
    const card = refusal(() => wardCardFromDataDir(ward));
    expect(card.code).toBe('INTEGRITY');
    expect(card.message).toMatch(/ward's settings file .* is damaged \(team: /);
    expect(card.message).toContain(join(ward, 'ward.json'));
    expect(refusal(() => wardCardFromDataDir(dataDir())).code).toBe('NOT_FOUND');
  });
});
