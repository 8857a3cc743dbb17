/**
 * Simulators by name, for demo mode ("plug in" a simulated device from the devices panel) and tests.
 */
import { WardError } from '../../model/errors';
import type { SimulatedDevice } from './bus';
import { ContourSimulator, type ContourSimOptions } from './contour';
import { FreeStyleSimulator, type FreeStyleSimOptions } from './freestyle';
import { createBm58Simulator, type Bm58SimulatorOptions } from './beurerBm58';
import { createPo80Simulator, type Po80SimulatorOptions } from './beurerPo80';
import { createCms50eSimulator, type Cms50eSimulatorOptions } from './cms50e';
import { createMicrolifeSimulator, type MicrolifeSimulatorOptions } from './microlifeB3';
import { createOmron790Simulator, type Omron790SimulatorOptions } from './omron790';

export interface SimulatorOptionsByName {
  'freestyle-neo': FreeStyleSimOptions;
  'freestyle-libre': FreeStyleSimOptions;
  'freestyle-libre-pro': FreeStyleSimOptions;
  libre2: FreeStyleSimOptions;
  contour: ContourSimOptions;
  // Oximeters and blood-pressure monitors.
  cms50e: Cms50eSimulatorOptions;
  po80: Po80SimulatorOptions;
  omron: Omron790SimulatorOptions;
  bm58: Bm58SimulatorOptions;
  microlife: MicrolifeSimulatorOptions;
}

export type SimulatorName = keyof SimulatorOptionsByName;

const factories: { [N in SimulatorName]: (options?: SimulatorOptionsByName[N]) => SimulatedDevice } = {
  'freestyle-neo': (o) => new FreeStyleSimulator('neo', o),
  'freestyle-libre': (o) => new FreeStyleSimulator('libre', o),
  'freestyle-libre-pro': (o) => new FreeStyleSimulator('libre-pro', o),
  libre2: (o) => new FreeStyleSimulator('libre2', o),
  contour: (o) => new ContourSimulator(o),
  // Oximeters and blood-pressure monitors.
  cms50e: (o) => createCms50eSimulator(o),
  po80: (o) => createPo80Simulator(o),
  omron: (o) => createOmron790Simulator(o),
  bm58: (o) => createBm58Simulator(o),
  microlife: (o) => createMicrolifeSimulator(o),
};

/** Every simulator name, e.g. for the demo-mode menu. */
export const simulatorNames = Object.keys(factories) as SimulatorName[];

export function isSimulatorName(name: string): name is SimulatorName {
  return Object.prototype.hasOwnProperty.call(factories, name);
}

/** A new simulated device by name. Throws WardError('BAD_INPUT') for an unknown name. */
export function createSimulator<N extends SimulatorName>(name: N, options?: SimulatorOptionsByName[N]): SimulatedDevice;
export function createSimulator(name: string, options?: object): SimulatedDevice;
export function createSimulator(name: string, options?: object): SimulatedDevice {
  if (!isSimulatorName(name)) throw new WardError('BAD_INPUT', 'There is no simulated device with that name.');
  return (factories[name] as (o?: object) => SimulatedDevice)(options);
}
