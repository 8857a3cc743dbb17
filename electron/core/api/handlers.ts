/** Handlers for the foundation operations: ward, identity, sessions, admin, home pages. */
import { WardError } from '../common/errors';
import type { Session } from '../identity/sessions';
import type { WardConfigStore } from '../wardConfig';
import type { SessionInfo } from './contract';
import type { DeviceService } from '../devices/deviceService';
import { createClinicalHandlers, type ClinicalDeps } from './clinicalHandlers';
import { actorOf } from './actor';
import { createDeviceHandlers } from './deviceHandlers';
import { requireSession, type Handlers } from './router';

export interface HandlerDeps extends ClinicalDeps {
  config: WardConfigStore;
  devices: DeviceService;
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { node, config, identity, sessions } = deps;
  const { myPatients, ...clinical } = createClinicalHandlers(deps);
  const wardName = () => config.get()?.wardName ?? '';
  const lockTimeout = () => config.get()?.lockTimeoutSeconds ?? 300;
  const info = (s: Session): SessionInfo => ({ token: s.token, profile: s.profile, wardName: wardName(), lockTimeoutSeconds: lockTimeout() });
  const wallet = (s: Session | null) => sessions.walletOf(requireSession({ session: s } as never));

  return {
    ...clinical,
    ...createDeviceHandlers(deps.devices, sessions, deps.admissions),
    'ward/status': async () => ({
      initialized: identity.initialized,
      wardName: config.get()?.wardName ?? null,
      chainId: node.options.chainId,
      blockNumber: await node.provider.getBlockNumber(),
      registryAddress: config.get()?.registryAddress ?? null,
      lockTimeoutSeconds: lockTimeout(),
    }),

    'ward/setup': async (ctx, input) => {
      ctx.progress('Creating the IT admin key', 0);
      const result = await identity.setupWard(input);
      ctx.progress('Ward ready', 1);
      return result;
    },

    'identity/register': async (ctx, input) => {
      if (!identity.initialized) throw new WardError('CONFLICT', 'The ward has not been set up yet. Ask IT to complete first-run setup.');
      return identity.register(input);
    },

    'session/login': async (ctx, input) => {
      if (!identity.initialized) throw new WardError('CONFLICT', 'The ward has not been set up yet.');
      const { wallet: w, profile } = await identity.login(input.name, input.password);
      ctx.progress('Unlocking your key', 1);
      return info(sessions.create(ctx.channel, profile, w, identity.teamKeyFor(w, profile.role)));
    },

    'session/me': async (ctx) => {
      const s = requireSession(ctx);
      return { ...info(s), locked: s.locked };
    },

    'session/touch': async (ctx) => ({ locksAt: sessions.locksAt(requireSession(ctx)).toISOString() }),

    'session/lock': async (ctx) => {
      sessions.lock(requireSession(ctx), 'manual');
      return { locked: true as const };
    },

    'session/unlock': async (ctx, input) => {
      const s = requireSession(ctx);
      const w = await identity.verifyPassword(s.profile.address, input.password);
      sessions.unlock(s, w, identity.teamKeyFor(w, s.profile.role));
      return info(s);
    },

    'session/logout': async (ctx) => {
      sessions.end(requireSession(ctx));
      return { loggedOut: true as const };
    },

    'admin/pending': async (ctx) => identity.pending(wallet(ctx.session)),
    'admin/approve': async (ctx, input) => identity.decide(wallet(ctx.session), input.address, 'approve'),
    'admin/reject': async (ctx, input) => identity.decide(wallet(ctx.session), input.address, 'reject'),
    'admin/members': async (ctx) => identity.members(wallet(ctx.session)),

    'settings/update': async (_ctx, input) => {
      config.update({ lockTimeoutSeconds: input.lockTimeoutSeconds });
      return { lockTimeoutSeconds: input.lockTimeoutSeconds };
    },

    'doctor/home': async (ctx) => {
      const s = requireSession(ctx);
      const patients = await myPatients(actorOf(sessions, s));
      return {
        me: s.profile,
        wardName: wardName(),
        patients: patients.map((p) => ({ address: p.address, name: p.name, age: p.age, latestVitalsAt: p.latest?.at ?? null })),
      };
    },

    'patient/home': async (ctx) => {
      const s = requireSession(ctx);
      wallet(s);
      return { me: s.profile, wardName: wardName() };
    },
  };
}
