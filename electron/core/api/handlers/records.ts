/** `records/*` and `vitals/*`: the patient's chart, and the doctor's and insurer's patient lists. */
import { actorOf, type ApiServices, type HandlersFor } from './services';

export function recordHandlers({ sessions, chart, patientLists }: ApiServices): HandlersFor<'records' | 'vitals'> {
  return {
    'vitals/preview': async (_ctx, input) => chart.preview(input.patient ?? null, input.vitals),
    'records/addVitals': async (ctx, input) => chart.addVitals(actorOf(sessions, ctx), input.patient, input.vitals),
    'records/addNote': async (ctx, input) => chart.addNote(actorOf(sessions, ctx), input.patient, input.text),
    'records/addDiagnosis': async (ctx, input) => chart.addDiagnosis(actorOf(sessions, ctx), input.patient, input.text, input.code),
    'records/amend': async (ctx, input) => chart.amend(actorOf(sessions, ctx), input),
    'records/history': async (ctx, { patient, ...request }) => chart.history(actorOf(sessions, ctx), patient, request),
    'records/chart': async (ctx, { patient, from, to, ...request }) =>
      chart.chart(actorOf(sessions, ctx), patient, { ...request, from: from === undefined ? undefined : Date.parse(from), to: to === undefined ? undefined : Date.parse(to) }),
    'records/myPatients': async (ctx) => patientLists.patientsOf(actorOf(sessions, ctx)),
  };
}
