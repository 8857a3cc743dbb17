/**
 * Issue 9 item 5 as a person sees it, in real Chromium against `wardledger serve`: the demo ward is
 * stopped, three of Peter Patient's records are deleted from its store (test/support/storeTampering.ts),
 * and the ward is started again. The doctor opening his record sees a warning banner saying records
 * anchored on the ward chain are missing and to restore from a backup; the IT admin's page says at
 * the top that the store differs from the chain, and names the batches in the store card. The same
 * card tells the IT admin how the disk stands (what the ward holds, what is free as df says it), and
 * sets up nightly backups: with a passphrase, a restart pauses them until it is given again; encrypted
 * to a recovery key (a mistyped one refused under its field), they keep running after a restart,
 * and "Back up now" writes to the same key with no passphrase.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecoveryKey, recoveryKeyFingerprint, recoveryKeyText } from '../../electron/core/crypto/recoveryKey';
import { archiveLock } from '../../electron/core/storage/backupArchive';
import { storePath, WardStore } from '../../electron/core/storage/wardStore';
import { spawnServe, type ServeProcess } from '../support/serveProcess';
import { deleteRecords } from '../support/storeTampering';
import * as ui from './pages';
import { apiCaller } from './support/seedWard';
import { launchChromium } from './support/wardServer';

const password = 'demo-password';
const env = { WARDLEDGER_SCRYPT_N: '1024' };

describe('a store that differs from the ward chain, as the doctor and the IT admin see it', () => {
  let dataDir: string;
  let serve: ServeProcess | null = null;
  let launchUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'wardledger-e2e-'));
    serve = spawnServe(dataDir, ['--demo'], env);
    const call = apiCaller(await serve.ready);
    const { token } = (await call('session/login', { name: 'Dr Grace Hopper', password })) as { token: string };
    const mine = (await call('records/myPatients', {}, token)) as Array<{ name: string; address: string }>;
    const peter = mine.find((p) => p.name === 'Peter Patient')!.address;
    await serve.stop();
    const store = await WardStore.open(storePath(dataDir), { create: false });
    const ids = (await store.window(peter, { limit: 3, proofs: false })).items.map((e) => e.record.id);
    await store.close();
    await deleteRecords(dataDir, ids);
    serve = spawnServe(dataDir, [], env);
    launchUrl = await serve.ready;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const loggedIn = async (name: string) => {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    await page.goto(launchUrl);
    await ui.appReady(page);
    await ui.gotoRoute(page, 'login');
    await ui.login(page, { name, password });
    return page;
  };

  /** The ward stopped and started again (what a workstation's reboot does), and the IT admin logged in anew. */
  const restartedAsItAdmin = async (page: Page) => {
    await serve!.stop();
    serve = spawnServe(dataDir, [], env);
    launchUrl = await serve.ready;
    await page.context().close();
    return loggedIn('Ada Admin');
  };

  it("the doctor sees a warning over Peter Patient's record: three records missing, restore from a backup", async () => {
    const page = await loggedIn('Dr Grace Hopper');
    await ui.gotoRoute(page, 'ward');
    await ui.openRecord(page, 'Peter Patient');
    const banner = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: "This workstation's copy of this record differs from the ward chain" }) });
    await banner.waitFor({ timeout: ui.SCREEN_TIMEOUT });
    expect(await banner.innerText()).toMatch(/3 records of this patient anchored on the ward chain are missing from this workstation's store: what is shown is incomplete\. Restore the store from a backup/);
  });

  it('the IT admin is told at the top of the page, and the store card names each batch', async () => {
    const page = await loggedIn('Ada Admin');
    const top = page.getByRole('alert').filter({ hasText: /This workstation's record store differs from the ward chain \(\d+ findings?\)/ });
    await top.waitFor({ timeout: ui.SCREEN_TIMEOUT });
    await top.getByRole('button', { name: 'See “Store against the ward chain”' }).click();
    const storeTitle = page.getByRole('heading', { name: 'Records and backups' });
    await expect.poll(() => storeTitle.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    // The three records are missing from one or more anchor batches; together, three.
    const findings = await page.getByRole('listitem').filter({ hasText: /^Anchor batch \d+: \d+ records? of \d+ anchored on the ward chain (is|are) missing/ }).allInnerTexts();
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.reduce((n, f) => n + Number(/: (\d+) records? of/.exec(f)![1]), 0)).toBe(3);
  });

  it('the IT admin sees the disk: what the ward holds, what is free (as df says), its growth not measured before a day', async () => {
    const page = await loggedIn('Ada Admin');
    const card = page.locator('section[aria-labelledby="store-title"]');
    const disk = card.locator('dt', { hasText: /^Disk$/ }).locator('xpath=following-sibling::dd[1]');
    await disk.waitFor({ timeout: ui.SCREEN_TIMEOUT });
    const words = (await disk.innerText()).trim();
    const m = /^([\d.]+) (KB|MB|GB) held by this ward · ([\d.]+) GB free of ([\d.]+) GB$/.exec(words);
    expect(m, words).not.toBeNull();
    const [avail, size] = execFileSync('df', ['-B1', '--output=avail,size', dataDir], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
    expect(Number(m![4])).toBeCloseTo(size! / 2 ** 30, 1);
    expect(Math.abs(Number(m![3]) - avail! / 2 ** 30)).toBeLessThan(0.5);
    expect((await card.locator('dt', { hasText: /^Growth$/ }).locator('xpath=following-sibling::dd[1]').innerText()).trim()).toBe('Measured once the ward has run for a day.');
    const shots = process.env.WARDLEDGER_SHOTS;
    if (shots) {
      mkdirSync(shots, { recursive: true });
      for (const [w, h] of [[1366, 768], [1920, 1080]] as const) {
        await page.setViewportSize({ width: w, height: h });
        await page.getByRole('heading', { name: 'Ward administration', level: 1 }).scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(shots, `admin-top-${w}x${h}.png`) });
        await card.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(shots, `store-card-disk-${w}x${h}.png`) });
      }
    }
  });

  it('the IT admin sets up nightly backups; after a restart they are paused, said at the top, and resumed with the passphrase', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'wardledger-e2e-nightly-'));
    try {
      let page = await loggedIn('Ada Admin');
      const card = () => page.locator('section[aria-labelledby="store-title"]');
      await card().getByLabel('Folder (full path of an existing folder)').fill(folder);
      await card().getByLabel('Backups to keep').fill('3');
      // A recovery key is offered first; this ward chooses a passphrase.
      expect(await card().getByRole('radio', { name: /^A recovery key/ }).isChecked()).toBe(true);
      await card().getByRole('radio', { name: /^A passphrase/ }).check();
      await card().getByLabel('Passphrase', { exact: true }).last().fill('nightly passphrase 1');
      await card().getByLabel('Passphrase again').last().fill('nightly passphrase 1');
      await shotCard(page, 'store-card-nightly-passphrase-form', card().getByRole('button', { name: 'Back up every night' }));
      await card().getByRole('button', { name: 'Back up every night' }).click();
      const set = card().getByText(`Every night at 02:00 into ${folder}, keeping the newest 3`);
      await set.waitFor({ timeout: ui.SCREEN_TIMEOUT });
      expect(await set.innerText()).toMatch(/Next: .*02:00\.$/);
      await shotCard(page, 'store-card-nightly');

      page = await restartedAsItAdmin(page);
      const top = page.getByRole('alert').filter({ hasText: 'Nightly backups are paused since the ward restarted' });
      await top.waitFor({ timeout: ui.SCREEN_TIMEOUT });
      await shotTop(page, 'admin-top-backups-paused');
      await shotCard(page, 'store-card-nightly-paused');
      expect(await card().getByText(`Every night at 02:00 into ${folder}, keeping the newest 3`).innerText()).not.toMatch(/Next:/);
      // Resuming offers the schedule's own passphrase first.
      expect(await card().getByRole('radio', { name: /^A passphrase/ }).isChecked()).toBe(true);
      await card().getByLabel('Passphrase', { exact: true }).last().fill('nightly passphrase 1');
      await card().getByLabel('Passphrase again').last().fill('nightly passphrase 1');
      await card().getByRole('button', { name: 'Resume nightly backups' }).click();
      await card().getByText(/Nightly backups on: the first at /).waitFor({ timeout: ui.SCREEN_TIMEOUT });
      await top.waitFor({ state: 'detached', timeout: ui.SCREEN_TIMEOUT });
      expect(await card().getByText(`Every night at 02:00 into ${folder}`).innerText()).toMatch(/Next: /);

      await card().getByRole('button', { name: 'Stop nightly backups' }).click();
      await card().getByRole('button', { name: 'Back up every night' }).waitFor({ timeout: ui.SCREEN_TIMEOUT });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('the IT admin sets up nightly backups encrypted to a recovery key (a mistyped one refused); after a restart they keep running', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'wardledger-e2e-nightly-'));
    const { publicKey } = await createRecoveryKey('a recovery passphrase 2026', { N: 2 ** 10, r: 8, p: 1 });
    const text = recoveryKeyText(publicKey);
    const fingerprint = recoveryKeyFingerprint(publicKey);
    const middle = Math.floor(text.length / 2);
    const mistyped = text.slice(0, middle) + (text[middle] === 'A' ? 'B' : 'A') + text.slice(middle + 1);
    try {
      let page = await loggedIn('Ada Admin');
      const card = () => page.locator('section[aria-labelledby="store-title"]');
      const keyField = () => card().getByRole('textbox', { name: /^Recovery key/ });
      await card().getByLabel('Folder (full path of an existing folder)').fill(folder);
      await card().getByLabel('Backups to keep').fill('5');
      expect(await card().getByRole('radio', { name: /^A recovery key/ }).isChecked()).toBe(true);
      await keyField().fill(mistyped);
      await shotCard(page, 'store-card-nightly-recovery-form', keyField());
      await card().getByRole('button', { name: 'Back up every night' }).click();
      const fieldError = card().locator('#nightly-recoveryKey-error');
      await fieldError.waitFor({ timeout: ui.SCREEN_TIMEOUT });
      expect(await fieldError.innerText()).toMatch(/That recovery key is mistyped/);
      expect(await keyField().getAttribute('aria-invalid')).toBe('true');
      expect(await keyField().getAttribute('aria-describedby')).toContain('nightly-recoveryKey-error');
      await shotCard(page, 'store-card-nightly-recovery-mistyped', fieldError);

      await keyField().fill(text);
      await card().getByRole('button', { name: 'Back up every night' }).click();
      const set = card().getByText(`Every night at 02:00 into ${folder}, keeping the newest 5`);
      await set.waitFor({ timeout: ui.SCREEN_TIMEOUT });
      expect(await set.innerText()).toMatch(/Next: .*02:00\.$/);
      await card().getByText(`Encrypted to the recovery key ${fingerprint}`).waitFor({ timeout: ui.SCREEN_TIMEOUT });
      expect(await fieldError.count()).toBe(0);
      await shotCard(page, 'store-card-nightly-recovery');

      page = await restartedAsItAdmin(page);
      await card().getByText(`Encrypted to the recovery key ${fingerprint}`).waitFor({ timeout: ui.SCREEN_TIMEOUT });
      expect(await card().getByText(`Every night at 02:00 into ${folder}, keeping the newest 5`).innerText()).toMatch(/Next: .*02:00\.$/);
      // The page's own alerts are up (the store differs from the chain); none says the backups are paused.
      await page.getByRole('alert').filter({ hasText: /This workstation's record store differs from the ward chain \(/ }).first().waitFor({ timeout: ui.SCREEN_TIMEOUT });
      expect(await page.getByRole('alert').filter({ hasText: /paused/ }).count()).toBe(0);
      expect(await card().getByText(/paused/).count()).toBe(0);
      expect(await card().getByRole('button', { name: 'Resume nightly backups' }).count()).toBe(0);
      await shotTop(page, 'admin-top-recovery-restarted');
      await shotCard(page, 'store-card-nightly-recovery-restarted');

      // "Back up now" offers the same recovery key first: no passphrase to invent.
      const lockRadio = card().getByRole('radio', { name: new RegExp(`^The recovery key ${fingerprint}`) });
      expect(await lockRadio.isChecked()).toBe(true);
      expect(await card().locator('#backup-passphrase').count()).toBe(0);
      const now = join(folder, 'before-the-upgrade.wlbk');
      await card().getByLabel('Backup file (full path of a new file)').fill(now);
      await shotCard(page, 'store-card-backup-now-recovery', card().getByRole('button', { name: 'Back up now' }));
      await card().getByRole('button', { name: 'Back up now' }).click();
      await card().getByText(`Backup written to ${now}`).waitFor({ timeout: ui.SCREEN_TIMEOUT });
      expect(await card().getByText(`Backup written to ${now}`).innerText()).toContain(`Encrypted to the recovery key ${fingerprint}.`);
      expect(await archiveLock(now)).toMatchObject({ by: 'recovery-key', fingerprint });
      // A passphrase instead: its two fields come back.
      await card().getByRole('radio', { name: /^A passphrase/ }).check();
      await card().locator('#backup-passphrase').waitFor({ timeout: ui.SCREEN_TIMEOUT });

      await card().getByRole('button', { name: 'Stop nightly backups' }).click();
      await card().getByRole('button', { name: 'Back up every night' }).waitFor({ timeout: ui.SCREEN_TIMEOUT });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  /**
   * Screenshots of the store card (from its nightly backups, or with `shown` in view) and of the
   * page's top at both sizes, when WARDLEDGER_SHOTS names a folder.
   */
  async function shotCard(page: Page, name: string, shown?: Locator): Promise<void> {
    const shots = process.env.WARDLEDGER_SHOTS;
    if (!shots) return;
    mkdirSync(shots, { recursive: true });
    for (const [w, h] of [[1366, 768], [1920, 1080]] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.getByRole('heading', { name: 'Nightly backups' }).scrollIntoViewIfNeeded();
      await shown?.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, `${name}-${w}x${h}.png`) });
    }
  }
  async function shotTop(page: Page, name: string): Promise<void> {
    const shots = process.env.WARDLEDGER_SHOTS;
    if (!shots) return;
    mkdirSync(shots, { recursive: true });
    for (const [w, h] of [[1366, 768], [1920, 1080]] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.getByRole('heading', { name: 'Ward administration', level: 1 }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, `${name}-${w}x${h}.png`) });
    }
  }
});
