/**
 * Every device driver the app knows, in one list (the registry matches plugged-in devices against
 * it, and the Linux udev rule is checked against it). Recognised-but-unsupported drivers are in
 * it too: they explain why. Order matters only for the shared oximeter ids 0x28E9:0x028A, which
 * the product string tells apart.
 */
import type { DeviceDriver } from '../types';
import { bm58Driver } from './beurerBm58';
import { po80Driver } from './beurerPo80';
import { cms50eDriver } from './cms50e';
import { contourDriver } from './contour';
import { freestyleLibreDriver } from './freestyleLibre';
import { freestyleLibre2Driver } from './freestyleLibre2';
import { freestyleNeoDriver } from './freestyleNeo';
import { microlifeB3Driver } from './microlifeB3';
import { omron790Driver } from './omron790';

export const allDrivers: readonly DeviceDriver[] = Object.freeze([
  // Glucometers: FreeStyle shared HID protocol, Contour ASTM.
  freestyleNeoDriver,
  freestyleLibreDriver,
  freestyleLibre2Driver,
  contourDriver,
  // Pulse oximeters and blood-pressure monitors.
  cms50eDriver,
  po80Driver,
  omron790Driver,
  bm58Driver,
  microlifeB3Driver,
]);
