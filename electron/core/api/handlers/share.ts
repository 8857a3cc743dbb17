/** `share/*`: a patient shares their record with a clinician of another ward (records/crossWardShares.ts). */
import { actorOf, type ApiServices, type HandlersFor } from './services';

export function shareHandlers({ shares, sessions }: ApiServices): HandlersFor<'share'> {
  return {
    'share/people': async (ctx) => shares.people(actorOf(sessions, ctx)),
    'share/list': async (ctx) => shares.list(actorOf(sessions, ctx)),
    'share/out': async (ctx, { person }) => {
      ctx.progress('Sharing your record over the hospital network', 0);
      return shares.share(actorOf(sessions, ctx), person);
    },
    'share/revoke': async (ctx, { id }) => shares.revoke(actorOf(sessions, ctx), id),
    'share/withMe': async (ctx) => shares.sharedWithMe(actorOf(sessions, ctx)),
  };
}
