/** `devices/*`: the devices panel — attached devices, pending readings, bed binding, simulators. */
import { actorOf, type ApiServices, type HandlersFor } from './services';

export function deviceHandlers({ sessions, devices }: ApiServices): HandlersFor<'devices'> {
  return {
    'devices/list': async () => devices.overview(),
    'devices/assign': async (ctx, input) => ({ recorded: await devices.assign(actorOf(sessions, ctx), input.readingIds, input.patient, input.confirmTimes ?? false) }),
    'devices/dismiss': async (ctx, input) => {
      actorOf(sessions, ctx);
      devices.dismiss(input.readingIds);
      return { dismissed: input.readingIds.length };
    },
    'devices/reread': async (_ctx, input) => {
      await devices.reread(input.deviceId);
      return devices.overview();
    },
    'devices/bind': async (ctx, input) => {
      await devices.bind(actorOf(sessions, ctx), input.deviceId, input.patient, input.intervalSeconds);
      return devices.overview();
    },
    'devices/unbind': async (_ctx, input) => {
      await devices.unbind(input.deviceId);
      return devices.overview();
    },
    'devices/simulate': async (_ctx, input) => {
      await devices.plugSimulator(input.simulator);
      return devices.overview();
    },
    'devices/unplugSimulated': async (_ctx, input) => {
      await devices.unplugSimulator(input.deviceId);
      return devices.overview();
    },
  };
}
