/**
 * Every device driver the app knows, in one list the registry reads.
 */
import type { DeviceDriver } from '../types';
// ---- Oximeter and blood-pressure drivers (devices B) -----------------------------------------
import { oximeterAndBpDrivers } from './bloodPressureAndOximeters';
// ---------------------------------------------------------------------------------------------
import { contourDriver } from './contour';
import { freestyleLibreDriver } from './freestyleLibre';
import { freestyleLibre2Driver } from './freestyleLibre2';
import { freestyleNeoDriver } from './freestyleNeo';

export { contourDriver, freestyleLibre2Driver, freestyleLibreDriver, freestyleNeoDriver };

/** Glucometers (FreeStyle shared HID protocol, Contour ASTM). */
export const glucometerDrivers: readonly DeviceDriver[] = [freestyleNeoDriver, freestyleLibreDriver, freestyleLibre2Driver, contourDriver];

export const registeredDrivers: readonly DeviceDriver[] = [...glucometerDrivers, ...oximeterAndBpDrivers];
