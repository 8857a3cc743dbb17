import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import { liveVitals, parseLiveItem } from '../../../electron/core/devices/protocols/contecLive';
import { parseCms50eReport, cms50eDriver } from '../../../electron/core/devices/drivers/cms50e';
import { parsePo80Report, po80CheckByteValid, po80Command, PO80_COMMANDS, po80Driver } from '../../../electron/core/devices/drivers/beurerPo80';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), (b) => parseInt(b, 16));
const pad = (bytes: Uint8Array, size: number): Uint8Array => {
  const r = new Uint8Array(size);
  r.set(bytes);
  return r;
};

function protocolError(fn: () => unknown): WardError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WardError);
    expect((e as WardError).code).toBe('PROTOCOL');
    return e as WardError;
  }
  throw new Error('expected a PROTOCOL error');
}

describe('Contec live items (shared by CMS50E and PO 80)', () => {
  it('reads pulse and SpO2 from a vitals item', () => {
    // Same values as the docs/devices.md firmware-4.6 example (pulse 65, SpO2 97), in the HID item layout.
    const item = parseLiveItem(hex('EB 01 00 41 61 00'), 0, 'item');
    expect(item).toEqual({ type: 'vitals', status: 0, pulse: 65, spo2: 97 });
    const { measurements, flags } = liveVitals(item as { status: number; pulse: number; spo2: number });
    expect(measurements).toEqual([
      { mdc: 150456, loinc: '2708-6', unit: '%', value: 97 },
      { mdc: 149530, loinc: '8867-4', unit: '/min', value: 65 },
    ]);
    expect(flags).toEqual([]);
  });

  it('reads a pleth sample from a type-0 item', () => {
    expect(parseLiveItem(hex('EB 00 00 37 00 00'), 0, 'item')).toEqual({ type: 'pleth', status: 0, pleth: 0x37 });
  });

  it('drops values of 127 and more, flagging finger-out or searching', () => {
    expect(liveVitals({ status: 0, pulse: 127, spo2: 127 })).toEqual({ measurements: [], flags: ['finger-out'] });
    expect(liveVitals({ status: 0x01, pulse: 127, spo2: 127 }).flags).toEqual(['finger-out']);
    expect(liveVitals({ status: 0x02, pulse: 127, spo2: 127 }).flags).toEqual(['searching']);
    const partial = liveVitals({ status: 0, pulse: 80, spo2: 200 });
    expect(partial.measurements.map((m) => m.mdc)).toEqual([149530]);
    expect(partial.flags).toEqual(['searching']);
  });

  it('rejects an item without its sync byte or cut short', () => {
    expect(protocolError(() => parseLiveItem(hex('EA 01 00 41 61 00'), 0, 'item')).message).toMatch(/sync byte/);
    expect(protocolError(() => parseLiveItem(hex('EB 01 00'), 0, 'item')).message).toMatch(/truncated/);
  });
});

describe('CMS50E HID reports', () => {
  it('splits an 18-byte report into three items', () => {
    const items = parseCms50eReport(hex('EB 00 00 10 00 00  EB 00 00 12 00 00  EB 01 00 48 62 00'));
    expect(items.map((i) => i.type)).toEqual(['pleth', 'pleth', 'vitals']);
    expect(items[2]).toEqual({ type: 'vitals', status: 0, pulse: 72, spo2: 98 });
  });

  it('rejects reports that are not whole items, and items out of step', () => {
    expect(protocolError(() => parseCms50eReport(hex('EB 00 00 10 00 00 EB 00 00'))).message).toMatch(/9 bytes/);
    expect(protocolError(() => parseCms50eReport(new Uint8Array(0))).message).toMatch(/0 bytes/);
    protocolError(() => parseCms50eReport(hex('EB 00 00 10 00 00  00 EB 00 12 00 00  EB 01 00 48 62 00')));
  });

  it('matches only its own product string on the shared 0x28E9:0x028A ids', () => {
    const m = cms50eDriver.matches[0];
    expect([m.vendorId, m.productId]).toEqual([0x28e9, 0x028a]);
    expect(m.product?.test('CMS50E')).toBe(true);
    expect(m.product?.test('Contec Pulse Oximeter')).toBe(true);
    expect(m.product?.test('Pulse Oximeter')).toBe(false);
  });
});

describe('Beurer PO 80 commands and reports', () => {
  it('builds the docs/devices.md commands (hid-pulse-oximeter usb_hid.py) with the (sum & 0x7F) check byte', () => {
    expect(Array.from(po80Command([0x81]))).toEqual([0x81, 0x01]);
    expect(Array.from(po80Command([0x8e, 0x03]))).toEqual([0x8e, 0x03, 0x11]);
    expect(Array.from(po80Command([0x9b, 0x01]))).toEqual([0x9b, 0x01, 0x1c]);
    expect(Array.from(po80Command([0x9b, 0x00]))).toEqual([0x9b, 0x00, 0x1b]);
    expect(Array.from(po80Command([0x9a]))).toEqual([0x9a, 0x1a]);
    expect(Object.values(PO80_COMMANDS).map((c) => Array.from(c))).toEqual([
      [0x81, 0x01],
      [0x8e, 0x03, 0x11],
      [0x80],
      [0x9b, 0x01, 0x1c],
      [0x9b, 0x00, 0x1b],
      [0x9a, 0x1a],
    ]);
  });

  it('checks the check byte', () => {
    for (const v of ['81 01', '8E 03 11', '9B 01 1C', '9B 00 1B', '9A 1A']) expect(po80CheckByteValid(hex(v))).toBe(true);
    for (const v of ['81 02', '8E 03 12', '9B 01 1B', '9A']) expect(po80CheckByteValid(hex(v))).toBe(false);
    expect(po80CheckByteValid(new Uint8Array(0))).toBe(false);
  });

  it('parses the model reply and live data', () => {
    expect(parsePo80Report(pad(hex('F1 50 4F 38 30'), 64))).toEqual({ type: 'model', model: 'PO80' });
    expect(parsePo80Report(pad(hex('FE 03 75 73 65 72'), 64))).toEqual({ type: 'user' });
    expect(parsePo80Report(pad(hex('EB 01 00 4B 5F'), 64))).toEqual({ type: 'live', item: { type: 'vitals', status: 0, pulse: 75, spo2: 95 } });
    expect(parsePo80Report(pad(hex('EB 00 00 20'), 64))).toEqual({ type: 'live', item: { type: 'pleth', status: 0, pleth: 0x20 } });
  });

  it('rejects short, unknown and unreadable reports', () => {
    expect(protocolError(() => parsePo80Report(pad(hex('EB 01 00 4B 5F'), 32))).message).toMatch(/32 bytes/);
    expect(protocolError(() => parsePo80Report(pad(hex('42 01'), 64))).message).toMatch(/unknown type/);
    protocolError(() => parsePo80Report(pad(hex('F1 01 02 03'), 64)));
  });

  it('matches the "Pulse Oximeter" product string only', () => {
    const m = po80Driver.matches[0];
    expect(m.product?.test('Pulse Oximeter')).toBe(true);
    expect(m.product?.test('CMS50E')).toBe(false);
  });
});
