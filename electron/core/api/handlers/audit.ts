/** `audit/*`: the access log. */
import { actorOf, type ApiServices, type HandlersFor } from './services';

export function auditHandlers({ sessions, audit }: ApiServices): HandlersFor<'audit'> {
  return {
    'audit/list': async (ctx, input) => audit.listFor(actorOf(sessions, ctx), input.patient ?? null, input.before ?? null),
  };
}
