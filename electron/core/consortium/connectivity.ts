/**
 * Online or offline, with a reason and when to try again. Offline is a normal state of a ward
 * (the network is down, the consortium node is being upgraded): it is reported, never thrown.
 *
 * A probe asks the node for its chain id (the first time, checked against the configuration) and
 * its head block. After a failure the next probe waits 1 s, then 2, 4, ... up to `maxDelayMs`
 * (default 60 s), each with ±20 % jitter so many wards do not knock at the same moment; one good
 * answer resets the delay.
 */
import { WardError } from '../model/errors';
import { NodeUnreachable } from './rpc';

export type ConnectionState =
  | { status: 'unknown' }
  | { status: 'online'; since: number; head: number }
  | { status: 'offline'; since: number; reason: string; failures: number; retryAt: number };

export interface Probe {
  chainId(): Promise<number>;
  blockNumber(): Promise<number>;
}

export class Connectivity {
  private current: ConnectionState = { status: 'unknown' };
  private readonly listeners = new Set<(s: ConnectionState) => void>();

  constructor(
    private readonly probe: Probe,
    private readonly options: { baseDelayMs?: number; maxDelayMs?: number; now?: () => number; random?: () => number } = {},
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  onChange(listener: (s: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Milliseconds until the next probe should run (0 when due). */
  delayUntilRetry(): number {
    return this.current.status === 'offline' ? Math.max(0, this.current.retryAt - this.now()) : 0;
  }

  /** Probe the node now. Never throws. */
  async check(): Promise<ConnectionState> {
    try {
      await this.probe.chainId();
      const head = await this.probe.blockNumber();
      this.set(this.current.status === 'online' ? { ...this.current, head } : { status: 'online', since: this.now(), head });
    } catch (e) {
      this.markOffline(reasonOf(e));
    }
    return this.current;
  }

  /** Record a failure seen elsewhere (a send or a log query) without probing. */
  markOffline(reason: string): void {
    const failures = this.current.status === 'offline' ? this.current.failures + 1 : 1;
    const since = this.current.status === 'offline' ? this.current.since : this.now();
    this.set({ status: 'offline', since, reason, failures, retryAt: this.now() + this.backoff(failures) });
  }

  /** The delay after `failures` consecutive failures. */
  backoff(failures: number): number {
    const base = this.options.baseDelayMs ?? 1000;
    const max = this.options.maxDelayMs ?? 60_000;
    const raw = Math.min(max, base * 2 ** Math.max(0, failures - 1));
    const jitter = 1 + ((this.options.random ?? Math.random)() * 0.4 - 0.2);
    return Math.round(Math.min(max, raw * jitter));
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private set(s: ConnectionState): void {
    const changed = s.status !== this.current.status || (s.status === 'offline' && this.current.status === 'offline' && s.reason !== this.current.reason);
    this.current = s;
    if (changed) for (const l of this.listeners) l(s);
  }
}

function reasonOf(e: unknown): string {
  if (e instanceof NodeUnreachable) return `The consortium node is not reachable: ${e.reason}.`;
  if (e instanceof WardError) return e.message;
  return 'The consortium node gave an unexpected answer.';
}
