/**
 * The driver registry: which driver handles a plugged-in HID device. Matching is by USB vendor and
 * product id; where unrelated products share ids (e.g. a chip vendor's default id) the product
 * string must match too. The same list feeds the Linux udev rule (see supportedIds).
 */
import { allDrivers } from './drivers';
import type { DeviceDriver, DeviceMatch, HidDeviceInfo } from './types';

function matchesInfo(m: DeviceMatch, info: HidDeviceInfo): boolean {
  if (m.vendorId !== info.vendorId || m.productId !== info.productId) return false;
  if (!m.product) return true;
  if (typeof info.product !== 'string') return false;
  m.product.lastIndex = 0; // a /g or /y regex must not carry state between devices
  return m.product.test(info.product);
}

/**
 * The driver for a device, or undefined when none is known. A match that also checks the product
 * string wins over a bare id match, so a shared id resolves to the specific product first.
 */
export function matchDriver(info: HidDeviceInfo, drivers: readonly DeviceDriver[] = allDrivers): DeviceDriver | undefined {
  let fallback: DeviceDriver | undefined;
  for (const d of drivers) {
    for (const m of d.matches) {
      if (!matchesInfo(m, info)) continue;
      if (m.product) return d;
      fallback ??= d;
    }
  }
  return fallback;
}

export interface UsbId {
  vendorId: number;
  productId: number;
}

/** 4-digit lowercase hex, as udev writes ids. */
export function hexId(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/**
 * Vendor/product ids the app opens (drivers marked unsupported are only recognised, never opened,
 * so they need no permission). Unique, sorted.
 */
export function supportedIds(drivers: readonly DeviceDriver[] = allDrivers): UsbId[] {
  const seen = new Map<string, UsbId>();
  for (const d of drivers) {
    if (d.unsupportedReason) continue;
    for (const m of d.matches) seen.set(`${hexId(m.vendorId)}:${hexId(m.productId)}`, { vendorId: m.vendorId, productId: m.productId });
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, id]) => id);
}

/** True when the app may open this device (a known, supported driver matches it). */
export function isSupportedDevice(info: HidDeviceInfo): boolean {
  const d = matchDriver(info);
  return d !== undefined && !d.unsupportedReason;
}
