/**
 * Downsampling for charts of long periods: one bucket per pixel column, and in each bucket the
 * points with the lowest and the highest value are kept (in time order) — so a spike or a dip is
 * never averaged away, whatever the zoom. Points are kept as they are (a subset of the input), so
 * each drawn point is still a real, verifiable reading.
 */

export interface DownsampleOptions {
  /** Time span drawn (ms); points outside it are dropped. */
  from: number;
  to: number;
  /** Pixel columns (buckets) across the span. */
  buckets: number;
}

/**
 * @param points in time order
 * @param value the charted number of a point, or null when the point has none (it is skipped)
 * @returns at most 2 × buckets points, in time order
 */
export function downsampleMinMax<P>(points: readonly P[], time: (p: P) => number, value: (p: P) => number | null | undefined, o: DownsampleOptions): P[] {
  const buckets = Math.max(1, Math.floor(o.buckets));
  const span = o.to - o.from;
  const within = points.filter((p) => {
    const t = time(p);
    const v = value(p);
    return t >= o.from && t <= o.to && typeof v === 'number' && Number.isFinite(v);
  });
  if (within.length <= 2 * buckets || span <= 0) return within;
  const out: P[] = [];
  let bucket = -1;
  let lo: P | null = null;
  let hi: P | null = null;
  const flush = () => {
    if (!lo || !hi) return;
    if (lo === hi) out.push(lo);
    else if (time(lo) <= time(hi)) out.push(lo, hi);
    else out.push(hi, lo);
  };
  for (const p of within) {
    const b = Math.min(buckets - 1, Math.floor(((time(p) - o.from) / span) * buckets));
    if (b !== bucket) {
      flush();
      bucket = b;
      lo = hi = p;
      continue;
    }
    const v = value(p)!;
    if (v < value(lo!)!) lo = p;
    if (v > value(hi!)!) hi = p;
  }
  flush();
  return out;
}
