/** Small statistics and timing helpers for the benchmarks. */

/** Nearest-rank percentile (p in 0..100) of samples; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function mean(samples: readonly number[]): number {
  return samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : Number.NaN;
}

/** Run `fn` and return its result with the wall time in milliseconds. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/** Accumulates wall time per named stage (simple timers around the stages of a sample). */
export class StageTimer {
  readonly totals = new Map<string, { ms: number; count: number }>();

  async time<T>(stage: string, fn: () => Promise<T> | T): Promise<T> {
    const { value, ms } = await timed(fn);
    this.add(stage, ms);
    return value;
  }

  /** As time(), for synchronous stages (no await in between, so nothing else is counted). */
  timeSync<T>(stage: string, fn: () => T): T {
    const start = performance.now();
    const value = fn();
    this.add(stage, performance.now() - start);
    return value;
  }

  private add(stage: string, ms: number): void {
    const t = this.totals.get(stage) ?? { ms: 0, count: 0 };
    t.ms += ms;
    t.count++;
    this.totals.set(stage, t);
  }

  /** Mean milliseconds per call of a stage. */
  perCall(stage: string): number {
    const t = this.totals.get(stage);
    return t ? t.ms / t.count : Number.NaN;
  }
}

/** Round for display and JSON: 3 significant-ish decimals for small figures. */
export function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return Number(x.toFixed(digits));
}
