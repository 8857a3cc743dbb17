/**
 * Child process of memberIndexCrash.test.ts: indexes the older anchor-batch members of the store
 * at argv[2] (WardStore.indexOlderMembers, STEP members a step), printing "step M" once a step is
 * durable (M: the marker after it) and "done" at the end; then waits to be killed.
 */
import { useFastKeccak } from '../../../electron/core/crypto/keccak';
import { WardStore } from '../../../electron/core/storage/wardStore';

/** Members a step: smaller than a tree of the test's (20), so every step indexes one tree. */
export const STEP = 15;

async function main(): Promise<void> {
  await useFastKeccak();
  const store = await WardStore.open(process.argv[2]!);
  process.stdout.write(`from ${store.membersIndexedFrom}\n`);
  while (await store.indexOlderMembers(STEP)) process.stdout.write(`step ${store.membersIndexedFrom}\n`);
  process.stdout.write('done\n');
  await new Promise(() => undefined);
}

// Imported by the test for its constants; run only as the child process.
if (process.argv[1]?.endsWith('backfillCrasher.ts')) void main();
