import { afterEach, describe, expect, it } from 'vitest';
import { cms50eDriver } from '../../../electron/core/devices/drivers/cms50e';
import { po80Driver, PO80_KEEPALIVE_EVERY_REPORTS } from '../../../electron/core/devices/drivers/beurerPo80';
import { createCms50eSimulator, type Cms50eSimulator } from '../../../electron/core/devices/simulators/cms50e';
import { createPo80Simulator, type Po80Simulator } from '../../../electron/core/devices/simulators/beurerPo80';
import { SimulatedHidBus } from '../../../electron/core/devices/simulators/bus';
import type { LiveSample } from '../../../electron/core/devices/simulators/liveSamples';
import { collectStream, openOnBus, valuesOf, waitFor, wardError } from './bloodPressureAndOximeter.helpers';

const SAMPLES: LiveSample[] = [{ pulse: 70, spo2: 98 }, { pulse: 82, spo2: 94 }, { fingerOut: true }, { searching: true }];
const SPO2 = 150456;
const PULSE = 149530;

const started: Array<Cms50eSimulator | Po80Simulator> = [];
function cms50e(options: Parameters<typeof createCms50eSimulator>[0] = {}): Cms50eSimulator {
  const sim = createCms50eSimulator({ samples: SAMPLES, intervalMs: 20, reportsPerInterval: 2, ...options });
  started.push(sim);
  return sim;
}
function po80(options: Parameters<typeof createPo80Simulator>[0] = {}): Po80Simulator {
  const sim = createPo80Simulator({ samples: SAMPLES, intervalMs: 10, ...options });
  started.push(sim);
  return sim;
}
afterEach(() => {
  for (const s of started.splice(0)) s.stop();
});

describe('CMS50E driver against its simulator', () => {
  it('identifies from the stream and reports the USB serial', async () => {
    const { session } = await openOnBus(cms50eDriver, cms50e({ serialNumber: 'CMS-0042' }));
    const id = await session.identify({ timeoutMs: 500 });
    expect(id).toMatchObject({ model: 'Contec CMS50E', serial: 'CMS-0042' });
    expect(id.deviceTime).toBeUndefined();
    expect(Date.parse(id.workstationTime)).not.toBeNaN();
    await session.close();
  });

  it('falls back to a path-based id when the device has no USB serial', async () => {
    const { session, path } = await openOnBus(cms50eDriver, cms50e());
    expect((await session.identify({ timeoutMs: 500 })).serial).toBe(`cms50e@${path}`);
    await session.close();
  });

  it('streams readings in sample order with finger-out and searching flags, and stops', async () => {
    const { session } = await openOnBus(cms50eDriver, cms50e());
    const c = await collectStream(session, { timeoutMs: 500 });
    await waitFor(() => c.readings.length >= 8, 5000, 'eight readings');
    await c.stop();
    const n = c.readings.length;
    expect(c.errors).toEqual([]);
    const firstValid = c.readings.findIndex((r) => valuesOf(r)[SPO2] === 98);
    expect(firstValid).toBeGreaterThanOrEqual(0);
    const cycle = c.readings.slice(firstValid, firstValid + 4);
    expect(cycle.map((r) => [valuesOf(r)[SPO2], valuesOf(r)[PULSE], r.flags])).toEqual([
      [98, 70, []],
      [94, 82, []],
      [undefined, undefined, ['finger-out']],
      [undefined, undefined, ['searching']],
    ]);
    for (const r of c.readings) {
      expect(r.kind).toBe('spo2-pulse');
      expect(r.deviceTime).toBeUndefined();
    }
    expect(new Set(c.readings.map((r) => r.deviceRecordId)).size).toBe(n);
    await new Promise((r) => setTimeout(r, 80));
    expect(c.readings.length).toBe(n); // nothing after stop
    await session.close();
  });

  it('identify while streaming answers without stealing the stream\'s reports', async () => {
    const { session } = await openOnBus(cms50eDriver, cms50e({ serialNumber: 'S1' }));
    const c = await collectStream(session, { timeoutMs: 500 });
    await waitFor(() => c.readings.length >= 1, 3000, 'a reading');
    expect(await session.identify({ timeoutMs: 500 })).toMatchObject({ serial: 'S1' });
    const n = c.readings.length;
    await waitFor(() => c.readings.length >= n + 4, 3000, 'more readings');
    expect(c.errors).toEqual([]);
    await c.stop();
    await session.close();
  });

  it('refuses a second concurrent stream on the same session', async () => {
    const { session } = await openOnBus(cms50eDriver, cms50e());
    const c = await collectStream(session, { timeoutMs: 500 });
    await wardError(session.stream!(() => undefined), 'DEVICE', /already streaming/);
    await c.stop();
    await session.close();
  });

  it('ends the stream with DEVICE_TIMEOUT when the oximeter goes silent', async () => {
    const { session } = await openOnBus(cms50eDriver, cms50e(), { silentAfter: 6 });
    const c = await collectStream(session, { timeoutMs: 150 });
    await waitFor(() => c.errors.length > 0, 3000, 'stream error');
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]).toMatchObject({ code: 'DEVICE_TIMEOUT' });
    expect(c.errors[0].message).toMatch(/stopped sending data/);
    await c.stop();
    await session.close();
  });

  it('ends the stream with DEVICE_UNPLUGGED when pulled out mid-stream', async () => {
    const { session, bus, path } = await openOnBus(cms50eDriver, cms50e());
    const c = await collectStream(session, { timeoutMs: 1000 });
    await waitFor(() => c.readings.length >= 2, 3000, 'two readings');
    bus.unplug(path);
    await waitFor(() => c.errors.length > 0, 3000, 'stream error');
    expect(c.errors[0]).toMatchObject({ code: 'DEVICE_UNPLUGGED', message: 'The device was unplugged during the transfer.' });
    await c.stop();
    await session.close();
  });

  it('unplug fault injected by the bus mid-stream also surfaces as DEVICE_UNPLUGGED', async () => {
    const { session } = await openOnBus(cms50eDriver, cms50e(), { unplugAfter: 10 });
    const c = await collectStream(session, { timeoutMs: 1000 });
    await waitFor(() => c.errors.length > 0, 3000, 'stream error');
    expect(c.errors[0]).toMatchObject({ code: 'DEVICE_UNPLUGGED' });
    await session.close();
  });

  it('rides out occasional truncated reports but stops on a stream of garbage', async () => {
    const noisy = await openOnBus(cms50eDriver, cms50e(), { truncateEvery: 3 });
    const c = await collectStream(noisy.session, { timeoutMs: 500 });
    await waitFor(() => c.readings.length >= 4, 5000, 'readings despite noise');
    expect(c.errors).toEqual([]);
    await c.stop();
    await noisy.session.close();

    const garbage = await openOnBus(cms50eDriver, cms50e(), { garbageEvery: 1 });
    const g = await collectStream(garbage.session, { timeoutMs: 500 });
    await waitFor(() => g.errors.length > 0, 5000, 'garbage error');
    expect(g.errors[0]).toMatchObject({ code: 'PROTOCOL' });
    expect(g.errors[0].message).toMatch(/malformed reports in a row/);
    await garbage.session.close();
  });

  it('identify: truncated data is PROTOCOL, silence is DEVICE_TIMEOUT, a cancel is honoured', async () => {
    const t = await openOnBus(cms50eDriver, cms50e(), { truncateEvery: 1 });
    await wardError(t.session.identify({ timeoutMs: 500 }), 'PROTOCOL', /9 bytes/);
    await t.session.close();

    const s = await openOnBus(cms50eDriver, cms50e(), { silentAfter: 0 });
    await wardError(s.session.identify({ timeoutMs: 100 }), 'DEVICE_TIMEOUT', /within 100 ms/);
    await s.session.close();

    const a = await openOnBus(cms50eDriver, cms50e({ intervalMs: 5000, reportsPerInterval: 1 }));
    const controller = new AbortController();
    const pending = a.session.identify({ timeoutMs: 5000, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const began = Date.now();
    await wardError(pending, 'DEVICE', /cancelled/);
    expect(Date.now() - began).toBeLessThan(1000);
    await a.session.close();
  });

  it('an AbortSignal stops a running stream without an error', async () => {
    const { session } = await openOnBus(cms50eDriver, cms50e());
    const controller = new AbortController();
    const c = await collectStream(session, { timeoutMs: 500, signal: controller.signal });
    await waitFor(() => c.readings.length >= 2, 3000, 'two readings');
    controller.abort();
    await c.stop();
    const n = c.readings.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(c.readings.length).toBe(n);
    expect(c.errors).toEqual([]);
    await session.close();
  });
});

describe('Beurer PO 80 driver against its simulator', () => {
  it('identifies with the model from the F1 reply', async () => {
    const { session } = await openOnBus(po80Driver, po80({ model: 'PO80', serialNumber: 'B-77' }));
    expect(await session.identify({ timeoutMs: 500 })).toMatchObject({ model: 'Beurer PO80', serial: 'B-77' });
    await session.close();
  });

  it('streams after the start sequence and keeps the device alive with 9A 1A', async () => {
    const sim = po80({ keepaliveWindow: 2 * PO80_KEEPALIVE_EVERY_REPORTS });
    const { session } = await openOnBus(po80Driver, sim);
    await session.identify({ timeoutMs: 500 });
    const c = await collectStream(session, { timeoutMs: 500 });
    // Far more live reports than the keepalive window: only possible if keepalives arrive.
    await waitFor(() => c.readings.length >= 3 * PO80_KEEPALIVE_EVERY_REPORTS, 10_000, 'many readings');
    expect(sim.keepalives).toBeGreaterThanOrEqual(2);
    expect(sim.streaming).toBe(true);
    expect(c.errors).toEqual([]);
    const valid = c.readings.find((r) => valuesOf(r)[PULSE] === 82)!;
    expect(valuesOf(valid)[SPO2]).toBe(94);
    expect(c.readings.some((r) => r.flags.includes('finger-out') && r.measurements.length === 0)).toBe(true);
    await c.stop();
    await session.close();
  });

  it('identify during a stream reuses the model already read, and refuses before any', async () => {
    const { session } = await openOnBus(po80Driver, po80());
    const c = await collectStream(session, { timeoutMs: 500 });
    await wardError(session.identify({ timeoutMs: 200 }), 'DEVICE', /Stop the live stream/);
    await c.stop();
    expect(await session.identify({ timeoutMs: 500 })).toMatchObject({ model: 'Beurer PO80' });
    const again = await collectStream(session, { timeoutMs: 500 });
    expect(await session.identify({ timeoutMs: 500 })).toMatchObject({ model: 'Beurer PO80' });
    await waitFor(() => again.readings.length >= 3, 3000, 'readings');
    expect(again.errors).toEqual([]);
    await again.stop();
    await session.close();
  });

  it('the simulated device stops streaming without keepalives (so the test above is meaningful)', async () => {
    const sim = po80({ keepaliveWindow: 4 });
    const bus = new SimulatedHidBus();
    const path = bus.plug(sim);
    const conn = await bus.open(path);
    const start = new Uint8Array(65);
    start.set([0x9b, 0x00, 0x1b], 1);
    await conn.write(start);
    let received = 0;
    while ((await conn.read(100)) !== null) received++;
    expect(received).toBe(4);
    expect(sim.streaming).toBe(false);
    await conn.close();
  });

  it('identify: truncated reply is PROTOCOL, silence is DEVICE_TIMEOUT', async () => {
    const t = await openOnBus(po80Driver, po80(), { truncateEvery: 1 });
    await wardError(t.session.identify({ timeoutMs: 500 }), 'PROTOCOL', /32 bytes; expected 64/);
    await t.session.close();
    const s = await openOnBus(po80Driver, po80(), { silentAfter: 0 });
    await wardError(s.session.identify({ timeoutMs: 100 }), 'DEVICE_TIMEOUT', /model request/);
    await s.session.close();
  });

  it('stream ends with DEVICE_UNPLUGGED or DEVICE_TIMEOUT on the matching bus faults', async () => {
    const u = await openOnBus(po80Driver, po80(), { unplugAfter: 5 });
    const cu = await collectStream(u.session, { timeoutMs: 500 });
    await waitFor(() => cu.errors.length > 0, 3000, 'unplug error');
    expect(cu.errors[0]).toMatchObject({ code: 'DEVICE_UNPLUGGED' });
    await u.session.close();

    const s = await openOnBus(po80Driver, po80(), { silentAfter: 3 });
    const cs = await collectStream(s.session, { timeoutMs: 120 });
    await waitFor(() => cs.errors.length > 0, 3000, 'silence error');
    expect(cs.errors[0]).toMatchObject({ code: 'DEVICE_TIMEOUT' });
    await s.session.close();
  });
});
