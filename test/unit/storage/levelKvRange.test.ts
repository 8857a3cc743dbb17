/**
 * Range reads of the store's LevelDB (storage/levelKv.ts) return every entry of the range, in
 * order, whatever the entries weigh: a window of 5,000 record bodies is read in one native call
 * (classic-level's iterators otherwise stop each call at 16 KiB, `highWaterMarkBytes` in its
 * README), and a longer range is read in chunks and joined.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LevelKv } from '../../../electron/core/storage/levelKv';
import { removeDir, tempDir } from '../../support/tempCore';

const opened: Array<{ kv: LevelKv; dir: string }> = [];
afterEach(async () => {
  for (const { kv, dir } of opened.splice(0)) {
    await kv.close();
    removeDir(dir);
  }
});

const keyOf = (i: number) => Buffer.from([0x42, i >> 8, i & 0xff]);
/** A value of about a record body's size, unique per entry. */
const valueOf = (i: number) => Buffer.alloc(1200, i % 251);

async function filled(n: number): Promise<LevelKv> {
  const dir = tempDir('wardledger-kv-');
  const kv = await LevelKv.open(dir);
  opened.push({ kv, dir });
  await kv.commit(Array.from({ length: n }, (_, i) => ({ type: 'put' as const, key: keyOf(i), value: valueOf(i) })));
  return kv;
}

describe('LevelKv.range', () => {
  it('a limited range of heavy values: exactly the limit, newest first, each value whole', async () => {
    const kv = await filled(6000);
    const rows = await kv.range({ gte: keyOf(0), lt: Buffer.from([0x43]), reverse: true, limit: 5001 });
    expect(rows.length).toBe(5001);
    rows.forEach(([k, v], j) => {
      const i = 5999 - j;
      expect(Buffer.from(k).equals(keyOf(i))).toBe(true);
      expect(Buffer.from(v).equals(valueOf(i))).toBe(true);
    });
  });

  it('an unlimited range longer than one native read (by count and by bytes): every entry once, in key order', async () => {
    const kv = await filled(12_000);
    const rows = await kv.range({ gt: keyOf(10), lt: Buffer.from([0x43]) });
    expect(rows.map(([k]) => Buffer.from(k).readUInt16BE(1))).toEqual(Array.from({ length: 11_989 }, (_, j) => j + 11));
    expect(rows.every(([k, v]) => Buffer.from(v).equals(valueOf(Buffer.from(k).readUInt16BE(1))))).toBe(true);
    expect(await kv.count({ gte: keyOf(0), lt: Buffer.from([0x43]) })).toBe(12_000);
  });
});
