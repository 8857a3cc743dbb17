/**
 * The record store's upgrade as the page sees it (issue 12): while a data directory written by the
 * log-based store (the v1 fixture) is upgraded at start, the loopback server is up and every call
 * answers STARTING (HTTP 503) with what the core is doing — the step ('upgrading', then
 * 'checking'), a label with the records copied or checked, and a fraction that only grows — and
 * once the core is ready the same call answers. The renderer's start page polls `ward/status` the
 * same way (renderer/src/stores/ward.ts).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core/core';
import type { CallResult, StartupProgress, WardCore } from '../../../electron/core/shellContract';
import { startLoopbackServer, type LoopbackServer } from '../../../electron/server/loopbackServer';
import { removeDir, testScryptN } from '../../support/tempCore';
import { unpackV1Ward } from '../../support/v1Ward';

const ctx = { sessionToken: null, channel: 'test' };

describe('the upgrade of an old record store, seen through the status call', () => {
  const v1 = unpackV1Ward();
  let core: WardCore | null = null;
  let server: LoopbackServer | null = null;
  afterAll(async () => {
    await server?.close();
    await core?.stop();
    removeDir(v1.root);
  });

  it('answers STARTING with the upgrade\'s step and progress until the core is ready, then answers', async () => {
    core = createCore({ dataDir: v1.dataDir, keystoreScryptN: testScryptN, usb: false });
    server = await startLoopbackServer({ core, rendererDir: join(v1.root, 'no-renderer'), port: 0, secret: 'test-secret' });
    const reported: StartupProgress[] = [];
    /** What the status call answered at the moment of each report (the core's call reads its progress at once). */
    const answeredAtReport: Array<Promise<CallResult>> = [];
    const polled: Array<{ status: number; body: CallResult }> = [];
    const started = core.start((p) => {
      reported.push(p);
      answeredAtReport.push(core!.call(ctx, 'ward/status', {}));
    });
    // A page polling the status over HTTP meanwhile, until it answers.
    const poller = (async () => {
      for (;;) {
        const r = await fetch(new URL('/api/ward/status', server!.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-wardledger-secret': 'test-secret' }, body: '{}' });
        polled.push({ status: r.status, body: (await r.json()) as CallResult });
        if (r.status === 200) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await started;
    await poller;

    const records = v1.expected.records.length;
    const upgrading = reported.filter((p) => p.step === 'upgrading');
    const checking = reported.filter((p) => p.step === 'checking');
    expect(upgrading.length).toBeGreaterThan(0);
    expect(upgrading.some((p) => new RegExp(`^Upgrading the record store: ${records} records copied, \\d+ of \\d+ MB of the old log$`).test(p.label))).toBe(true);
    expect(checking.length).toBeGreaterThan(0);
    expect(checking.at(-1)!.label).toBe(`Checking every migrated record: ${records} of ${records}`);
    expect(checking.at(-1)!.fraction).toBe(1);
    // Opening comes first, then the upgrade, then its check; the fraction never goes back.
    const steps = reported.map((p) => p.step).filter((s, i, all) => s !== all[i - 1]);
    expect(steps).toEqual(['opening', 'upgrading', 'checking']);
    const fractions = [...upgrading, ...checking].map((p) => p.fraction!);
    expect(fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]!))).toBe(true);

    // Each report is what a call answered at that moment.
    const answers = await Promise.all(answeredAtReport);
    answers.forEach((a, i) => {
      expect(a.ok).toBe(false);
      if (a.ok) return;
      expect(a.error.code).toBe('STARTING');
      expect(a.error.details).toEqual({ label: reported[i]!.label, fraction: reported[i]!.fraction, step: reported[i]!.step });
      expect(a.error.message).toBe(`WardLedger is starting. ${reported[i]!.label}`);
    });

    // Over HTTP: 503 with the same details while it started, then the answer.
    const startingPolls = polled.filter((p) => !p.body.ok);
    expect(startingPolls.length).toBeGreaterThan(0);
    for (const p of startingPolls) {
      expect(p.status).toBe(503);
      expect(p.body).toMatchObject({ ok: false, error: { code: 'STARTING', details: { step: expect.stringMatching(/^(opening|upgrading|checking)$/) } } });
    }
    expect(startingPolls.some((p) => !p.body.ok && p.body.error.details?.step !== 'opening')).toBe(true);
    expect(polled.at(-1)).toMatchObject({ status: 200, body: { ok: true, result: { initialized: true } } });
    expect(await core.call(ctx, 'ward/status', {})).toMatchObject({ ok: true });
  });
});
