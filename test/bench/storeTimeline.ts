/** The store benchmark's synthetic ward timeline: 30 beds, one reading per bed per minute. */
export const STORE_PATIENTS = 30;
/** A record every 2 s across the ward. */
export const STEP_MS = 2000;
export const T0 = Date.UTC(2026, 0, 1);
