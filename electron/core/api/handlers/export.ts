/** `export/*` and `verify/*`: FHIR export of a record and verification of an export file. */
import { actorOf, type ApiServices, type HandlersFor } from './services';

export function exportHandlers({ sessions, exports }: ApiServices): HandlersFor<'export' | 'verify'> {
  return {
    'export/fhir': async (ctx, input) => exports.exportFor(actorOf(sessions, ctx), input.patient),
    'verify/fhir': async (ctx, input) => exports.verify(actorOf(sessions, ctx), input.bundle),
  };
}
