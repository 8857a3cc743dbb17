/**
 * Benchmark 9 — "The record page with 10,000 records, rendered in Chromium".
 *
 * Seeding: 10,000 vitals sets one minute apart (a bound oximeter's day is 1,440) written by the
 * nurse through RecordWriter.create on the core's own object graph while the core is stopped,
 * each signed at the time it was measured. Then the real `wardledger serve` on that data
 * directory and Debian's Chromium (playwright-core): the doctor logs in and opens the record.
 *
 * Measured, in the page (performance.now): from the route change to the record page with the
 * flowsheet, the first page of the list ("of 10,000") and every chart drawn, two animation frames
 * later (painted) — the first open, then the median of later opens (the core's verified cache
 * warm). Of that, the records/history request (Resource Timing) is the core's part; the rest is the
 * renderer's. Also a filter change (kind = Note, an empty result over 10,000) and a page turn.
 */
import type { Page } from 'playwright-core';
import { observationContent } from '../../electron/core/clinical/vitalsAssessment';
import type { ChainMember } from '../../electron/core/chain/registryClient';
import { launchChromium } from '../e2e/support/wardServer';
import { spawnServe } from '../support/serveProcess';
import { openInternals } from '../support/pipelineInternals';
import { closeBenchWard, openBenchWard, vitalsSet } from './fixture';
import { median, timed } from './stats';
import { makeRow, type BenchRow } from './table';

export interface ReviewOptions {
  records: number;
  seedConcurrency: number;
  opens: number;
}

export const defaultReviewOptions: ReviewOptions = { records: 10_000, seedConcurrency: 256, opens: 5 };

async function seed(dir: string, patient: string, nurse: { name: string; password: string }, o: ReviewOptions): Promise<number> {
  const g = await openInternals(dir);
  try {
    const actor = await g.actor(nurse.name, nurse.password);
    const member = g.identity.member.bind(g.identity);
    const members = new Map<string, Promise<ChainMember | null>>();
    g.identity.member = (a: string) => members.get(a) ?? (members.set(a, member(a)), members.get(a)!);
    const start = Date.now() - o.records * 60_000;
    const write = (i: number) => {
      const at = start + i * 60_000;
      return g.writer.create(actor, patient, 'vitals', observationContent({ vitals: vitalsSet(i) }, 1, { kind: 'entered', now: at }), { createdAt: at });
    };
    // The first record opens the patient's key scope (see historyOpen.ts).
    await write(0);
    let next = 1;
    const { ms } = await timed(() =>
      Promise.all(
        Array.from({ length: o.seedConcurrency }, async () => {
          while (next < o.records) await write(next++);
        }),
      ),
    );
    return ms;
  } finally {
    await g.close();
  }
}

/** The few browser globals the in-page timing code uses (this project's Node tsconfig has no DOM lib). */
interface InPage {
  location: { hash: string };
  requestAnimationFrame(cb: () => void): number;
  document: {
    getElementById(id: string): { textContent: string | null } | null;
    querySelector(selector: string): unknown;
    querySelectorAll(selector: string): { length: number };
  };
  performance: {
    now(): number;
    clearResourceTimings(): void;
    getEntriesByType(type: 'resource'): Array<{ name: string; startTime: number; responseEnd: number }>;
  };
  __t0: number;
}

interface OpenTiming {
  totalMs: number;
  historyMs: number;
  renderMs: number;
}

/** Route to the record and time it until flowsheet, list and charts are painted. */
async function openRecord(page: Page, patient: string, expectText: string): Promise<OpenTiming> {
  await page.evaluate(() => {
    (globalThis as unknown as InPage).location.hash = '#/';
  });
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await page.evaluate(() => (globalThis as unknown as InPage).performance.clearResourceTimings());
  return page.evaluate(
    ({ patient, expectText }) =>
      new Promise<OpenTiming>((resolve, reject) => {
        const { document, performance, location, requestAnimationFrame } = globalThis as unknown as InPage;
        const t0 = performance.now();
        location.hash = `#/patients/${patient}`;
        const deadline = t0 + 120_000;
        const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
        const check = async (): Promise<void> => {
          const status = document.getElementById('record-list-status')?.textContent ?? '';
          const ready = status.includes(expectText) && document.querySelector('.flowsheet__table') && document.querySelectorAll('canvas').length >= 7;
          if (!ready) {
            if (performance.now() > deadline) return reject(new Error(`The record page did not show "${expectText}" in time (status: ${status}).`));
            await frame();
            return check();
          }
          await frame();
          await frame();
          const total = performance.now() - t0;
          const history = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/records/history'));
          const historyMs = history ? history.responseEnd - Math.max(t0, history.startTime) : NaN;
          resolve({ totalMs: total, historyMs, renderMs: total - historyMs });
        };
        void check();
      }),
    { patient, expectText },
  );
}

/** Time from a change on the page to the list status saying `expectText`, painted. */
async function timeChange(page: Page, change: () => Promise<void>, expectText: string): Promise<number> {
  await page.evaluate(() => {
    const g = globalThis as unknown as InPage;
    g.__t0 = g.performance.now();
  });
  await change();
  return page.evaluate(
    (expectText) =>
      new Promise<number>((resolve) => {
        const g = globalThis as unknown as InPage;
        const { document, requestAnimationFrame } = g;
        const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
        const check = async (): Promise<void> => {
          if (!(document.getElementById('record-list-status')?.textContent ?? '').includes(expectText)) {
            await frame();
            return check();
          }
          await frame();
          resolve(g.performance.now() - g.__t0);
        };
        void check();
      }),
    expectText,
  );
}

export async function benchRecordReview(o: ReviewOptions = defaultReviewOptions): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  const w = await openBenchWard();
  await w.core.stop();
  const seedMs = await seed(w.dir, w.patient, w.ward.people.nurse, o);
  const serve = spawnServe(w.dir);
  const browser = await launchChromium();
  try {
    const url = await serve.ready;
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    await page.goto(url);
    await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 60_000 });
    const u = new URL(page.url());
    u.hash = '#/login';
    await page.goto(u.toString());
    await page.getByLabel('Name', { exact: true }).fill(w.ward.people.doctor.name);
    await page.getByLabel('Password', { exact: true }).fill(w.ward.people.doctor.password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor({ timeout: 60_000 });

    const n = o.records.toLocaleString('en-US');
    const first = await openRecord(page, w.patient, `of ${n}`);
    const later: OpenTiming[] = [];
    for (let i = 0; i < o.opens; i++) later.push(await openRecord(page, w.patient, `of ${n}`));
    const filterMs = await timeChange(page, () => page.getByLabel('Kind', { exact: true }).selectOption({ label: 'Note' }).then(() => undefined), 'No records match');
    const clearMs = await timeChange(page, () => page.getByLabel('Kind', { exact: true }).selectOption({ label: 'All kinds' }).then(() => undefined), `Records 1–50 of ${n}`);
    const turnMs = await timeChange(page, () => page.getByRole('button', { name: 'Older', exact: true }).click(), `Records 51–100 of ${n}`);
    const rendered = await page.evaluate(() => {
      const { document } = globalThis as unknown as InPage;
      return { rows: document.querySelectorAll('.record-row').length, columns: document.querySelectorAll('.flowsheet__table thead th').length - 1 };
    });
    if (rendered.rows !== 50) throw new Error(`The list shows ${rendered.rows} rows, not one page of 50.`);

    const laterRender = median(later.map((t) => t.renderMs));
    const laterTotal = median(later.map((t) => t.totalMs));
    const laterHistory = median(later.map((t) => t.historyMs));
    const label = `${o.records.toLocaleString('en-GB')} records`;
    return {
      rows: [
        makeRow({
          name: `Record page with ${label}: open until painted — later opens`,
          figure: laterTotal,
          unit: 'ms',
          target: null,
          baseline: null,
          note: `median of ${o.opens}; records/history ${laterHistory.toFixed(0)} ms of it, the renderer (adapter, flowsheet window, list page of 50, 8 charts downsampled to ≤ 720 points) ${laterRender.toFixed(0)} ms`,
        }),
        makeRow({ name: `Record page with ${label}: renderer part — later opens`, figure: laterRender, unit: 'ms', target: null, baseline: null, note: 'open until painted, minus the records/history request (Resource Timing)' }),
        makeRow({
          name: `Record page with ${label}: first open after start`,
          figure: first.totalMs,
          unit: 'ms',
          target: null,
          baseline: null,
          note: `records/history ${first.historyMs.toFixed(0)} ms of it (cold: decrypt and verify all), renderer ${first.renderMs.toFixed(0)} ms`,
        }),
        makeRow({ name: `Record page with ${label}: filter by kind (no match)`, figure: filterMs, unit: 'ms', target: null, baseline: null, note: `back to all kinds ${clearMs.toFixed(0)} ms; one page turn ${turnMs.toFixed(0)} ms` }),
      ],
      details: { seededRecords: o.records, seedMs, first, later, filterMs, clearMs, turnMs, rendered },
    };
  } finally {
    await browser.close();
    await serve.stop();
    await closeBenchWard({ dir: w.dir, core: null });
  }
}
