/** The acting person of a call: profile, unlocked key and (for clinicians) the care team key. */
import type { Session, SessionManager } from '../identity/sessions';
import type { Actor } from '../records/recordService';
import { requireSession } from './router';

export function actorOf(sessions: SessionManager, session: Session | null): Actor {
  const s = requireSession({ session } as never);
  return { address: s.profile.address, name: s.profile.name, role: s.profile.role, wallet: sessions.walletOf(s), teamKey: s.teamKey };
}
