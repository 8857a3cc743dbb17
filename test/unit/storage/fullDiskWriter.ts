/**
 * Child process of fullDisk.test.ts, run under a file-size limit (`prlimit --fsize`), which makes
 * LevelDB's writes fail part-way as a full disk does: commits 10 KB values into the store's
 * key-value layer at argv[2], printing "acked KEY" once a commit is durable and "failed KEY MESSAGE"
 * when it is refused. At the first refusal it prints "full" and waits for "freed" on its standard
 * input (the parent has lifted the limit meanwhile), then commits AFTER more, prints "done" and
 * waits to be killed.
 */
import { createInterface } from 'node:readline';
import { LevelKv } from '../../../electron/core/storage/levelKv';

export const VALUE_BYTES = 10_000;
export const AFTER = 5;
export const valueOf = (key: string): Uint8Array => Buffer.alloc(VALUE_BYTES, key);

async function commit(kv: LevelKv, key: string): Promise<boolean> {
  try {
    await kv.commit([{ type: 'put', key: Buffer.from(key), value: valueOf(key) }]);
    process.stdout.write(`acked ${key}\n`);
    return true;
  } catch (e) {
    process.stdout.write(`failed ${key} ${(e as Error).message.replace(/\n/g, ' ')}\n`);
    return false;
  }
}

async function main(): Promise<void> {
  const kv = await LevelKv.open(process.argv[2]!);
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  for (let i = 0; await commit(kv, `before-${i}`); i++);
  process.stdout.write('full\n');
  await lines.next();
  for (let j = 0; j < AFTER; j++) await commit(kv, `after-${j}`);
  process.stdout.write('done\n');
  await new Promise(() => undefined);
}

if (process.argv[1]?.endsWith('fullDiskWriter.ts')) void main();
