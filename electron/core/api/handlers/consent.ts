/** `consent/*`: the patient shares their record and stops sharing it. */
import { actorOf, type ApiServices, type HandlersFor } from './services';

export function consentHandlers({ sessions, consent }: ApiServices): HandlersFor<'consent'> {
  return {
    'consent/list': async (ctx) => consent.list(actorOf(sessions, ctx)),
    'consent/grant': async (ctx, input) => consent.grant(actorOf(sessions, ctx), input.grantee),
    'consent/revoke': async (ctx, input) => consent.revoke(actorOf(sessions, ctx), input.grantee),
  };
}
