/**
 * The core: one ward's object graph (graph.ts), started and stopped as a unit.
 * Start order: data-dir lock → the ward chain opening on its own thread, meanwhile ward config and
 * record store (an old log is migrated once, with progress) → deployment check → anchor recovery
 * (or the demo ward) → sessions → devices. Calls made while it starts answer STARTING with what it is doing. Stop runs in reverse
 * (what waits to be anchored is anchored first) and is safe to call twice.
 */
import { seedDemoWard } from './demo/demoWard';
import { buildCoreGraph } from './graph';
import { warmUpCurve } from './crypto/envelope';
import { startIdleCollector, type IdleCollector } from './platform/idleCollector';
import { log } from './platform/log';
import type { CoreConfig, StartupProgress, WardCore } from './shellContract';

export type { CoreConfig, StartupProgress, WardCore } from './shellContract';
export { demoBanner } from './demo/demoWard';

export function createCore(config: CoreConfig): WardCore {
  const g = buildCoreGraph(config);
  let state: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  let progress: StartupProgress = { label: 'Opening the ward', fraction: null, step: 'opening' };
  let idleCollector: IdleCollector | null = null;

  return {
    dataDir: g.dataDir,

    async start(onProgress) {
      if (state !== 'new') throw new Error('A core is started once.');
      state = 'starting';
      const report = (p: StartupProgress) => {
        progress = p;
        onProgress?.(p);
      };
      try {
        await g.open(report);
        if (g.identity.initialized) {
          await g.anchorQueue.resume();
          await g.reconcileWithChain();
          await g.consortium.start(); // offline is the engine's state, not a failure of the start
        }
        else if (config.demo) {
          await seedDemoWard(g);
          log('info', 'demo.seeded');
        }
        g.sessions.start(config.lockCheckIntervalMs ?? 1000);
        await g.devices.start();
        for (const name of config.simulate ?? []) await g.devices.plugSimulator(name);
      } catch (e) {
        await g.close();
        state = 'stopped';
        throw e;
      }
      state = 'running';
      // Memory a big open left behind goes back once the workstation is quiet (platform/idleCollector.ts).
      idleCollector = startIdleCollector();
      // Off the start's path: the first reader's first open would build them otherwise.
      setTimeout(warmUpCurve, 0).unref();
      log('info', 'core.started', { initialized: g.identity.initialized });
    },

    async stop() {
      if (state === 'stopped' || state === 'new') {
        state = 'stopped';
        return;
      }
      state = 'stopped';
      idleCollector?.stop();
      g.sessions.stop();
      await g.devices.stop();
      await g.consortium.stop().catch(() => undefined);
      await g.anchorQueue.flush().catch(() => undefined); // durable either way: anchored at the next start if this fails
      await g.close();
      log('info', 'core.stopped');
    },

    call(ctx, operation, input) {
      if (state === 'starting') {
        return Promise.resolve({ ok: false, error: { code: 'STARTING', message: `WardLedger is starting. ${progress.label}`, details: { label: progress.label, fraction: progress.fraction, step: progress.step } } });
      }
      if (state !== 'running') return Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: 'WardLedger is not running.' } });
      return g.router.call(ctx, operation, input);
    },

    subscribe(channel, listener) {
      return g.events.subscribe(channel, listener);
    },
  };
}
