/** Handlers for the devices panel: list, assign/dismiss pending readings, bind monitors, simulate. */
import { WardError } from '../model/errors';
import type { DeviceService } from '../devices/deviceService';
import type { Session, SessionManager } from '../identity/sessions';
import type { Actor } from '../records/recordService';
import type { Admissions } from '../ward/admissions';
import type { DevicesOverview } from '../model/devices';
import { actorOf as actorOfSession } from './actor';
import type { Handlers } from './router';

type DeviceOps = Extract<keyof Handlers, `devices/${string}`>;

/** Friendly names accepted by --simulate and the panel, mapped to simulator names. */
export const simulatorAliases: Record<string, string> = {
  oximeter: 'po80',
  glucometer: 'freestyle-neo',
  meter: 'freestyle-neo',
  bp: 'omron',
};

export function createDeviceHandlers(devices: DeviceService, sessions: SessionManager, admissions: Admissions): Pick<Handlers, DeviceOps> {
  const actorOf = (session: Session | null): Actor => actorOfSession(sessions, session);
  const overview = (): DevicesOverview => ({
    usbProblem: devices.usbProblem,
    simulators: devices.simulators,
    devices: devices.list(),
    pending: devices.pendingReadings(),
  });
  const requireAdmitted = (patient: string) => {
    if (!admissions.currentOf(patient)) {
      throw new WardError('BAD_INPUT', 'Readings go to patients admitted to the ward; admit the patient first.', { fields: { patient: 'Choose an admitted patient.' } });
    }
  };

  return {
    'devices/list': async () => overview(),
    'devices/assign': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      requireAdmitted(input.patient);
      return { recorded: await devices.assign(actor, input.readingIds, input.patient) };
    },
    'devices/dismiss': async (ctx, input) => {
      actorOf(ctx.session);
      devices.dismiss(input.readingIds);
      return { dismissed: input.readingIds.length };
    },
    'devices/reread': async (_ctx, input) => {
      await devices.reread(input.deviceId);
      return overview();
    },
    'devices/bind': async (ctx, input) => {
      const actor = actorOf(ctx.session);
      requireAdmitted(input.patient);
      devices.bind(actor, input.deviceId, input.patient, input.intervalSeconds);
      return overview();
    },
    'devices/unbind': async (_ctx, input) => {
      devices.unbind(input.deviceId);
      return overview();
    },
    'devices/simulate': async (_ctx, input) => {
      await devices.plugSimulator(simulatorAliases[input.simulator] ?? input.simulator);
      return overview();
    },
    'devices/unplugSimulated': async (_ctx, input) => {
      await devices.unplugSimulator(input.deviceId);
      return overview();
    },
  };
}
