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
        patients,
      };
    },
    'patient/home': async (ctx) => {
      const s = requireSession(ctx);
      sessions.walletOf(s);
      return { me: s.profile, wardName: config.wardName };
    },
  };
}
