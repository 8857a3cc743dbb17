/**
 * A quick harness for row 10's first opens (issue 12): a small ward (F12_SIZE records, default
 * 20,000, with a BENCH_GROWTH_HEAVY-record patient: 10,000 gives one 10,000-record history) seeded
 * once into F12_DIR through the growth bench's internal write paths, then the built `wardledger
 * serve` started (page cache evicted), the doctor's first opens timed with the serve process's
 * CPU: an ordinary patient's last 72 h (one page), the heavy patient's whole history, then after
 * a restart the whole history again. F12_FORGET=1 removes every persistent verification memo
 * first (what a ward's records had before memos were written when their anchor was recorded).
 *
 *   BENCH_GROWTH_HEAVY=10000 F12_DIR=/tmp/f12-small npx tsx test/bench/firstOpens.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { forgetMemos, openHistory, rssMb, seed, setUp, stageOf, start, type GrowthWard } from './wardGrowth';

const dir = process.env.F12_DIR ?? '/tmp/f12-small';
const size = Number(process.env.F12_SIZE ?? 20_000);
/** A growth bench directory (BENCH_GROWTH_DIR) is measured as it is: its first size's patients. */
const growthState = join(dir, 'growth-bench.json');
const stateFile = existsSync(growthState) ? growthState : join(dir, 'first-opens.json');

async function main(): Promise<void> {
  let g: GrowthWard;
  if (existsSync(stateFile)) g = JSON.parse(readFileSync(stateFile, 'utf8')) as GrowthWard;
  else {
    g = await setUp(dir);
    const seconds = await seed(dir, g, stageOf(g, 0), 0, size);
    g.onFile = size;
    writeFileSync(stateFile, JSON.stringify(g));
    process.stderr.write(`seeded ${size} in ${seconds.toFixed(0)} s\n`);
  }
  const stage = stageOf(g, 0);
  const ordinary = g.patients[7]!;
  if (process.env.F12_FORGET === '1') await forgetMemos(dir);
  const load = () => loadavg()[0]!.toFixed(1);
  let s = await start(dir, g.doctor);
  const out: Record<string, unknown> = { readyMs: Math.round(s.readyMs), readyCpuMs: s.readyCpuMs, rssAfterStartMb: Math.round(s.rssAfterStartMb), load: load() };
  try {
    out.last72h = await openHistory(s, ordinary, 1);
    if (process.env.F12_ONLY_72H === '1') return;
    out.heavy = await openHistory(s, stage.heavy40);
    await new Promise((r) => setTimeout(r, 3000));
    out.rssAfterOpensMb = Math.round(rssMb(s.serve.pid));
    out.anonAfterOpensMb = Math.round(rssMb(s.serve.pid, 'RssAnon'));
    await s.serve.stop();
    s = await start(dir, g.doctor);
    out.heavyAfterRestart = await openHistory(s, stage.heavy40);
    out.loadAfter = load();
  } finally {
    await s.serve.stop();
    console.log(JSON.stringify(out));
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
