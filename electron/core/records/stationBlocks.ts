/**
 * The station's readings kept as opened blocks as their hours end, with nobody logged in.
 *
 * Opened blocks (openedBlocks.ts) were written only by a care-team reader's open, for the hours of
 * the pages they opened: a history nobody had opened since its readings were recorded opened
 * record by record, through their memos (a 40,000-record history 9.6 s against 5.0 s from blocks,
 * docs/benchmarks.md). The station signed those readings and holds the keys of the scopes it
 * created in this start, so it can read them back and seal each hour once the hour has ended and
 * its readings are anchored: the next first open of any patient finds the station's hours in
 * blocks. Readings are read back from the store and verified through their memos as a reader's
 * would be (nothing is taken on trust from memory); an hour with a reading not anchored yet is
 * tried again later; readings of an earlier start's scopes (their keys are not held) and records
 * of people are left to the readers' opens, as before.
 */
import { setImmediate as yieldToOthers } from 'node:timers/promises';
import type { StoredEntry, WardStore } from '../storage/wardStore';
import { BLOCK_MS, hourOf } from './openedBlocks';
import type { RecordVerifier } from './recordVerifier';
import type { ScopeKeyring } from './scopeKeys';

/** How often ended hours are looked for. */
export const SEAL_EVERY_MS = 5 * 60_000;
/** An hour is sealed once this long has passed since it ended (the anchor window is 30 s). */
export const SEAL_AFTER_MS = 2 * 60_000;
/** Hours read back at once (one patient's readings of a day: some 1,440 at one a minute). */
const HOURS_AT_ONCE = 24;

export class StationBlocks {
  /** Per patient: the first hour (ms at its start) not sealed or given up yet. */
  private readonly next = new Map<string, number>();
  /** The hour this process started in: readings before it are under scopes it does not hold. */
  private readonly since: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: () => WardStore,
    private readonly keyring: ScopeKeyring,
    private readonly verifier: RecordVerifier,
    private readonly now: () => number = Date.now,
  ) {
    this.since = hourOf(now());
  }

  start(): void {
    this.timer ??= setInterval(() => void this.sealEnded(), SEAL_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Seal every ended hour of the patients the station recorded for in this start (one pass at a time). */
  sealEnded(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const to = hourOf(this.now() - SEAL_AFTER_MS);
    for (const patient of this.keyring.stationPatients()) {
      const from = this.next.get(patient) ?? this.since;
      if (from >= to) continue;
      try {
        const { pending } = await this.sealHours(patient, from, to);
        this.next.set(patient, pending ?? to);
      } catch {
        // Best effort, and not again: a reader's open writes the blocks of those hours.
        this.next.set(patient, to);
      }
      await yieldToOthers(); // a person's request goes first
    }
  }

  /**
   * Seal the whole hours of [from, to) (hour boundaries) of a patient's readings this station
   * signed. Returns the hours a block now vouches for, and the first hour with a reading not
   * anchored yet (null: none), from which a later pass starts.
   */
  async sealHours(patient: string, from: number, to: number): Promise<{ sealed: number[]; pending: number | null }> {
    const sealed: number[] = [];
    for (let start = from; start < to; start += HOURS_AT_ONCE * BLOCK_MS) {
      const end = Math.min(to, start + HOURS_AT_ONCE * BLOCK_MS);
      const own = this.verifier.ownReadings(await this.readings(patient, start, end));
      const unanchored = own.find((e) => !e.anchor);
      const keys = this.keyring.heldKeysOf(new Set(own.map((e) => e.record.cipher.scopeId)));
      sealed.push(...(await this.verifier.sealStationHours(own, keys, { from: start, to: end })));
      if (unanchored) return { sealed, pending: hourOf(unanchored.at) };
    }
    return { sealed, pending: null };
  }

  /** Every record of the patient filed in [from, to), oldest first. */
  private async readings(patient: string, from: number, to: number): Promise<StoredEntry[]> {
    const out: StoredEntry[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.store().window(patient, { from, to: to - 1, order: 'asc', limit: 2000, cursor, proofs: false });
      out.push(...page.items);
      cursor = page.next;
    } while (cursor);
    return out;
  }
}
