/** `records/*`, `vitals/*` and `drafts/*`: the patient's chart, vitals entry, and the doctor's and insurer's patient lists. */
import { ethers } from 'ethers';
import type { ObservationInput } from '../../model/observations';
import type { UnusualField } from '../../model/vitals';
import { requireSession } from '../router';
import { actorOf, type ApiServices, type HandlersFor } from './services';

export function recordHandlers({ sessions, chart, drafts, patientLists, consortium }: ApiServices): HandlersFor<'records' | 'vitals' | 'drafts'> {
  return {
    'vitals/preview': async (_ctx, { patient, confirmed, ...typed }) =>
      // Unknown confirmation names simply confirm nothing.
      chart.preview(patient ?? null, { ...typed, confirmed: confirmed as UnusualField[] | undefined } as ObservationInput),
    'records/addVitals': async (ctx, { patient, submissionId, ...observation }) =>
      drafts.save(requireSession(ctx), actorOf(sessions, ctx), patient, observation, submissionId ?? null),
    'records/addEscalation': async (ctx, { patient, ...escalation }) => chart.addEscalation(actorOf(sessions, ctx), patient, escalation),
    'records/addNote': async (ctx, input) => chart.addNote(actorOf(sessions, ctx), input.patient, input.text),
    'records/addDiagnosis': async (ctx, input) => chart.addDiagnosis(actorOf(sessions, ctx), input.patient, input.text, input.code),
    'records/amend': async (ctx, input) => chart.amend(actorOf(sessions, ctx), input),
    'records/history': async (ctx, { patient: address, ...request }) => {
      const session = requireSession(ctx);
      const patient = ethers.getAddress(address);
      // A record this session already opened by break-glass reopens without a second reason.
      const breakGlassReason = request.breakGlassReason ?? session.breakGlass.get(patient);
      if (request.breakGlassReason) ctx.progress('Opening the record with emergency access', 0);
      const history = await chart.history(sessions.actorOf(session), patient, { ...request, breakGlassReason });
      if (history.breakGlass && breakGlassReason) session.breakGlass.set(patient, breakGlassReason);
      return { ...history, records: await consortium.withBadges(history.records) };
    },
    'records/chart': async (ctx, { patient: address, from, to, ...request }) => {
      const session = requireSession(ctx);
      const patient = ethers.getAddress(address);
      const breakGlassReason = request.breakGlassReason ?? session.breakGlass.get(patient);
      return chart.chart(sessions.actorOf(session), patient, {
        ...request,
        breakGlassReason,
        from: from === undefined ? undefined : Date.parse(from),
        to: to === undefined ? undefined : Date.parse(to),
      });
    },
    'records/myPatients': async (ctx) => patientLists.patientsOf(actorOf(sessions, ctx)),
    'drafts/get': async (ctx, input) => ({ draft: drafts.get(requireSession(ctx), input.patient) }),
    'drafts/put': async (ctx, input) => ({ updatedAt: drafts.put(requireSession(ctx), input.patient, input.form).updatedAt }),
    'drafts/discard': async (ctx, input) => {
      drafts.discard(requireSession(ctx), input.patient);
      return { discarded: true as const };
    },
  };
}
