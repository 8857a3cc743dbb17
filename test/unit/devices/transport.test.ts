import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import {
  createNodeHidBackend,
  mapOpenError,
  mapTransferError,
  toDeviceInfo,
  toReport,
  USB_UNAVAILABLE_MESSAGE,
  type NodeHidModule,
} from '../../../electron/core/devices/transport/nodeHid';
import { drainInput, ExchangeSerializer, METER_STEP_TIMEOUT_MS, readReport, stepOptions, wardErrorsOnly, writeReport } from '../../../electron/core/devices/transport/reportIo';
import { SimulatedHidBus } from '../../../electron/core/devices/simulators/bus';
import type { HidConnection } from '../../../electron/core/devices/types';

async function rejection(p: Promise<unknown>): Promise<WardError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(WardError);
    return e as WardError;
  }
  throw new Error('expected a rejection');
}

describe('node-hid error mapping', () => {
  it('maps permission failures on open to DEVICE_PERMISSION pointing at the udev rule', () => {
    for (const message of ['cannot open device with path /dev/hidraw3', 'could not open device', 'EACCES: permission denied']) {
      const e = mapOpenError(new Error(message));
      expect(e.code).toBe('DEVICE_PERMISSION');
      expect(e.message).toContain('60-wardledger-devices.rules');
    }
    expect(mapOpenError(Object.assign(new Error('x'), { code: 'EACCES' })).code).toBe('DEVICE_PERMISSION');
    expect(mapOpenError(new Error('No such device')).code).toBe('DEVICE_UNPLUGGED');
    expect(mapOpenError(new Error('weird')).code).toBe('DEVICE');
  });

  it('maps a device that vanished mid-transfer to DEVICE_UNPLUGGED', () => {
    for (const message of ['could not read data from device', 'Cannot write to hid device', 'device has been closed', 'Input/output error']) {
      expect(mapTransferError(new Error(message)).code).toBe('DEVICE_UNPLUGGED');
    }
    expect(mapTransferError(Object.assign(new Error('x'), { code: 'ENODEV' })).code).toBe('DEVICE_UNPLUGGED');
    const other = mapTransferError(new Error('something with /home/alice/secret'));
    expect(other.code).toBe('DEVICE');
    expect(other.message).not.toContain('alice'); // native text is never passed to the user
    const ward = new WardError('DEVICE_TIMEOUT', 'slow');
    expect(mapTransferError(ward)).toBe(ward);
  });

  it('turns an empty read into a timeout (null) and copies data', () => {
    expect(toReport(Buffer.alloc(0))).toBeNull();
    expect(toReport(undefined)).toBeNull();
    const buf = Buffer.from([1, 2, 3]);
    const r = toReport(buf)!;
    expect([...r]).toEqual([1, 2, 3]);
    buf[0] = 9;
    expect(r[0]).toBe(1);
  });

  it('keeps only openable entries of the device list', () => {
    expect(toDeviceInfo({ vendorId: 1, productId: 2 })).toBeUndefined();
    expect(toDeviceInfo({ vendorId: 0x1a61, productId: 0x3850, path: '/dev/hidraw1', product: 'Neo' })).toEqual({
      path: '/dev/hidraw1',
      vendorId: 0x1a61,
      productId: 0x3850,
      product: 'Neo',
    });
  });
});

describe('node-hid backend loading', () => {
  it('reports a clear WardError when node-hid cannot load, and retries later', async () => {
    let attempts = 0;
    const backend = createNodeHidBackend({
      load: async () => {
        attempts++;
        throw new Error('libusb-1.0.so.0: cannot open shared object file');
      },
    });
    const e = await rejection(backend.enumerate());
    expect(e.message).toBe(USB_UNAVAILABLE_MESSAGE);
    expect((await rejection(backend.open('/dev/hidraw0'))).message).toBe(USB_UNAVAILABLE_MESSAGE);
    expect(attempts).toBe(2);
  });

  it('maps failures of the loaded module (listing, open)', async () => {
    const module: NodeHidModule = {
      devicesAsync: async () => [{ vendorId: 0x1a61, productId: 0x3850, path: '/dev/hidraw7' }, { vendorId: 1, productId: 1 }],
      HIDAsync: { open: async () => Promise.reject(new Error('cannot open device with path /dev/hidraw7')) },
    };
    const backend = createNodeHidBackend({ load: async () => module });
    expect(await backend.enumerate()).toEqual([{ path: '/dev/hidraw7', vendorId: 0x1a61, productId: 0x3850 }]);
    expect((await rejection(backend.open('/dev/hidraw7'))).code).toBe('DEVICE_PERMISSION');
  });

  it('wraps an opened device: empty reads are timeouts, native errors are mapped, writes keep their bytes', async () => {
    const written: number[][] = [];
    let reads = 0;
    const module: NodeHidModule = {
      devicesAsync: async () => [],
      HIDAsync: {
        open: async () => ({
          read: async () => (++reads === 1 ? Buffer.alloc(0) : Promise.reject(new Error('could not read data from device'))),
          write: async (v) => {
            written.push([...(v as Buffer)]);
            return (v as Buffer).length;
          },
          sendFeatureReport: async () => 0,
          close: async () => undefined,
        }),
      },
    };
    const conn = await createNodeHidBackend({ load: async () => module }).open('/dev/hidraw1');
    expect(await conn.read(10)).toBeNull();
    expect((await rejection(conn.read(10))).code).toBe('DEVICE_UNPLUGGED');
    await conn.write(Uint8Array.of(0, 1, 2));
    expect(written).toEqual([[0, 1, 2]]);
    await conn.close();
    expect((await rejection(conn.write(Uint8Array.of(0)))).code).toBe('DEVICE');
  });

  it('loads the real node-hid here, or fails with the clear message', async () => {
    const backend = createNodeHidBackend();
    try {
      const list = await backend.enumerate();
      expect(Array.isArray(list)).toBe(true);
      expect(list.every((d) => typeof d.path === 'string' && Number.isInteger(d.vendorId))).toBe(true);
    } catch (e) {
      expect(e).toBeInstanceOf(WardError);
      expect((e as WardError).message).toBe(USB_UNAVAILABLE_MESSAGE);
    }
  });
});

describe('bounded report I/O', () => {
  it('normalises step options', () => {
    expect(stepOptions().timeoutMs).toBe(2000);
    expect(stepOptions(undefined, METER_STEP_TIMEOUT_MS).timeoutMs).toBe(3000);
    expect(stepOptions({ timeoutMs: -5 }, METER_STEP_TIMEOUT_MS).timeoutMs).toBe(3000);
    expect(stepOptions({ timeoutMs: Number.NaN }, METER_STEP_TIMEOUT_MS).timeoutMs).toBe(3000);
    expect(stepOptions({ timeoutMs: 1e12 }, METER_STEP_TIMEOUT_MS).timeoutMs).toBe(600_000);
    expect(stepOptions({ timeoutMs: 50 }, METER_STEP_TIMEOUT_MS).timeoutMs).toBe(50);
  });

  it('a read that gets nothing is a DEVICE_TIMEOUT naming the step', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug({ info: { vendorId: 1, productId: 1 }, onHostReport: () => undefined });
    const conn = await bus.open(path);
    const e = await rejection(readReport(conn, { timeoutMs: 10 }, 'the greeting'));
    expect(e.code).toBe('DEVICE_TIMEOUT');
    expect(e.message).toContain('the greeting');
  });

  it('a write that never completes is a DEVICE_TIMEOUT, a throwing connection a DEVICE error', async () => {
    const stuck: HidConnection = {
      write: () => new Promise<void>(() => undefined),
      sendFeatureReport: async () => undefined,
      read: async () => null,
      close: async () => undefined,
    };
    expect((await rejection(writeReport(stuck, Uint8Array.of(0), { timeoutMs: 10 }, 'x'))).code).toBe('DEVICE_TIMEOUT');
    const broken: HidConnection = { ...stuck, write: async () => Promise.reject(new TypeError('native')) };
    expect((await rejection(writeReport(broken, Uint8Array.of(0), { timeoutMs: 10 }, 'x'))).code).toBe('DEVICE');
  });

  it('drains left-over input and stops at the first quiet moment', async () => {
    const bus = new SimulatedHidBus();
    const path = bus.plug({ info: { vendorId: 1, productId: 1 }, onHostReport: (_r, _k, emit) => [1, 2, 3].forEach((n) => emit(Uint8Array.of(n))) });
    const conn = await bus.open(path);
    await conn.write(Uint8Array.of(0, 9));
    await drainInput(conn, { timeoutMs: 100 });
    expect(await conn.read(5)).toBeNull();
  });

  it('wardErrorsOnly lets WardErrors through and turns anything else into PROTOCOL', async () => {
    expect((await rejection(wardErrorsOnly(async () => Promise.reject(new WardError('DEVICE_UNPLUGGED', 'gone'))))).code).toBe('DEVICE_UNPLUGGED');
    expect((await rejection(wardErrorsOnly(async () => Promise.reject(new RangeError('bug'))))).code).toBe('PROTOCOL');
  });

  it('ExchangeSerializer runs tasks one at a time, in order, past failures', async () => {
    const q = new ExchangeSerializer();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) => () =>
      new Promise<string>((resolve, reject) => {
        log.push(`start ${name}`);
        setTimeout(() => {
          log.push(`end ${name}`);
          if (fail) reject(new WardError('DEVICE', 'x'));
          else resolve(name);
        }, ms);
      });
    const results = await Promise.allSettled([q.run(task('a', 15)), q.run(task('b', 1, true)), q.run(task('c', 1))]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
