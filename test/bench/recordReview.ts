/**
 * Benchmark 9 — "The record page with 10,000 records, rendered in Chromium".
 *
 * Seeding: 10,000 vitals sets one minute apart (a bound oximeter's day is 1,440) written by the
 * nurse through RecordWriter.create on the core's own object graph while the core is stopped,
 * each signed at the time it was measured. Then the real `wardledger serve` on that data
 * directory and Debian's Chromium (playwright-core): the doctor logs in and opens the record.
 *
 * Measured, in the page (performance.now): from the route change to the record page with the
 * flowsheet, the first page of the list and every chart drawn, two animation frames later
 * (painted) — the first open, then the median of later opens (the core's verified cache warm). The
 * page opens on the record's last 72 hours (4,320 of these sets); of that, the records/history
 * request (Resource Timing) is the core's part, the rest the renderer's. Then "Load earlier
 * records" pressed until the list holds all 10,000 ("of 10,000"), and over them a filter change
 * (kind = Note, an empty result) and a page turn.
 */
import type { Page } from 'playwright-core';
import { observationContent } from '../../electron/core/clinical/vitalsAssessment';
import { launchChromium } from '../e2e/support/wardServer';
import { spawnServe } from '../support/serveProcess';
import { closeBenchWard, openBenchWard, seedVitals, vitalsSet } from './fixture';
import { median } from './stats';
import { makeRow, type BenchRow } from './table';

export interface ReviewOptions {
  records: number;
  seedConcurrency: number;
  opens: number;
}

export const defaultReviewOptions: ReviewOptions = { records: Number(process.env.BENCH_REVIEW_RECORDS ?? 10_000), seedConcurrency: 256, opens: 5 };

/** Vitals sets one minute apart up to now, each signed when it was measured. */
function seed(dir: string, patient: string, nurse: { name: string; password: string }, o: ReviewOptions): Promise<{ ms: number }> {
  const start = Date.now() - o.records * 60_000;
  return seedVitals(dir, patient, nurse, {
    records: o.records,
    concurrency: o.seedConcurrency,
    record: (i) => {
      const at = start + i * 60_000;
      return { content: observationContent({ vitals: vitalsSet(i) }, 1, { kind: 'entered', now: at }), createdAt: at };
    },
  });
}

interface OpenTiming {
  totalMs: number;
  historyMs: number;
  renderMs: number;
}

/**
 * In-page code as text: tsx names functions with a helper (`__name`) that does not exist in the
 * page, so what runs in Chromium is plain JavaScript. `waitFor(text)` resolves, two frames after
 * the list status says `text` (painted), with the time since `window.__t0`.
 */
const inPageHelpers = `
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const statusText = () => (document.getElementById('record-list-status') || {}).textContent || '';
  async function waitFor(text, alsoReady) {
    const deadline = performance.now() + 120000;
    while (!(statusText().includes(text) && (!alsoReady || alsoReady()))) {
      if (performance.now() > deadline) throw new Error('The record page did not show "' + text + '" in time (status: ' + statusText() + ').');
      await frame();
    }
    await frame();
    await frame();
    return performance.now() - window.__t0;
  }
  async function waitForChange(from) {
    const deadline = performance.now() + 120000;
    while (statusText() === from) {
      if (performance.now() > deadline) throw new Error('The list did not change in time (status: ' + from + ').');
      await frame();
    }
  }
`;

/** The list's status line ("Records 1–50 of 4,321, newest first"). */
async function statusOf(page: Page): Promise<string> {
  return (await page.locator('#record-list-status').textContent()) ?? '';
}

/** Route to the record and time it until flowsheet, list (first page) and charts are painted. */
async function openRecord(page: Page, patient: string, expectText: string): Promise<OpenTiming> {
  await page.evaluate(`location.hash = '#/'`);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  return page.evaluate(`(async () => {
    ${inPageHelpers}
    performance.clearResourceTimings();
    window.__t0 = performance.now();
    location.hash = ${JSON.stringify(`#/patients/${patient}`)};
    const totalMs = await waitFor(${JSON.stringify(expectText)}, () => document.querySelector('.flowsheet__table') && document.querySelectorAll('canvas').length >= 7);
    const history = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/records/history'));
    const historyMs = history ? history.responseEnd - Math.max(window.__t0, history.startTime) : NaN;
    return { totalMs, historyMs, renderMs: totalMs - historyMs };
  })()`) as Promise<OpenTiming>;
}

/** Time from a change on the page to the list status saying `expectText`, painted. */
async function timeChange(page: Page, change: () => Promise<unknown>, expectText: string): Promise<number> {
  await page.evaluate(`window.__t0 = performance.now()`);
  await change();
  return page.evaluate(`(async () => { ${inPageHelpers} return waitFor(${JSON.stringify(expectText)}); })()`) as Promise<number>;
}

export async function benchRecordReview(o: ReviewOptions = defaultReviewOptions): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  const w = await openBenchWard();
  await w.core.stop();
  const seedMs = (await seed(w.dir, w.patient, w.ward.people.nurse, o)).ms;
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
    // The page opens on the last 72 hours: the list says how many of the records that is.
    const opened = 'Records 1–50 of ';
    const first = await openRecord(page, w.patient, opened);
    const later: OpenTiming[] = [];
    for (let i = 0; i < o.opens; i++) later.push(await openRecord(page, w.patient, opened));
    const windowRecords = Number(/of ([\d,]+)/.exec(await statusOf(page))?.[1]?.replace(/,/g, '') ?? NaN);
    // BENCH_REVIEW_PROFILE=/tmp/review.cpuprofile: a CPU profile of one more open (Chrome DevTools format).
    const profilePath = process.env.BENCH_REVIEW_PROFILE;
    if (profilePath) {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
      await openRecord(page, w.patient, opened);
      const { profile } = await cdp.send('Profiler.stop');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(profilePath, JSON.stringify(profile));
    }
    // Every earlier window, one press at a time, until the list holds the whole record.
    const earlierPresses: number[] = [];
    const loadAllMs = await timeChange(
      page,
      async () => {
        for (let i = 0; i < 100 && !(await statusOf(page)).includes(`of ${n}`); i++) {
          const before = await statusOf(page);
          const t0 = performance.now();
          await page.getByRole('button', { name: 'Load earlier records', exact: true }).click();
          // The list's count grows once the earlier window is in (watched in the page, frame by frame).
          await page.evaluate(`(async () => { ${inPageHelpers} await waitForChange(${JSON.stringify(before)}); })()`);
          earlierPresses.push(performance.now() - t0);
        }
      },
      `Records 1–50 of ${n}`,
    );
    const filterMs = await timeChange(page, () => page.getByLabel('Kind', { exact: true }).selectOption({ label: 'Note' }), 'No records match');
    const clearMs = await timeChange(page, () => page.getByLabel('Kind', { exact: true }).selectOption({ label: 'All kinds' }), `Records 1–50 of ${n}`);
    const turnMs = await timeChange(page, () => page.getByRole('button', { name: 'Older', exact: true }).click(), `Records 51–100 of ${n}`);
    const rendered = (await page.evaluate(
      `({ rows: document.querySelectorAll('.record-row').length, columns: document.querySelectorAll('.flowsheet__table thead th').length - 1 })`,
    )) as { rows: number; columns: number };
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
          note: `the last 72 hours: ${windowRecords.toLocaleString('en-GB')} records; records/history ${first.historyMs.toFixed(0)} ms of it (decrypt, verify), renderer ${first.renderMs.toFixed(0)} ms`,
        }),
        makeRow({
          name: `Record page with ${label}: every earlier window loaded`,
          figure: loadAllMs,
          unit: 'ms',
          target: null,
          baseline: null,
          note: `"Load earlier records" pressed ${earlierPresses.length} times until the list said "of ${n}" (each press ${earlierPresses.map((t) => t.toFixed(0)).join(', ')} ms, Playwright's round trips included)`,
        }),
        makeRow({ name: `Record page with ${label}: filter by kind (no match)`, figure: filterMs, unit: 'ms', target: null, baseline: null, note: `back to all kinds ${clearMs.toFixed(0)} ms; one page turn ${turnMs.toFixed(0)} ms` }),
      ],
      details: { seededRecords: o.records, seedMs, first, later, windowRecords, loadAllMs, earlierPresses, filterMs, clearMs, turnMs, rendered },
    };
  } finally {
    await browser.close();
    await serve.stop();
    await closeBenchWard({ dir: w.dir, core: null });
  }
}
