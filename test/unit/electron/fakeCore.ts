/**
 * A recording WardCore for shell tests: the shell's job is only to route calls and events, so
 * the fake records what it was asked and lets the test publish events on a channel.
 */
import type { WardEvent } from '../../../electron/core/model/events';
import type { CallContext, CallResult, CoreConfig, StartupProgress, WardCore } from '../../../electron/core/shellContract';

export class FakeCore implements WardCore {
  readonly calls: Array<{ ctx: CallContext; operation: string; input: unknown }> = [];
  readonly listeners = new Map<string, Set<(event: WardEvent) => void>>();
  started = false;
  stopped = false;
  startError: unknown = null;
  stopImpl: () => Promise<void> = async () => {};
  /** What start does before it resolves (a test may report progress and hold it). */
  startImpl: (onProgress: (p: StartupProgress) => void) => Promise<void> = async () => {};
  callImpl: (ctx: CallContext, operation: string, input: unknown) => Promise<CallResult> = async (_ctx, operation, input) => ({
    ok: true,
    result: { echo: operation, input },
  });

  constructor(readonly config: CoreConfig = { dataDir: '/fake/data' }) {}

  get dataDir(): string {
    return this.config.dataDir;
  }
  async start(onProgress: (p: StartupProgress) => void = () => undefined): Promise<void> {
    await this.startImpl(onProgress);
    if (this.startError) throw this.startError;
    this.started = true;
  }
  async stop(): Promise<void> {
    await this.stopImpl();
    this.stopped = true;
  }
  call(ctx: CallContext, operation: string, input: unknown): Promise<CallResult> {
    this.calls.push({ ctx, operation, input });
    return this.callImpl(ctx, operation, input);
  }
  subscribe(channel: string, listener: (event: WardEvent) => void): () => void {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    return () => set.delete(listener);
  }
  /** Publish an event to every listener of a channel. */
  publish(channel: string, event: WardEvent): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(event);
  }
  listenerCount(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }
}
