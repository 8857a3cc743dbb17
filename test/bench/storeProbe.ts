/**
 * Child process of the store benchmark (storeGrowth.ts): open the store at argv[2] as after a
 * reboot (its files evicted from the page cache first), report open time, idle memory, and the
 * first and a repeated read of one patient's last 72 hours and of another patient's last 10,000
 * records (argv: store path, records on file, patient, other patient).
 */
import { spawnSync } from 'node:child_process';
import { useFastKeccak } from '../../electron/core/crypto/keccak';
import { WardStore } from '../../electron/core/storage/wardStore';
import { STEP_MS, T0 } from './storeTimeline';

const [, , path, totalArg, patient, other] = process.argv as [string, string, string, string, string, string];

/** Drop the store's files from the page cache (fsync, then posix_fadvise DONTNEED). */
function evict(): void {
  spawnSync('python3', ['-c', 'import os,sys\nfor r,_,fs in os.walk(sys.argv[1]):\n  for f in fs:\n    fd=os.open(os.path.join(r,f),os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED); os.close(fd)', path]);
}

/** Wall time, and CPU time of the whole process (it does not move with other processes' load). */
async function timedMs<T>(fn: () => Promise<T>): Promise<[T, number, number]> {
  const t = performance.now();
  const c = process.cpuUsage();
  const v = await fn();
  const cpu = process.cpuUsage(c);
  return [v, performance.now() - t, (cpu.user + cpu.system) / 1000];
}

async function main(): Promise<void> {
  await useFastKeccak();
  evict();
  const [store, openMs, openCpuMs] = await timedMs(() => WardStore.open(path, { create: false }));
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const rssIdleMb = process.memoryUsage().rss / 2 ** 20;

  const now = T0 + (Number(totalArg) - 1) * STEP_MS;
  const last72h = async (proofs = true) => (await store.window(patient, { from: now - 72 * 3600_000, to: now, limit: 100_000, proofs })).items.length;
  const last10k = async () => {
    let n = 0;
    let cursor: string | null = null;
    do {
      const page = await store.window(other, { limit: Math.min(10_000 - n, 5000), cursor });
      n += page.items.length;
      cursor = n < 10_000 ? page.next : null;
    } while (cursor);
    return n;
  };
  const [windowRecords, windowCold, windowColdCpu] = await timedMs(last72h);
  const [, windowWarm, windowWarmCpu] = await timedMs(last72h);
  // As a warm open would read once memos vouch for the records (proofs only for what fails them).
  const [, windowLight, windowLightCpu] = await timedMs(() => last72h(false));
  const [rangeRecords, rangeCold, rangeColdCpu] = await timedMs(last10k);
  const [, rangeWarm, rangeWarmCpu] = await timedMs(last10k);
  await store.close();
  console.log(
    JSON.stringify({
      openMs,
      openCpuMs,
      rssIdleMb,
      window72h: { records: windowRecords, coldMs: windowCold, warmMs: windowWarm, coldCpuMs: windowColdCpu, warmCpuMs: windowWarmCpu },
      window72hWithoutProofs: { ms: windowLight, cpuMs: windowLightCpu },
      range10k: { records: rangeRecords, coldMs: rangeCold, warmMs: rangeWarm, coldCpuMs: rangeColdCpu, warmCpuMs: rangeWarmCpu },
    }),
  );
}

void main();
