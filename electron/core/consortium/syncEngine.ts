/**
 * The ward's sync with the consortium: a loop that, while online and not paused, publishes the
 * outbox (publisher.ts) and then pulls what is addressed to this ward (puller.ts), and a status
 * snapshot for the IT admin's console.
 *
 * Offline is a state, not an error: a failed probe or an 'offline' outcome puts the engine to
 * sleep for the connectivity backoff (1 s, 2 s, ... 60 s, with jitter); "sync now" wakes it at
 * once. A refusal (the ward is not a member, a batch the node refuses) is an error with its cause;
 * the engine retries it after failureRetryMs (60 s), since it needs someone to act.
 */
import { WardError } from '../model/errors';
import { log } from '../platform/log';
import type { ConsortiumClient } from './client';
import { Connectivity, type ConnectionState } from './connectivity';
import type { PublishProgress, Publisher } from './publisher';
import type { Puller, PullProgress } from './puller';
import type { BatchHistoryEntry, HeldRecord, QuarantineEntry, SyncState } from './syncState';
import type { OutboxSource } from './syncPorts';

export interface SyncError {
  at: number;
  during: 'publish' | 'pull' | 'connect';
  code: string;
  cause: string;
}

export interface SyncStatus {
  connection: ConnectionState;
  paused: boolean;
  /** What the loop is doing now. */
  activity: 'idle' | 'publishing' | 'pulling' | 'waiting' | 'stopped';
  /** Records waiting in the outbox (not yet on the consortium). */
  queue: number;
  lastSuccess: number | null;
  /** The batch being published (prepared, sent, or just confirmed) and the round's progress. */
  currentBatch: (PublishProgress & { roundRecords: number; roundQueued: number }) | null;
  pull: (PullProgress & { checkpoint: number }) | null;
  /** Errors of the last rounds, newest first, each with its cause. */
  errors: SyncError[];
  /** The newest published batches (one page), and the cursor of the page below (null: no more). */
  history: BatchHistoryEntry[];
  olderHistory: string | null;
  quarantine: QuarantineEntry[];
  held: HeldRecord[];
}

export interface SyncEngineOptions {
  client: ConsortiumClient;
  state: SyncState;
  source: OutboxSource;
  publisher: Publisher;
  puller?: Puller;
  connectivity?: Connectivity;
  /** Time between rounds while online and nothing is waiting (default 5 s). */
  idleMs?: number;
  /** Each batch as it is prepared, sent and confirmed (a console can follow without polling). */
  onProgress?: (p: PublishProgress) => void;
  /** Time before retrying after a refusal that needs someone to act (default 60 s). */
  failureRetryMs?: number;
}

const ERRORS_KEPT = 20;

export class SyncEngine {
  readonly connectivity: Connectivity;
  private paused = false;
  private running: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private activity: SyncStatus['activity'] = 'stopped';
  private lastSuccess: number | null = null;
  private currentBatch: SyncStatus['currentBatch'] = null;
  private pullProgress: PullProgress | null = null;
  private errors: SyncError[] = [];
  private reconciled = false;
  /** A refusal (not an outage) ended the last round: wait failureRetryMs before the next. */
  private refused = false;
  private roundWaiters: Array<() => void> = [];

  constructor(private readonly o: SyncEngineOptions) {
    this.connectivity = o.connectivity ?? new Connectivity(o.client);
  }

  /** Start the loop (once). */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop().finally(() => {
      this.running = null;
      this.activity = 'stopped';
    });
  }

  /** Stop after the current step; what is prepared stays persisted for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    await this.o.publisher.close();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  /** Run a round now (skipping any backoff wait); resolves when a round that began after this call has ended. */
  syncNow(): Promise<void> {
    const ended = new Promise<void>((r) => this.roundWaiters.push(r));
    this.paused = false;
    if (!this.running) this.start();
    this.wake?.();
    return ended;
  }

  /** Older published batches, newest first, from a cursor of the status or of the page above. */
  historyPage(before: string): Promise<{ entries: BatchHistoryEntry[]; older: string | null }> {
    return this.o.state.historyPage(50, before);
  }

  /** One round: probe, publish, pull. Never throws; what went wrong is in status().errors. */
  async round(): Promise<void> {
    this.refused = false;
    const state = this.connectivity.state.status === 'online' ? this.connectivity.state : await this.connectivity.check();
    if (state.status !== 'online') return this.noteError('connect', 'OFFLINE', state.status === 'offline' ? state.reason : 'The consortium node is not reachable.');
    try {
      if (!this.reconciled) {
        await this.o.client.reconcile();
        this.reconciled = true;
      }
    } catch (e) {
      return this.failed('connect', e);
    }
    this.activity = 'publishing';
    let queued = await this.o.source.count().catch(() => 0);
    let roundRecords = 0;
    const published = await this.o.publisher.round(
      () => this.stopping || this.paused,
      (p) => {
        if (p.stage === 'confirmed') {
          roundRecords += p.records;
          queued = Math.max(0, queued - p.records);
        }
        this.currentBatch = { ...p, roundRecords, roundQueued: queued };
        this.o.onProgress?.(p);
      },
    );
    if (published.stopped) return this.stoppedBy('publish', published.stopped);
    if (this.o.puller && !this.stopping && !this.paused) {
      this.activity = 'pulling';
      const pulled = await this.o.puller.round(() => this.stopping || this.paused, (p) => (this.pullProgress = p));
      if (pulled.stopped) return this.stoppedBy('pull', pulled.stopped);
    }
    this.lastSuccess = Date.now();
  }

  async status(): Promise<SyncStatus> {
    const { state, source } = this.o;
    const [queue, history, quarantine, held, checkpoint] = await Promise.all([source.count().catch(() => -1), state.historyPage(), state.quarantine(), state.held(), state.checkpoint()]);
    return {
      connection: this.connectivity.state,
      paused: this.paused,
      activity: this.activity,
      queue,
      lastSuccess: this.lastSuccess,
      currentBatch: this.currentBatch,
      pull: this.pullProgress ? { ...this.pullProgress, checkpoint } : null,
      errors: [...this.errors],
      history: history.entries,
      olderHistory: history.older,
      quarantine,
      held,
    };
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      if (!this.paused) {
        // Those who asked before this round began; a syncNow during it waits for the next round,
        // which starts at once (it must see what was published meanwhile).
        const asked = this.roundWaiters.splice(0);
        await this.round();
        for (const w of asked) w();
        if (this.roundWaiters.length > 0 && !this.stopping) continue;
      }
      if (this.stopping) break;
      this.activity = this.paused ? 'idle' : 'waiting';
      const delay = this.paused
        ? 60_000
        : this.refused
          ? (this.o.failureRetryMs ?? 60_000)
          : this.connectivity.state.status === 'offline'
            ? this.connectivity.delayUntilRetry()
            : (this.o.idleMs ?? 5000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    for (const w of this.roundWaiters.splice(0)) w();
  }

  private stoppedBy(during: SyncError['during'], outcome: { status: 'offline'; reason: string } | { status: 'failed'; error: WardError }): void {
    if (outcome.status === 'offline') {
      this.connectivity.markOffline(outcome.reason);
      this.noteError(during, 'OFFLINE', outcome.reason);
    } else this.failed(during, outcome.error);
  }

  private failed(during: SyncError['during'], e: unknown): void {
    const error = e instanceof WardError ? e : new WardError('INTERNAL', 'The consortium sync failed unexpectedly.');
    if (!(e instanceof WardError)) log('error', 'consortium.sync.failed', { during, error: e instanceof Error ? e.name : typeof e });
    // A refusal needs someone to act: try again later, not at once.
    this.refused = true;
    this.noteError(during, error.code, error.message);
  }

  private noteError(during: SyncError['during'], code: string, cause: string): void {
    this.activity = 'waiting';
    this.errors = [{ at: Date.now(), during, code, cause }, ...this.errors].slice(0, ERRORS_KEPT);
  }
}
