/**
 * The core: one ward's object graph (graph.ts), started and stopped as a unit.
 * Start order: data-dir lock → ward chain → ward config and deployment check → record store
 * (replay) → anchor recovery (or the demo ward) → sessions → devices. Stop runs in reverse and is
 * safe to call twice.
 */
import { seedDemoWard } from './demo/demoWard';
import { buildCoreGraph } from './graph';
import { log } from './platform/log';
import type { CoreConfig, WardCore } from './shellContract';

export type { CoreConfig, WardCore } from './shellContract';
export { demoBanner } from './demo/demoWard';

export function createCore(config: CoreConfig): WardCore {
  const g = buildCoreGraph(config);
  let state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  return {
    dataDir: g.dataDir,

    async start() {
      if (state !== 'new') throw new Error('A core is started once.');
      state = 'starting';
      try {
        const entries = await g.open();
        if (g.identity.initialized) {
          await g.anchorQueue.resume();
          await g.reconcileWithChain();
        }
        else if (config.demo) {
          await seedDemoWard(g);
          log('info', 'demo.seeded', { records: g.store.records.size });
        }
        log('info', 'records.opened', { entries });
        g.sessions.start(config.lockCheckIntervalMs ?? 1000);
        g.devices.start();
        for (const name of config.simulate ?? []) await g.devices.plugSimulator(name);
      } catch (e) {
        await g.close();
        state = 'stopped';
        throw e;
      }
      state = 'running';
      log('info', 'core.started', { initialized: g.identity.initialized });
    },

    async stop() {
      if (state === 'stopped' || state === 'new') {
        state = 'stopped';
        return;
      }
      state = 'stopped';
      g.sessions.stop();
      await g.devices.stop();
      await g.close();
      log('info', 'core.stopped');
    },

    call(ctx, operation, input) {
      if (state !== 'running') return Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: 'WardLedger is not running.' } });
      return g.router.call(ctx, operation, input);
    },

    subscribe(channel, listener) {
      return g.events.subscribe(channel, listener);
    },
  };
}
