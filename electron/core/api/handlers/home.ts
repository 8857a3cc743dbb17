/** `doctor/*` and `patient/*`: the home pages. */
import { requireSession } from '../router';
import type { ApiServices, HandlersFor } from './services';

export function homeHandlers({ config, sessions, patientLists }: ApiServices): HandlersFor<'doctor' | 'patient'> {
  return {
    'doctor/home': async (ctx) => {
      const s = requireSession(ctx);
      const patients = await patientLists.patientsOf(sessions.actorOf(s));
      return {
        me: s.profile,
        wardName: config.wardName,
        patients: patients.map((p) => ({ address: p.address, name: p.name, age: p.age, latestVitalsAt: p.latest?.at ?? null })),
      };
    },
    'patient/home': async (ctx) => {
      const s = requireSession(ctx);
      sessions.walletOf(s);
      return { me: s.profile, wardName: config.wardName };
    },
  };
}
