/**
 * Issue 11, the ward board at ward scale, in real Chromium against `wardledger serve --demo`
 * filled to 30 beds through the API: all 30 rows on one 1920×1080 screen, one line each with the
 * patient's three identifiers (name, date of birth, hospital number; the DOB and hospital number
 * whole and on screen, a long name cut with the whole name in its title), in the normal and the
 * large display mode (which is remembered); warnings never cut; two lines a row on a 1366×768
 * workstation with the identifiers under the name and the due time on one line; the doctor's list
 * in the same rows; parameter cells coloured by their NEWS2 sub-score with the colour key on
 * screen, sorting and filtering kept through a reload, and each row's actions menu used by
 * keyboard alone (WAI-ARIA Authoring Practices, "Menu Button Pattern": Enter/Space/Arrow Down
 * open on the first item, Arrow Up on the last, arrows/Home/End move, Escape closes and returns
 * the focus to the button). The workstation's disk is said at the top of the board only when
 * saving is about to fail.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffDiskWarning } from '../../electron/core/records/wardDisk';
import * as ui from './pages';
import { longName, seedThirtyBeds, type SeededPatient } from './support/seedWard';
import { launchChromium, startWardServer, type WardServer } from './support/wardServer';

const nurse = { name: 'Nora Nurse', password: 'demo-password' };
const doctor = { name: 'Dr Grace Hopper', password: 'demo-password' };
const bandRank: Record<string, number> = { high: 4, medium: 3, 'low-medium': 2, low: 1, none: 0 };
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "1982-05-14" as the ward writes a date of birth, the month in a word: "14 May 1982". */
const dobShown = (iso: string) => `${Number(iso.slice(8, 10))} ${months[Number(iso.slice(5, 7)) - 1]} ${iso.slice(0, 4)}`;

/** True when the element has the keyboard focus (the browser says which element has it). */
const focused = (l: Locator) => l.evaluate((el) => el === el.ownerDocument.activeElement);

/** One body row of a board table as the browser lays it out. */
interface RowLayout {
  /** The row header's text (the patient). */
  patient: string;
  top: number;
  bottom: number;
  /**
   * The date of birth and hospital number as shown, each with where it sits: within the window's
   * width (a row below the fold is still whole), inside its cell, not cut by a box that clips.
   */
  ids: Array<{ text: string; withinWidth: boolean; inCell: boolean; clipped: boolean; lines: number; sameLineAsName: boolean }>;
  /** The name (with the age) is cut (ellipsis): its shown box is narrower than its text. */
  nameCut: boolean;
  /** The tooltip over the name. */
  nameTitle: string;
  /** Characters "·" that start a line of the row header (a separator left dangling by a wrap). */
  dotsStartingALine: number;
  /** The due time ("Overdue 1 h 20 min") and how many lines it takes. */
  due: { text: string; lines: number };
  /** Note chips whose text is cut, and the title each carries. */
  cutNotes: Array<{ text: string; title: string }>;
}

async function open(browser: Browser, server: WardServer, size: { width: number; height: number }, who: { name: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext({ viewport: size })).newPage();
  await page.goto(server.launchUrl);
  await ui.appReady(page);
  await ui.gotoRoute(page, 'login');
  await ui.login(page, who);
  return page;
}

/**
 * The geometry of every body row of a board table, read from the laid-out page: where each
 * identifier is (within the window's width and its cell, not hidden by an ancestor that clips, on
 * one line, on the name's line or not), whether a "·" begins a line, how many lines the due time
 * takes, which notes are cut.
 */
async function rowLayouts(page: Page, tableName: string): Promise<RowLayout[]> {
  await page.getByRole('table', { name: tableName }).waitFor();
  return page.getByRole('table', { name: tableName }).evaluate((table): RowLayout[] => {
    type Box = { left: number; right: number; top: number; bottom: number; height: number; width: number };
    const view = table.ownerDocument.defaultView!;
    const within = (a: Box, b: Box) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
    const clean = (t: string | null) => (t ?? '').replace(/\s+/g, ' ').trim();
    const headings = [...table.querySelectorAll('thead th')].map((th) => clean(th.textContent));
    const dueColumn = headings.indexOf('Next set');
    return [...table.querySelectorAll('tbody tr')]
      .filter((tr) => tr.querySelector('th'))
      .map((tr) => {
        const th = tr.querySelector('th')!;
        const cell: Box = th.getBoundingClientRect();
        // The name's box carries the whole name as its title (the first titled element of the row header).
        const nameEl = th.querySelector('[title]')!;
        const nameBox: Box = nameEl.getBoundingClientRect();
        const ids = [...th.querySelectorAll('[title="Date of birth"], [title="Hospital number"]')].map((el) => {
          const box: Box = el.getBoundingClientRect();
          let clipped = false;
          for (let a = el.parentElement; a && a !== tr; a = a.parentElement) {
            if (view.getComputedStyle(a).overflowX !== 'visible' && !within(box, a.getBoundingClientRect())) clipped = true;
          }
          const shown = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('');
          const withinWidth = box.left >= 0 && box.right <= view.innerWidth;
          return { text: clean(shown), withinWidth, inCell: within(box, cell), clipped, lines: el.getClientRects().length, sameLineAsName: Math.abs(box.top - nameBox.top) < nameBox.height / 2 };
        });
        // Every "·" in the row header: one at the left edge of the cell's content starts a line.
        let dotsStartingALine = 0;
        const walker = th.ownerDocument.createTreeWalker(th, 4 /* NodeFilter.SHOW_TEXT */);
        const contentLeft = cell.left + parseFloat(view.getComputedStyle(th).paddingLeft);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const text = n.textContent ?? '';
          for (let i = text.indexOf('·'); i >= 0; i = text.indexOf('·', i + 1)) {
            const range = th.ownerDocument.createRange();
            range.setStart(n, i);
            range.setEnd(n, i + 1);
            const r: Box = range.getBoundingClientRect();
            if (r.width > 0 && r.left - contentLeft < 3) dotsStartingALine++;
          }
        }
        const dueSpan = tr.children[dueColumn]?.querySelector('span');
        const cutNotes = [...tr.querySelectorAll('ul li')]
          .filter((li) => li.scrollWidth > li.clientWidth + 1)
          .map((li) => ({ text: clean(li.textContent), title: li.getAttribute('title') ?? '' }));
        const box: Box = tr.getBoundingClientRect();
        return {
          patient: clean(th.textContent),
          top: box.top,
          bottom: box.bottom,
          ids,
          nameCut: nameEl.scrollWidth > nameEl.clientWidth + 1,
          nameTitle: nameEl.getAttribute('title') ?? '',
          dotsStartingALine,
          due: { text: clean(dueSpan?.textContent ?? null), lines: dueSpan ? dueSpan.getClientRects().length : 0 },
          cutNotes,
        };
      });
  });
}

/** The page scrolls sideways (something is cut off at the right). */
const scrollsSideways = (page: Page) => page.locator('html').evaluate((el) => el.scrollWidth > el.ownerDocument.defaultView!.innerWidth);

/**
 * Every row shows its DOB and hospital number whole (the seeded patients' own), within the window's
 * width, on the name's line (a wide display) or under it (a narrow one). That the rows are within
 * the window's height is asserted where it must hold (1920×1080).
 */
function expectIdentifiersWhole(rows: RowLayout[], seeded: SeededPatient[], onNameLine: boolean): void {
  for (const row of rows) {
    expect(row.ids, row.patient).toHaveLength(2);
    for (const id of row.ids) {
      expect({ row: row.patient, ...id }).toMatchObject({ withinWidth: true, inCell: true, clipped: false, lines: 1, sameLineAsName: onNameLine });
    }
    const p = seeded.find((s) => row.patient.startsWith(`${s.name},`));
    if (p) expect(row.ids.map((i) => i.text)).toEqual([dobShown(p.dob), p.hospitalNumber]);
  }
  expect(rows.filter((r) => seeded.some((s) => r.patient.startsWith(`${s.name},`)))).toHaveLength(seeded.length);
}

describe('the ward board at ward scale, in a browser', () => {
  let server: WardServer;
  let browser: Browser;
  let page: Page;
  let seeded: SeededPatient[];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    server = await startWardServer(['--demo'], { WARDLEDGER_SCRYPT_N: '1024' });
    seeded = await seedThirtyBeds(server.launchUrl);
    browser = await launchChromium();
    page = await open(browser, server, { width: 1920, height: 1080 }, nurse);
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await ui.expectWardBoard(page);
  }, 360_000); // 27 patients registered, admitted and observed through the API on a shared machine
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The table's font size, as the browser computes it. */
  const tableFontPx = () => page.getByRole('table', { name: 'Ward board' }).evaluate((el) => parseFloat(el.ownerDocument.defaultView!.getComputedStyle(el).fontSize));

  it('shows all 30 beds on one 1920×1080 screen, one line each with name, DOB and hospital number whole, each parameter coloured by its sub-score with the key on screen', async () => {
    const rows = await ui.wardBoardRows(page);
    expect(rows).toHaveLength(30);
    expect(rows.map((r) => r.bed)).toEqual(expect.arrayContaining(['1A', '1B', '2A', ...seeded.map((p) => p.bed)]));
    const layout = await rowLayouts(page, 'Ward board');
    expect(layout).toHaveLength(30);
    // Issue 11: 30 beds on ONE 1920×1080 screen, with three identifiers on every row.
    expect(layout[0]!.top).toBeGreaterThan(0);
    expect(layout.at(-1)!.bottom).toBeLessThanOrEqual(1080);
    expectIdentifiersWhole(layout, seeded, true);
    expect(layout.every((r) => r.dotsStartingALine === 0)).toBe(true);
    // Nothing to scroll sideways: the grid uses the width it has.
    expect(await scrollsSideways(page)).toBe(false);

    // A long name is cut on screen, whole in its title and in the row header's text.
    const long = layout.find((r) => r.patient.startsWith(`${longName},`))!;
    expect(long).toMatchObject({ nameCut: true, nameTitle: longName });
    // The widest notes (bed 4B): the missing escalation whole; the newer partial set cut, whole in its title.
    const row4B = layout.find((r) => r.patient.startsWith('Board Patient 08,'))!;
    expect(row4B.cutNotes).toEqual([{ text: expect.stringMatching(/^↻ Since then: RR 20\/min · SpO2 95% · Pulse 98\/min/), title: expect.stringMatching(/^Since then: RR 20\/min · SpO2 95% · Pulse 98\/min · Temp 37\.9 °C \(partial set, /) }]);
    expect(rows.find((r) => r.bed === '4B')!.newer).toMatch(/^RR 20\/min · SpO2 95% · Pulse 98\/min · Temp 37\.9 °C \(partial set, /);
    expect(layout.filter((r) => r !== row4B).every((r) => r.cutNotes.length === 0)).toBe(true);

    // Bed 3B: RR 26 scores 3 (RCP NEWS2 Chart 1, RR ≥ 25), the rest 0: a single 3, low–medium.
    const single = rows.find((r) => r.bed === '3B')!;
    expect(single.params.RR).toMatchObject({ value: '26', points: 3 });
    expect(single.news2).toMatchObject({ score: 3, band: 'Low–medium', complete: true });
    // Bed 4B: RR 22 → 2, SpO2 94 → 1, oxygen → 2, SBP 105 → 1, pulse 115 → 2, alert 0, 38.4 °C → 1: 9, high.
    const high = rows.find((r) => r.bed === '4B')!;
    expect(Object.values(high.params).map((p) => p.points)).toEqual([2, 1, 2, 1, 2, null, 1]);
    expect(high.news2).toMatchObject({ score: 9, band: 'High' });
    expect(high.warnings).toEqual(['Escalation not recorded']);
    // Bed 6A: admitted, no set yet.
    expect(rows.find((r) => r.bed === '6A')).toMatchObject({ taken: 'No complete set', news2: { score: null } });
    // Overdue, said in short: "Overdue 1 h 20 min", on one line.
    const overdue = layout.filter((r) => /^Overdue/.test(r.due.text));
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue.every((r) => /^Overdue \d+ (min|h|d)( \d+ (min|h))?$/.test(r.due.text) && r.due.lines === 1)).toBe(true);

    // The cell colours differ by sub-score (0 none, 1, 2, 3 each its own), and the key is on screen.
    const row4BCells = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^Board Patient 08,/ }) });
    const colours = await row4BCells.getByRole('cell').evaluateAll((cells) => cells.slice(1, 8).map((c) => c.ownerDocument.defaultView!.getComputedStyle(c).backgroundColor));
    const bedRow3B = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^Board Patient 06,/ }) });
    const three = await bedRow3B.getByRole('cell').nth(1).evaluate((c) => c.ownerDocument.defaultView!.getComputedStyle(c).backgroundColor);
    expect(new Set([colours[1], colours[0], three, colours[5]]).size).toBe(4); // 1, 2, 3, 0
    await expect(page.getByRole('group', { name: 'Colour key' }).textContent()).resolves.toMatch(/Parameter points:.*1.*2.*3.*NEWS2 total:.*0.*1–4 Low.*Low–medium.*5–6 Medium.*7\+ High/);
    // A total of 0 and a total of 3 are different chips.
    const zeroChip = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^Board Patient 04,/ }) }).getByText('0 Low', { exact: true });
    const lowChip = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^Board Patient 05,/ }) }).getByText('3 Low', { exact: true });
    const style = (l: Locator) => l.evaluate((el) => el.parentElement!.ownerDocument.defaultView!.getComputedStyle(el.parentElement!).backgroundColor);
    expect(await style(zeroChip)).not.toBe(await style(lowChip));
  });

  it('keeps all 30 beds on one 1920×1080 screen in the large display mode, with bigger type and every identifier whole, remembered after a reload', async () => {
    const normalFont = await tableFontPx();
    await page.getByLabel('Large display', { exact: true }).check();
    const largeFont = await tableFontPx();
    expect(largeFont).toBeGreaterThanOrEqual(normalFont * 1.2);
    const layout = await rowLayouts(page, 'Ward board');
    expect(layout).toHaveLength(30);
    expect(layout.at(-1)!.bottom).toBeLessThanOrEqual(1080);
    expectIdentifiersWhole(layout, seeded, true);
    // Nothing cut off at the right: the whole row, its actions included, is on the screen.
    expect(await scrollsSideways(page)).toBe(false);
    // Warnings whole here too; only the newer partial set of bed 4B is cut.
    expect(layout.flatMap((r) => r.cutNotes.map((n) => n.text))).toEqual([expect.stringMatching(/^↻ Since then: /)]);
    await page.reload();
    await ui.expectWardBoard(page);
    await expect(page.getByLabel('Large display', { exact: true }).isChecked()).resolves.toBe(true);
    expect(await tableFontPx()).toBe(largeFont);
    await page.getByLabel('Large display', { exact: true }).uncheck();
  });

  it('lays a 1366×768 workstation’s rows on two lines: identifiers under the name with no "·" starting a line, the due time on one line, 12 or more beds above the fold', async () => {
    const narrow = await open(browser, server, { width: 1366, height: 768 }, nurse);
    await ui.expectWardBoard(narrow);
    const layout = await rowLayouts(narrow, 'Ward board');
    expect(layout).toHaveLength(30);
    expectIdentifiersWhole(layout, seeded, false);
    expect(layout.map((r) => r.dotsStartingALine)).toEqual(layout.map(() => 0));
    expect(layout.every((r) => r.due.lines === 1)).toBe(true);
    expect(await scrollsSideways(narrow)).toBe(false);
    // Measured: 13 whole rows above the fold (one is the taller bed 4B with its two notes).
    expect(layout.filter((r) => r.bottom <= 768).length).toBeGreaterThanOrEqual(12);
    // The time taken is said under the due time here, and read the same way.
    const rows = await ui.wardBoardRows(narrow);
    expect(rows.find((r) => r.bed === '6A')).toMatchObject({ taken: 'No complete set', due: expect.stringMatching(/^Due in /) });
    expect(rows.find((r) => r.bed === '3B')).toMatchObject({ taken: expect.stringMatching(/ago$/), doctor: 'Dr Grace Hopper' });
    await narrow.context().close();
  });

  it('gives the doctor’s list the same one-line rows: all 30 of her patients on one 1920×1080 screen with every identifier whole', async () => {
    const home = await open(browser, server, { width: 1920, height: 1080 }, doctor);
    const layout = await rowLayouts(home, 'My patients');
    expect(layout).toHaveLength(30);
    expect(layout.at(-1)!.bottom).toBeLessThanOrEqual(1080);
    expectIdentifiersWhole(layout, seeded, true);
    expect(await scrollsSideways(home)).toBe(false);
    await home.context().close();
  });

  it('sorts by risk and due time and filters by band, overdue and escalation, keeping the choice through a reload', async () => {
    await page.getByLabel('Sort by', { exact: true }).selectOption({ label: 'Risk (highest first)' });
    const byRisk = await ui.wardBoardRows(page);
    const ranks = byRisk.map((r) => bandRank[r.risk]!);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(byRisk[0]!.risk).toBe('high');

    await page.getByLabel('Sort by', { exact: true }).selectOption({ label: 'Next set due (most overdue first)' });
    const byDue = await ui.wardBoardRows(page);
    const firstNotOverdue = byDue.findIndex((r) => !r.overdue);
    expect(firstNotOverdue).toBeGreaterThan(0);
    expect(byDue.slice(firstNotOverdue).every((r) => !r.overdue)).toBe(true);

    await page.getByLabel('Risk', { exact: true }).selectOption({ label: 'High only' });
    const highOnly = await ui.wardBoardRows(page);
    // Peter Patient (the demo's deteriorating patient) and the three seeded high sets.
    expect(highOnly.map((r) => r.risk)).toEqual(['high', 'high', 'high', 'high']);
    await page.getByRole('status').filter({ hasText: 'Showing 4 of 30 beds: high only.' }).waitFor();

    await page.getByLabel('Risk', { exact: true }).selectOption({ label: 'All patients' });
    await page.getByLabel('Overdue only', { exact: true }).check();
    const overdue = await ui.wardBoardRows(page);
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue.every((r) => r.overdue && /^Overdue \d/.test(r.due))).toBe(true);

    await page.getByLabel('Overdue only', { exact: true }).uncheck();
    await page.getByLabel('Awaiting escalation only', { exact: true }).check();
    const awaiting = await ui.wardBoardRows(page);
    expect(awaiting.map((r) => r.bed).sort()).toEqual(['1A', '3B', '4B', '8A', '9A', '12B', '13B'].sort());
    expect(awaiting.every((r) => r.warnings.includes('Escalation not recorded'))).toBe(true);

    // Kept for the session: a reload shows the same choice.
    await page.reload();
    await ui.expectWardBoard(page);
    await expect(page.getByLabel('Awaiting escalation only', { exact: true }).isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Sort by', { exact: true }).inputValue()).resolves.toBe('due');
    expect((await ui.wardBoardRows(page)).length).toBe(awaiting.length);
    await page.getByLabel('Awaiting escalation only', { exact: true }).uncheck();
    await page.getByLabel('Sort by', { exact: true }).selectOption({ label: 'Bed' });
    expect((await ui.wardBoardRows(page)).length).toBe(30);
  });

  it('opens a row’s actions menu and uses it by keyboard alone', async () => {
    const name = 'Board Patient 05';
    const menuButton = ui.button(page, `Actions for ${name}`);
    await menuButton.focus();
    await expect(menuButton.getAttribute('aria-haspopup')).resolves.toBe('menu');
    await expect(menuButton.getAttribute('aria-expanded')).resolves.toBe('false');

    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: `Actions for ${name}` });
    await menu.waitFor();
    await expect(menuButton.getAttribute('aria-expanded')).resolves.toBe('true');
    const items = menu.getByRole('menuitem');
    await expect(items.allTextContents().then((t) => t.map((s) => s.trim()))).resolves.toEqual(['Enter vitals', 'Open record', 'Discharge…']);
    await expect(focused(items.nth(0))).resolves.toBe(true);
    await page.keyboard.press('ArrowDown');
    await expect(focused(items.nth(1))).resolves.toBe(true);
    await page.keyboard.press('End');
    await expect(focused(items.nth(2))).resolves.toBe(true);
    await page.keyboard.press('ArrowDown'); // wraps to the first
    await expect(focused(items.nth(0))).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    await expect(focused(menuButton)).resolves.toBe(true);

    // Arrow Up opens on the last item: Discharge asks to confirm, and Cancel gives the focus back.
    await page.keyboard.press('ArrowUp');
    await expect(focused(page.getByRole('menuitem', { name: `Discharge ${name}` }))).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await expect(focused(ui.button(page, `Confirm discharge of ${name}`))).resolves.toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // Cancel
    await expect.poll(() => focused(menuButton)).toBe(true);

    // Arrow Down, Arrow Down, Enter: the record opens.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(focused(page.getByRole('menuitem', { name: `Open record of ${name}` }))).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await ui.expectPatientRecord(page, name);
    expect(consoleErrors).toEqual([]);
  });

  it("says at the top of the board when the workstation's disk is about to stop every save, and nothing on a healthy disk", async () => {
    const board = await open(browser, server, { width: 1366, height: 768 }, nurse);
    try {
      await ui.expectWardBoard(board);
      const answered = board.waitForResponse('**/api/ward/workstation');
      await board.getByRole('button', { name: 'Refresh' }).click();
      expect(await (await answered).json()).toEqual({ ok: true, result: { diskWarning: null } }); // this machine's disk
      expect(await board.getByRole('alert').filter({ hasText: /disk/ }).count()).toBe(0);

      // This machine's disk cannot be filled for a test: the core's reply is edited at the network
      // to what the core says with 300 MB free at a monitored ward's 45 MB a day (staffDiskWarning,
      // whose thresholds test/unit/records/wardDisk.test.ts checks against df's figures).
      const words = staffDiskWarning(300 * 2 ** 20, 45 * 2 ** 20)!;
      expect(words).toMatch(/nearly full \(300 MB free, about 6 days/);
      await board.route('**/api/ward/workstation', async (route) => {
        const real = await route.fetch();
        const body = (await real.json()) as { ok: true; result: { diskWarning: string | null } };
        await route.fulfill({ response: real, json: { ...body, result: { ...body.result, diskWarning: words } } });
      });
      await board.getByRole('button', { name: 'Refresh' }).click();
      const alert = board.getByRole('alert').filter({ hasText: words });
      await ui.waitVisible(alert, 'the disk warning');
      // Above the beds, whole on the screen a nurse looks at.
      const box = (await alert.boundingBox())!;
      const table = (await board.getByRole('table', { name: 'Ward board' }).boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(table.y);
      expect(box.y + box.height).toBeLessThanOrEqual(768);
      const shots = process.env.WARDLEDGER_SHOTS;
      if (shots) {
        mkdirSync(shots, { recursive: true });
        for (const [w, h] of [[1366, 768], [1920, 1080]] as const) {
          await board.setViewportSize({ width: w, height: h });
          await board.screenshot({ path: join(shots, `board-disk-warning-${w}x${h}.png`) });
        }
      }
    } finally {
      await board.context().close();
    }
  });
});
