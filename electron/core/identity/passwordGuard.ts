/**
 * Throttling of password guesses (login and unlock), per name and for the whole workstation.
 *
 * Per name (or per account, for unlock): the first few wrong passwords cost nothing more than the
 * key derivation; after that the name is refused for a while, doubling with each further wrong
 * password up to a ceiling. A right password clears the name's count. Unknown names are counted
 * exactly like known ones, so throttling does not tell which names exist.
 *
 * Globally: when too many wrong passwords arrive in a window (an attacker rotating through
 * names), every attempt is refused until the window has drained. This can keep an honest person
 * out during an attack; the message says for how long.
 *
 * Attempts in flight count as possible failures, so parallel guesses cannot slip past a limit
 * while their key derivations run. State is in memory only: a restart clears it (a restart of the
 * workstation's core is itself slow and visible).
 */
import { WardError } from '../model/errors';

export interface GuardPolicy {
  /** Wrong passwords per name before it is throttled. */
  freeFailures: number;
  /** First refusal period; each further wrong password doubles it. */
  baseLockMs: number;
  maxLockMs: number;
  /** Wrong passwords across all names within windowMs before everyone is throttled. */
  globalFailures: number;
  globalWindowMs: number;
  /** Names remembered at most (oldest forgotten first). */
  maxTracked: number;
}

export const defaultGuardPolicy: GuardPolicy = {
  freeFailures: 5,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  globalFailures: 30,
  globalWindowMs: 60_000,
  maxTracked: 10_000,
};

interface NameState {
  failures: number;
  inFlight: number;
  lockedUntil: number;
}

export interface Attempt {
  /** Record the outcome; call exactly once. */
  succeeded(): void;
  failed(): void;
  /** Neither right nor wrong (e.g. a damaged keystore): release the slot without counting. */
  abandoned(): void;
}

export class PasswordGuard {
  private readonly names = new Map<string, NameState>();
  private globalFailureTimes: number[] = [];
  private globalInFlight = 0;

  constructor(
    private readonly policy: GuardPolicy = defaultGuardPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Reserve an attempt for `key` (a keyed hash of a login name, or an account address), or throw
   * WardError('THROTTLED') saying when to try again.
   */
  begin(key: string, what: 'name' | 'account'): Attempt {
    const now = this.now();
    const scope = what === 'name' ? 'for this name' : 'for this account';
    this.refuseIfGloballyThrottled(now);
    const state = this.names.get(key) ?? { failures: 0, inFlight: 0, lockedUntil: 0 };
    if (state.lockedUntil > now) throw this.throttled(now, state.lockedUntil - now, `Too many wrong passwords ${scope}.`);
    // Free attempts left now; once they are used up, one guess at a time after each refusal period.
    const allowedInFlight = state.failures >= this.policy.freeFailures ? 1 : this.policy.freeFailures - state.failures;
    if (state.inFlight >= allowedInFlight) throw this.throttled(now, 5_000, `Too many sign-in attempts ${scope} at once.`);
    state.inFlight++;
    this.globalInFlight++;
    this.remember(key, state);
    let settled = false;
    const settle = () => {
      if (settled) throw new Error('An attempt is settled once.');
      settled = true;
      state.inFlight--;
      this.globalInFlight--;
    };
    return {
      succeeded: () => {
        settle();
        state.failures = 0;
        state.lockedUntil = 0;
        if (state.inFlight === 0) this.names.delete(key);
      },
      failed: () => {
        settle();
        const at = this.now();
        state.failures++;
        const over = state.failures - this.policy.freeFailures;
        if (over >= 0) state.lockedUntil = at + Math.min(this.policy.maxLockMs, this.policy.baseLockMs * 2 ** over);
        this.globalFailureTimes.push(at);
      },
      abandoned: () => {
        settle();
        if (state.failures === 0 && state.inFlight === 0) this.names.delete(key);
      },
    };
  }

  private refuseIfGloballyThrottled(now: number): void {
    const since = now - this.policy.globalWindowMs;
    const firstRecent = this.globalFailureTimes.findIndex((t) => t > since);
    this.globalFailureTimes = firstRecent < 0 ? [] : this.globalFailureTimes.slice(firstRecent);
    const recent = this.globalFailureTimes.length;
    if (recent + this.globalInFlight < this.policy.globalFailures) return;
    if (recent === 0) throw this.throttled(now, 5_000, 'Too many sign-in attempts on this workstation at once.');
    // Wait until enough of the window's failures have aged out for one more attempt.
    const excess = Math.max(0, recent + this.globalInFlight - this.policy.globalFailures);
    const agesOut = this.globalFailureTimes[Math.min(excess, recent - 1)]! + this.policy.globalWindowMs;
    throw this.throttled(now, Math.max(1000, agesOut - now), 'Too many wrong passwords on this workstation.');
  }

  private remember(key: string, state: NameState): void {
    this.names.delete(key);
    this.names.set(key, state);
    if (this.names.size > this.policy.maxTracked) {
      for (const [k, s] of this.names) {
        if (s.inFlight === 0) {
          this.names.delete(k);
          break;
        }
      }
    }
  }

  /** The message says how long and until when (the workstation's clock), so it still reads right a minute later. */
  private throttled(now: number, ms: number, what: string): WardError {
    const seconds = Math.ceil(ms / 1000);
    const at = new Date(now + seconds * 1000);
    const clock = at.toTimeString().slice(0, seconds < 90 ? 8 : 5);
    const when = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
    return new WardError('THROTTLED', `${what} Try again in ${when} (at ${clock}).`, { retryAfterSeconds: seconds, retryAt: at.toISOString() });
  }
}
