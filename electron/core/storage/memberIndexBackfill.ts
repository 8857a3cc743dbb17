/**
 * Indexing the anchor-batch members of a store written before the member index by patient
 * (WardStore.indexOlderMembers), in the background after a start, a step at a time with a pause
 * between steps so opens and saves go first. Until a tree is indexed, a first open checks it from
 * its whole member list (slower, not wrong). Stops with the core; the next start resumes where
 * the marker says.
 */
import { log } from '../platform/log';
import type { WardStore } from './wardStore';

/** Pause between steps, ms (a step is some 5,000 members: a few tens of ms). */
const PAUSE_MS = 20;

export class MemberIndexBackfill {
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(private readonly store: () => WardStore) {}

  /** Start in the background (once per start; nothing to do on a store created with the index); settles when done or stopped. */
  start(): Promise<void> {
    if (!this.running && !this.stopping) this.running = this.run().catch((e: unknown) => log('warn', 'store.member_index_failed', { error: (e as Error).message }));
    return this.running ?? Promise.resolve();
  }

  /** Wait for the current step, then stop (what was indexed is kept). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async run(): Promise<void> {
    const started = Date.now();
    let steps = 0;
    while (!this.stopping && (await this.store().indexOlderMembers())) {
      steps++;
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
    if (steps) log('info', this.stopping ? 'store.member_index_paused' : 'store.member_index_done', { steps, ms: Date.now() - started });
  }
}
