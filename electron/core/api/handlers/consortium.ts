/** `consortium/*`: the IT admin's consortium settings and sync console (records/consortiumSync.ts). */
import { actorOf, type ApiServices, type HandlersFor } from './services';

export function consortiumHandlers({ consortium, shares, sessions }: ApiServices): HandlersFor<'consortium'> {
  return {
    // This ward's people in the consortium directory (records/crossWardShares.ts).
    'consortium/people': async (ctx) => shares.wardPeople(actorOf(sessions, ctx)),
    'consortium/addPerson': async (ctx, { person }) => shares.registerPerson(actorOf(sessions, ctx), person),
    'consortium/removePerson': async (ctx, { person }) => shares.withdrawPerson(actorOf(sessions, ctx), person),
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
