/** `identity/register` and `session/*`: getting an account, logging in, locking and unlocking. */
import type { Session } from '../../identity/sessions';
import { WardError } from '../../model/errors';
import { log } from '../../platform/log';
import type { SessionInfo } from '../../model/ward';
import { requireSession } from '../router';
import type { ApiServices, HandlersFor } from './services';

export function sessionHandlers({ config, identity, sessions, consortium, refiling, transfers }: ApiServices): HandlersFor<'identity' | 'session'> {
  const info = (s: Session): SessionInfo => ({ token: s.token, profile: s.profile, wardName: config.wardName, lockTimeoutSeconds: config.lockTimeoutSeconds });
  const requireSetUp = (message: string) => {
    if (!identity.initialized) throw new WardError('CONFLICT', message);
  };

  return {
    'identity/register': async (ctx, input) => {
      requireSetUp('The ward has not been set up yet. Ask IT to complete first-run setup.');
      return identity.register(input);
    },
    'session/login': async (ctx, input) => {
      requireSetUp('The ward has not been set up yet.');
      const { wallet, profile } = await identity.login(input.name, input.password, input.newPassword);
      await consortium.signedIn(wallet, profile.role); // their consortium credential, once
      ctx.progress('Logged in', 1);
      const session = sessions.create(ctx.channel, profile, wallet, identity.teamKeyFor(wallet, profile.role));
      await grantMissingScopes(transfers, [session.teamKey, wallet.privateKey]);
      // A store upgraded from the old log gets its complete-set marks from the first care-team reader.
      // It reads as this session only while it stays open and unlocked.
      refiling.afterLogin(() => sessions.activeActorOf(session));
      return info(session);
    },
    'session/me': async (ctx) => {
      const s = requireSession(ctx);
      return { ...info(s), locked: s.locked };
    },
    'session/touch': async (ctx) => ({ locksAt: sessions.locksAt(requireSession(ctx)).toISOString() }),
    'session/lock': async (ctx) => {
      sessions.lock(requireSession(ctx), 'manual');
      return { locked: true as const };
    },
    'session/unlock': async (ctx, input) => {
      const s = requireSession(ctx);
      const wallet = await identity.verifyPassword(s.profile.address, input.password);
      await consortium.signedIn(wallet, s.profile.role); // a session kept open across the consortium's setup
      sessions.unlock(s, wallet, identity.teamKeyFor(wallet, s.profile.role));
      await grantMissingScopes(transfers, [s.teamKey, wallet.privateKey]);
      return info(s);
    },
    'session/logout': async (ctx) => {
      sessions.end(requireSession(ctx));
      return { loggedOut: true as const };
    },
  };
}

/**
 * A reader's keys are unlocked: the scopes of transferred or shared patients made while the
 * consortium was not set up, which nothing could grant then, are granted now (records/careTransfer.ts).
 * Never fails a login.
 */
async function grantMissingScopes(transfers: ApiServices['transfers'], keys: Array<string | null>): Promise<void> {
  try {
    await transfers.grantMissingScopesWith(keys);
  } catch {
    log('warn', 'consortium.transfer.missingScopesDeferred', {});
  }
}
