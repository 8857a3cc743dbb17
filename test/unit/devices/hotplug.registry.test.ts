import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allDrivers } from '../../../electron/core/devices/drivers';
import { hexId, isSupportedDevice, matchDriver, supportedIds } from '../../../electron/core/devices/registry';
import type { DeviceDriver } from '../../../electron/core/devices/types';

const RULES_PATH = fileURLToPath(new URL('../../../resources/linux/60-wardledger-devices.rules', import.meta.url));

/** vendor:product pairs of the rule lines for one subsystem. */
function ruleIds(rules: string, subsystem: 'hidraw' | 'usb'): Set<string> {
  const ids = new Set<string>();
  for (const line of rules.split('\n')) {
    if (line.trim().startsWith('#') || !line.includes(`SUBSYSTEM=="${subsystem}"`)) continue;
    const v = /ATTRS?\{idVendor\}=="([0-9a-f]{4})"/.exec(line)?.[1];
    const p = /ATTRS?\{idProduct\}=="([0-9a-f]{4})"/.exec(line)?.[1];
    expect(line).toContain('TAG+="uaccess"');
    expect(line).not.toMatch(/MODE="0?666"/);
    if (v && p) ids.add(`${v}:${p}`);
  }
  return ids;
}

describe('driver registry', () => {
  it('matches the glucometers by vendor and product id', () => {
    expect(matchDriver({ path: 'a', vendorId: 0x1a61, productId: 0x3850 })?.id).toBe('abbott-freestyle-neo');
    expect(matchDriver({ path: 'a', vendorId: 0x1a61, productId: 0x3670 })?.id).toBe('abbott-freestyle-libre');
    expect(matchDriver({ path: 'a', vendorId: 0x1a61, productId: 0x3950 })?.id).toBe('abbott-freestyle-libre2');
    for (const pid of [0x6002, 0x7350, 0x7410, 0x7800, 0x7900, 0x7950, 0x6200, 0x6300, 0x6210]) {
      expect(matchDriver({ path: 'a', vendorId: 0x1a79, productId: pid })?.id).toBe('ascensia-contour');
    }
    expect(matchDriver({ path: 'a', vendorId: 0x1a61, productId: 0x9999 })).toBeUndefined();
    expect(matchDriver({ path: 'a', vendorId: 0x046d, productId: 0xc52b, product: 'USB Receiver' })).toBeUndefined();
  });

  it('uses the product string where ids are shared, preferring a product match over a bare id', () => {
    const bare: DeviceDriver = { id: 'bare', model: 'x', kind: 'oximeter', reads: 'stream', matches: [{ vendorId: 1, productId: 2 }], open: async () => Promise.reject(new Error('x')) };
    const named: DeviceDriver = { id: 'named', model: 'y', kind: 'oximeter', reads: 'stream', matches: [{ vendorId: 1, productId: 2, product: /^Pulse Oximeter$/ }], open: bare.open };
    const sticky: DeviceDriver = { id: 'sticky', model: 'z', kind: 'oximeter', reads: 'stream', matches: [{ vendorId: 3, productId: 4, product: /Oxi/g }], open: bare.open };
    expect(matchDriver({ path: 'a', vendorId: 1, productId: 2, product: 'Pulse Oximeter' }, [bare, named])?.id).toBe('named');
    expect(matchDriver({ path: 'a', vendorId: 1, productId: 2, product: 'Other' }, [bare, named])?.id).toBe('bare');
    expect(matchDriver({ path: 'a', vendorId: 1, productId: 2 }, [named])).toBeUndefined();
    // A global regex must give the same answer every time.
    const info = { path: 'a', vendorId: 3, productId: 4, product: 'Oxi' };
    expect([matchDriver(info, [sticky])?.id, matchDriver(info, [sticky])?.id]).toEqual(['sticky', 'sticky']);
  });

  it('has unique driver ids and only drivers with an open()', () => {
    const ids = allDrivers.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(allDrivers.every((d) => typeof d.open === 'function' && d.matches.length > 0)).toBe(true);
  });

  it('lists supported ids uniquely and leaves out recognised-but-unsupported devices', () => {
    const ids = supportedIds().map((i) => `${hexId(i.vendorId)}:${hexId(i.productId)}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('1a61:3850');
    expect(ids).toContain('1a79:7800');
    expect(ids).not.toContain('1a61:3950');
    expect(isSupportedDevice({ path: 'a', vendorId: 0x1a61, productId: 0x3950 })).toBe(false);
    expect(isSupportedDevice({ path: 'a', vendorId: 0x1a61, productId: 0x3850 })).toBe(true);
  });
});

describe('Linux udev rule', () => {
  const rules = readFileSync(RULES_PATH, 'utf8');

  it('covers every supported id for hidraw and usb, with uaccess', () => {
    const wanted = supportedIds().map((i) => `${hexId(i.vendorId)}:${hexId(i.productId)}`);
    const hidraw = ruleIds(rules, 'hidraw');
    const usb = ruleIds(rules, 'usb');
    const missing = wanted.filter((id) => !hidraw.has(id) || !usb.has(id));
    expect(missing, 'add a udev rule line for each new driver id').toEqual([]);
  });

  it('grants access to nothing the registry does not open', () => {
    const wanted = new Set(supportedIds().map((i) => `${hexId(i.vendorId)}:${hexId(i.productId)}`));
    const extra = [...ruleIds(rules, 'hidraw'), ...ruleIds(rules, 'usb')].filter((id) => !wanted.has(id));
    expect(extra).toEqual([]);
  });
});
