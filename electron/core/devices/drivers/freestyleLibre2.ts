/**
 * Abbott FreeStyle Libre 2 reader (1A61:3950): recognised so the devices panel can say exactly why
 * it cannot be read, never opened. Its HID session is encrypted with keys that are not public.
 */
import { WardError } from '../../model/errors';
import type { DeviceDriver } from '../types';

export const LIBRE2_UNSUPPORTED_REASON =
  'The FreeStyle Libre 2 reader encrypts its USB session and WardLedger cannot read it. Enter its readings by hand, or use the Libre software to export them.';

export const freestyleLibre2Driver: DeviceDriver = {
  id: 'abbott-freestyle-libre2',
  model: 'Abbott FreeStyle Libre 2 reader',
  kind: 'glucometer',
  reads: 'memory',
  matches: [{ vendorId: 0x1a61, productId: 0x3950 }],
  unsupportedReason: LIBRE2_UNSUPPORTED_REASON,
  async open(connection) {
    await connection.close().catch(() => undefined);
    throw new WardError('DEVICE_UNSUPPORTED', LIBRE2_UNSUPPORTED_REASON);
  },
};
