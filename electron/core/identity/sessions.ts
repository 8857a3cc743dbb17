/**
 * Sessions: who is logged in on which channel, with their decrypted key held in memory only.
 * Locking (on demand or after inactivity) drops the key; unlocking needs the password again.
 */
import { randomBytes } from 'node:crypto';
import type { ethers } from 'ethers';
import type { Profile } from '../model/people';
import { WardError } from '../model/errors';
import type { EventHub } from '../platform/eventHub';
import type { Actor } from './actor';

export interface Session {
  readonly token: string;
  readonly channel: string;
  readonly profile: Profile;
  wallet: ethers.Wallet | null;
  /** The care team's private key, for doctors and nurses (dropped with the wallet on lock). */
  teamKey: string | null;
  locked: boolean;
  lastActivity: number;
  /**
   * Records this session opened by break-glass, with the reason given (patient address → reason):
   * reopening one (a reload) reads by break-glass again, audited with that reason, without asking
   * for a second reason. Gone when the session ends.
   */
  readonly breakGlass: Map<string, string>;
}

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private timer: NodeJS.Timeout | null = null;
  /** Told when the last open session ends (nobody is logged in any more). */
  onNoneLeft: (() => void) | null = null;

  constructor(
    private readonly events: EventHub,
    private readonly lockTimeoutSeconds: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  start(checkIntervalMs: number): void {
    this.timer = setInterval(() => this.lockIdle(), checkIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const s of this.sessions.values()) {
      s.wallet = null;
      s.teamKey = null;
    }
    this.sessions.clear();
  }

  create(channel: string, profile: Profile, wallet: ethers.Wallet, teamKey: string | null = null): Session {
    const session: Session = { token: randomBytes(32).toString('base64url'), channel, profile, wallet, teamKey, locked: false, lastActivity: this.now(), breakGlass: new Map() };
    this.sessions.set(session.token, session);
    return session;
  }

  get(token: string | null): Session | null {
    return token ? (this.sessions.get(token) ?? null) : null;
  }

  touch(session: Session): void {
    session.lastActivity = this.now();
  }

  locksAt(session: Session): Date {
    return new Date(session.lastActivity + this.lockTimeoutSeconds() * 1000);
  }

  lock(session: Session, reason: 'inactivity' | 'manual'): void {
    if (session.locked) return;
    session.locked = true;
    session.wallet = null;
    session.teamKey = null;
    this.events.publish(session.channel, { type: 'session.locked', reason });
  }

  unlock(session: Session, wallet: ethers.Wallet, teamKey: string | null = null): void {
    if (wallet.address !== session.profile.address) throw new WardError('FORBIDDEN', 'Only the person who locked this session can unlock it.');
    session.wallet = wallet;
    session.teamKey = teamKey;
    session.locked = false;
    session.lastActivity = this.now();
  }

  end(session: Session): void {
    session.wallet = null;
    session.teamKey = null;
    if (this.sessions.delete(session.token) && this.sessions.size === 0) this.onNoneLeft?.();
  }

  /** The unlocked wallet of a session, or a LOCKED error. */
  walletOf(session: Session): ethers.Wallet {
    if (session.locked || !session.wallet) throw new WardError('LOCKED', 'The session is locked. Enter your password to continue.');
    return session.wallet;
  }

  /** The acting person of an unlocked session, or a LOCKED error. */
  actorOf(session: Session): Actor {
    const { address, name, role } = session.profile;
    return { address, name, role, wallet: this.walletOf(session), teamKey: session.teamKey };
  }

  /**
   * The acting person while the session is still open and unlocked, else null: for background work
   * started by a login, which must not keep using a key after its owner logged out or was locked.
   */
  activeActorOf(session: Session): Actor | null {
    return this.sessions.get(session.token) === session && !session.locked && session.wallet ? this.actorOf(session) : null;
  }

  lockIdle(): void {
    const limit = this.lockTimeoutSeconds() * 1000;
    const now = this.now();
    for (const s of this.sessions.values()) {
      if (!s.locked && now - s.lastActivity >= limit) this.lock(s, 'inactivity');
    }
  }
}
