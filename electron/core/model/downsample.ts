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
 * @param breakBefore where the line breaks (a silence before the point: a monitor off): the runs
 *   either side are thinned apart, and the last point before a break and the first after it are
 *   kept, so the break is drawn where it was and no thinned point joins across it
 * @returns at most 2 × buckets points (and up to 4 more per break: the bucket it falls in keeps
 *   each side's lowest and highest, and the readings either side of it), in time order
 */
export function downsampleMinMax<P>(
  points: readonly P[],
  time: (p: P) => number,
  value: (p: P) => number | null | undefined,
  o: DownsampleOptions,
  breakBefore: (p: P) => boolean = () => false,
): P[] {
  const buckets = Math.max(1, Math.floor(o.buckets));
  const span = o.to - o.from;
  const within = points.filter((p) => {
    const t = time(p);
    const v = value(p);
    return t >= o.from && t <= o.to && typeof v === 'number' && Number.isFinite(v);
  });
  if (within.length <= 2 * buckets || span <= 0) return within;
  const out: P[] = [];
  // One segment: the points of one bucket within one run.
  let bucket = -1;
  let first: P | null = null;
  let last: P | null = null;
  let lo: P | null = null;
  let hi: P | null = null;
  let startsRun = false;
  const flush = (endsRun: boolean) => {
    if (!first) return;
    const kept = [...new Set([startsRun ? first : null, lo, hi, endsRun ? last : null])].filter((p): p is P => p !== null);
    out.push(...kept.sort((a, b) => time(a) - time(b)));
  };
  for (const p of within) {
    const b = Math.min(buckets - 1, Math.floor(((time(p) - o.from) / span) * buckets));
    const breaks = first !== null && breakBefore(p);
    if (b !== bucket || breaks) {
      flush(breaks);
      bucket = b;
      first = last = lo = hi = p;
      startsRun = breaks;
      continue;
    }
    last = p;
    const v = value(p)!;
    if (v < value(lo!)!) lo = p;
    if (v > value(hi!)!) hi = p;
  }
  flush(false);
  return out;
}
