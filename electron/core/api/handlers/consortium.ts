/** `consortium/*`: the IT admin's consortium settings and sync console (records/consortiumSync.ts). */
import type { ApiServices, HandlersFor } from './services';

export function consortiumHandlers({ consortium }: ApiServices): HandlersFor<'consortium'> {
  return {
    'consortium/settings': async () => consortium.view(),
    'consortium/configure': async (ctx, input) => {
      ctx.progress('Checking the consortium node and ledger', 0);
      return consortium.configure(input);
    },
    'consortium/status': async () => consortium.console(),
    'consortium/syncNow': async () => consortium.syncNow(),
    'consortium/batches': async (_ctx, input) => consortium.olderBatches(input.before),
    'consortium/pause': async () => consortium.pause(),
    'consortium/resume': async () => consortium.resume(),
  };
}
