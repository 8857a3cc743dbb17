/**
 * The workstation's USB view: real devices through node-hid plus the simulated bus (demo mode,
 * `--simulate`), behind one HidBackend. Simulated paths start with "sim:". When node-hid cannot
 * load (no libusb), the simulated bus still works and the reason is kept for the devices panel.
 */
import { WardError } from '../model/errors';
import type { SimulatedHidBus } from './simulators/bus';
import type { HidBackend, HidConnection, HidDeviceInfo } from './types';

export class CompositeBackend implements HidBackend {
  /** Why real USB devices are not available, if they are not. */
  usbProblem: string | null = null;

  constructor(
    private readonly usb: HidBackend | null,
    readonly simulated: SimulatedHidBus,
  ) {}

  async enumerate(): Promise<HidDeviceInfo[]> {
    const sims = await this.simulated.enumerate();
    if (!this.usb) return sims;
    try {
      const real = await this.usb.enumerate();
      this.usbProblem = null;
      return [...real, ...sims];
    } catch (e) {
      this.usbProblem = e instanceof WardError ? e.message : 'USB devices cannot be listed.';
      return sims;
    }
  }

  open(path: string): Promise<HidConnection> {
    if (path.startsWith('sim:')) return this.simulated.open(path);
    if (!this.usb) return Promise.reject(new WardError('DEVICE', 'USB access is not available on this workstation.'));
    return this.usb.open(path);
  }
}
