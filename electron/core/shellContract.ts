/**
 * What a shell (Electron main, loopback server, CLI) sees of the core. Shells depend on this
 * interface only; `createCore` in ./core builds the real object graph.
 */
import type { CallContext, CallResult } from './api/contract';
import type { WardEvent } from './model/events';

export type { CallContext, CallResult };

/** What a starting core is doing (upgrading the record store, checking it), for shells to show. */
export interface StartupProgress {
  label: string;
  /** 0…1, or null when it cannot be told. */
  fraction: number | null;
  /** Opening the chain and the store (seconds), upgrading an old record store once, or checking the upgraded records (minutes on a large ward). */
  step: StartupStep;
}

export type StartupStep = 'opening' | 'upgrading' | 'checking';

export interface WardCore {
  readonly dataDir: string;
  /**
   * Start; `onProgress` hears about each step (a record store upgrade in detail). The first report
   * comes once the data directory is this process's (its lock taken): a shell may show its window
   * or print its address from then on. Calls meanwhile answer STARTING with the same progress.
   */
  start(onProgress?: (p: StartupProgress) => void): Promise<void>;
  stop(): Promise<void>;
  /** Validates the operation name and input, checks the session and role, runs the handler. Never throws. */
  call(ctx: CallContext, operation: string, input: unknown): Promise<CallResult>;
  /** Subscribe to events for one channel. Returns the unsubscribe function. */
  subscribe(channel: string, listener: (event: WardEvent) => void): () => void;
}

export interface CoreConfig {
  dataDir: string;
  /** scrypt cost for new keystores (default 2^17 as ethers writes; tests may lower it). */
  keystoreScryptN?: number;
  /** How often inactivity is checked, in ms (default 1000). */
  lockCheckIntervalMs?: number;
  /** Seed a demo ward on first start; also lets people plug simulated devices in from the UI. */
  demo?: boolean;
  /** Simulated devices to plug in at start (e.g. ['po80', 'contour']); enables simulation. */
  simulate?: string[];
  /** Use real USB devices through node-hid (default true; tests turn it off). */
  usb?: boolean;
  /** Hotplug polling interval in ms (default 1000). */
  devicePollMs?: number;
  /** How long unattended station readings may wait to share an anchor (default 30 s). */
  anchorWindowMs?: number;
  /** Consortium sync timings (tests): time between rounds, retry after a refusal, receipt polling, request timeout (ms). */
  consortiumEngine?: { idleMs?: number; failureRetryMs?: number; pollMs?: number; requestTimeoutMs?: number };
}
