import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import { freestyleNeoDriver } from '../../../electron/core/devices/drivers/freestyleNeo';
import { contourDriver } from '../../../electron/core/devices/drivers/contour';
import { HotplugMonitor, type PollTimer } from '../../../electron/core/devices/hotplug';
import { SimulatedHidBus } from '../../../electron/core/devices/simulators/bus';
import { createSimulator } from '../../../electron/core/devices/simulators';
import type { DeviceDriver, HidBackend, HidDeviceInfo } from '../../../electron/core/devices/types';

/** A timer the test fires by hand. */
class ManualTimer implements PollTimer {
  pending: Array<{ cb: () => void; ms: number; id: number }> = [];
  private next = 1;
  set(cb: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.push({ cb, ms, id });
    return id;
  }
  clear(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }
  fire(): void {
    const p = this.pending.shift();
    if (!p) throw new Error('nothing scheduled');
    p.cb();
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function record(monitor: HotplugMonitor) {
  const events: Array<[string, string, string | undefined]> = [];
  monitor.on('attached', (info: HidDeviceInfo, driver: DeviceDriver | undefined) => events.push(['attached', info.path, driver?.id]));
  monitor.on('detached', (info: HidDeviceInfo) => events.push(['detached', info.path, undefined]));
  monitor.on('error', (e: WardError) => events.push(['error', e.code, undefined]));
  return events;
}

describe('HotplugMonitor', () => {
  it('reports devices present at start, then attach and detach, with the matching driver', async () => {
    const bus = new SimulatedHidBus();
    const neo = bus.plug(createSimulator('freestyle-neo'));
    const timer = new ManualTimer();
    const monitor = new HotplugMonitor(bus, { timer, intervalMs: 500 });
    const events = record(monitor);

    monitor.start();
    expect(timer.pending.map((p) => p.ms)).toEqual([0]);
    timer.fire();
    await flush();
    expect(events).toEqual([['attached', neo, freestyleNeoDriver.id]]);
    expect(timer.pending.map((p) => p.ms)).toEqual([500]);

    const contour = bus.plug(createSimulator('contour'));
    timer.fire();
    await flush();
    expect(events.at(-1)).toEqual(['attached', contour, contourDriver.id]);

    bus.unplug(neo);
    timer.fire();
    await flush();
    expect(events.at(-1)).toEqual(['detached', neo, undefined]);
    expect(monitor.devices().map((d) => d.path)).toEqual([contour]);

    // Nothing changed: no events.
    timer.fire();
    await flush();
    expect(events).toHaveLength(3);

    await monitor.stop();
    expect(timer.pending).toEqual([]);
  });

  it('reports devices without a driver as attached with driver undefined', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug({ info: { vendorId: 0x1234, productId: 0x5678, product: 'Keyboard' }, onHostReport: () => undefined });
    const monitor = new HotplugMonitor(bus, { timer: new ManualTimer() });
    const events = record(monitor);
    await monitor.poll();
    expect(events).toEqual([['attached', path, undefined]]);
  });

  it('keeps polling when enumeration throws, reporting an error event', async () => {
    const bus = new SimulatedHidBus();
    let failing = true;
    const flaky: HidBackend = {
      enumerate: async () => {
        if (failing) throw new Error('libusb exploded');
        return bus.enumerate();
      },
      open: (p) => bus.open(p),
    };
    const path = bus.plug(createSimulator('freestyle-libre'));
    const timer = new ManualTimer();
    const monitor = new HotplugMonitor(flaky, { timer, intervalMs: 100 });
    const events = record(monitor);
    monitor.start();
    timer.fire();
    await flush();
    expect(events).toEqual([['error', 'DEVICE', undefined]]);
    expect(timer.pending).toHaveLength(1); // still scheduled
    failing = false;
    timer.fire();
    await flush();
    expect(events.at(-1)).toEqual(['attached', path, 'abbott-freestyle-libre']);
    await monitor.stop();
  });

  it('an error without listeners and a throwing listener do not break polling', async () => {
    const bus = new SimulatedHidBus();
    let calls = 0;
    const backend: HidBackend = {
      enumerate: async () => {
        calls++;
        if (calls === 1) throw new WardError('DEVICE', 'no usb');
        return bus.enumerate();
      },
      open: (p) => bus.open(p),
    };
    const monitor = new HotplugMonitor(backend, { timer: new ManualTimer() });
    await monitor.poll(); // error event with nobody listening
    const seen: string[] = [];
    monitor.on('attached', () => {
      throw new Error('listener bug');
    });
    monitor.on('attached', (info: HidDeviceInfo) => seen.push(info.path));
    const path = bus.plug(createSimulator('freestyle-neo'));
    await monitor.poll();
    expect(seen).toEqual([path]);
  });

  it('treats a path reused by another device as detach then attach', async () => {
    let list: HidDeviceInfo[] = [{ path: 'p1', vendorId: 0x1a61, productId: 0x3850 }];
    const backend: HidBackend = { enumerate: async () => list, open: async () => Promise.reject(new Error('unused')) };
    const monitor = new HotplugMonitor(backend, { timer: new ManualTimer() });
    const events = record(monitor);
    await monitor.poll();
    list = [{ path: 'p1', vendorId: 0x1a79, productId: 0x7800 }];
    await monitor.poll();
    expect(events).toEqual([
      ['attached', 'p1', 'abbott-freestyle-neo'],
      ['detached', 'p1', undefined],
      ['attached', 'p1', 'ascensia-contour'],
    ]);
  });

  it('detects plug and unplug with real timers at a short interval', async () => {
    const bus = new SimulatedHidBus();
    const monitor = new HotplugMonitor(bus, { intervalMs: 15 });
    const events = record(monitor);
    monitor.start();
    const path = bus.plug(createSimulator('contour'));
    await expect.poll(() => events.length, { timeout: 2000, interval: 5 }).toBe(1);
    bus.unplug(path);
    await expect.poll(() => events.length, { timeout: 2000, interval: 5 }).toBe(2);
    expect(events).toEqual([
      ['attached', path, 'ascensia-contour'],
      ['detached', path, undefined],
    ]);
    await monitor.stop();
    bus.plug(createSimulator('contour'));
    await new Promise((r) => setTimeout(r, 60));
    expect(events).toHaveLength(2); // stopped: no more polls
  });
});
