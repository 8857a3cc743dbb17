/**
 * The HID pulse oximeters and blood-pressure monitors, for the driver registry. Order matters
 * only for the shared oximeter ids 0x28E9:0x028A, which the product string tells apart.
 */
import type { DeviceDriver } from '../types';
import { po80Driver } from './beurerPo80';
import { bm58Driver } from './beurerBm58';
import { cms50eDriver } from './cms50e';
import { microlifeB3Driver } from './microlifeB3';
import { omron790Driver } from './omron790';

export const oximeterAndBpDrivers: DeviceDriver[] = [cms50eDriver, po80Driver, omron790Driver, bm58Driver, microlifeB3Driver];

export { bm58Driver, cms50eDriver, microlifeB3Driver, omron790Driver, po80Driver };
