/**
 * Test helper: a running core whose object graph stays reachable — the same start sequence as
 * createCore (core.ts), for tests that must also reach what the API does not expose (plugging a
 * simulator with chosen memory contents or live values, as a real device would hold them).
 */
import { buildCoreGraph, type CoreGraph } from '../../electron/core/graph';
import type { CoreConfig, WardCore } from '../../electron/core/shellContract';
import { testScryptN } from './tempCore';

export interface GraphCore {
  core: WardCore;
  graph: CoreGraph;
}

export async function startGraphCore(dataDir: string, extra: Partial<CoreConfig> = {}): Promise<GraphCore> {
  const graph = buildCoreGraph({ dataDir, keystoreScryptN: testScryptN, usb: false, devicePollMs: 100, ...extra });
  await graph.open();
  if (graph.identity.initialized) await graph.anchorQueue.resume();
  graph.sessions.start(50);
  graph.devices.start();
  let running = true;
  const core: WardCore = {
    dataDir,
    start: async () => undefined,
    async stop() {
      if (!running) return;
      running = false;
      graph.sessions.stop();
      await graph.devices.stop();
      await graph.close();
    },
    call: (ctx, operation, input) => graph.router.call(ctx, operation, input),
    subscribe: (channel, listener) => graph.events.subscribe(channel, listener),
  };
  return { core, graph };
}
