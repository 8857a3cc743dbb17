/** `transfer/*`: transfer of care between wards over the consortium (records/careTransfer.ts, incomingTransfers.ts). */
import { actorOf, type ApiServices, type HandlersFor } from './services';

export function transferHandlers({ transfers, incoming, sessions }: ApiServices): HandlersFor<'transfer'> {
  return {
    'transfer/targets': async () => transfers.targets(),
    'transfer/out': async (ctx, { patient, ward, reason }) => {
      ctx.progress('Sending the transfer to the consortium', 0);
      return transfers.transferOut(actorOf(sessions, ctx), patient, ward, reason);
    },
    'transfer/outgoing': async (ctx, { patient }) => transfers.outgoing(actorOf(sessions, ctx), patient),
    'transfer/incoming': async (ctx) => incoming.list(actorOf(sessions, ctx)),
    'transfer/admit': async (ctx, { patient, bed, responsibleDoctor }) => incoming.admit(actorOf(sessions, ctx), patient, bed, responsibleDoctor ?? null),
  };
}
