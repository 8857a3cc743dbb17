/**
 * Simulated devices on the simulated HID bus, plugged in from the devices panel or `--simulate`
 * (demo mode only): the same drivers read them as real devices.
 */
import { WardError } from '../model/errors';
import type { CompositeBackend } from './compositeBackend';
import { demoOptions } from './simulators/demoReadings';
import { createSimulator, isSimulatorName, simulatorNames } from './simulators/index';

/** Friendly names accepted by --simulate and the panel, mapped to simulator names. */
export const simulatorAliases: Readonly<Record<string, string>> = {
  oximeter: 'po80',
  glucometer: 'freestyle-neo',
  meter: 'freestyle-neo',
  bp: 'omron',
};

export class Simulation {
  constructor(
    private readonly backend: CompositeBackend,
    /** Whether people may plug simulated devices in (demo mode, --simulate). */
    readonly enabled: boolean,
    /** Look for devices now (so the plugged simulator shows at once). */
    private readonly poll: () => Promise<void>,
  ) {}

  /** The simulators people may plug in (none outside demo mode). */
  get available(): string[] {
    return this.enabled ? [...simulatorNames] : [];
  }

  /** Plug a simulator in by its name or a friendly alias ('oximeter', 'glucometer', 'bp'); returns its device id. */
  async plug(nameOrAlias: string, options?: object): Promise<string> {
    const name = Object.hasOwn(simulatorAliases, nameOrAlias) ? simulatorAliases[nameOrAlias]! : nameOrAlias;
    if (!this.enabled) throw new WardError('CONFLICT', 'Simulated devices are available in demo mode (--demo or --simulate) only.');
    if (!isSimulatorName(name)) throw new WardError('BAD_INPUT', `Unknown simulator "${name}". Choose one of: ${simulatorNames.join(', ')}.`);
    const path = this.backend.simulated.plug(createSimulator(name, options ?? demoOptions(name)));
    await this.poll();
    return path;
  }

  async unplug(deviceId: string): Promise<void> {
    if (!deviceId.startsWith('sim:')) throw new WardError('BAD_INPUT', 'Only simulated devices can be unplugged from the screen.');
    this.backend.simulated.unplug(deviceId);
    await this.poll();
  }
}
