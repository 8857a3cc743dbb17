import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsampleMinMax } from '../../../electron/core/model/downsample';

type Pt = { t: number; v: number | null };
const opts = { from: 0, to: 72 * 3600_000, buckets: 300 };

describe('min/max downsampling for long charts', () => {
  it('keeps a one-minute desaturation in three days of readings drawn 300 pixels wide', () => {
    const points: Pt[] = Array.from({ length: 72 * 60 }, (_, i) => ({ t: i * 60_000, v: 96 + (i % 3) }));
    points[2000] = { t: 2000 * 60_000, v: 71 };
    const drawn = downsampleMinMax(points, (p) => p.t, (p) => p.v, opts);
    expect(drawn.length).toBeLessThanOrEqual(600);
    expect(drawn).toContain(points[2000]);
    expect(Math.min(...drawn.map((p) => p.v!))).toBe(71);
  });

  it('for any series: a subset in time order, at most two per bucket, every bucket’s minimum and maximum kept', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.integer({ min: -1000, max: opts.to + 1000 }), v: fc.option(fc.integer({ min: 0, max: 300 })) }), { maxLength: 2000 }),
        fc.integer({ min: 1, max: 400 }),
        (raw, buckets) => {
          const points = [...raw].sort((a, b) => a.t - b.t);
          const o = { ...opts, buckets };
          const drawn = downsampleMinMax(points, (p) => p.t, (p) => p.v, o);
          const within = points.filter((p) => p.t >= o.from && p.t <= o.to && p.v !== null);
          expect(drawn.every((p) => within.includes(p))).toBe(true);
          expect(drawn.map((p) => p.t)).toEqual([...drawn.map((p) => p.t)].sort((a, b) => a - b));
          if (within.length <= 2 * buckets) {
            expect(drawn).toEqual(within);
            return;
          }
          expect(drawn.length).toBeLessThanOrEqual(2 * buckets);
          const bucketOf = (p: Pt) => Math.min(buckets - 1, Math.floor(((p.t - o.from) / (o.to - o.from)) * buckets));
          for (let b = 0; b < buckets; b++) {
            const inB = within.filter((p) => bucketOf(p) === b).map((p) => p.v!);
            const kept = drawn.filter((p) => bucketOf(p) === b).map((p) => p.v!);
            if (inB.length) {
              expect(Math.min(...kept)).toBe(Math.min(...inB));
              expect(Math.max(...kept)).toBe(Math.max(...inB));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('for any series with breaks: each break kept with the readings either side of it, and each run’s own lowest and highest reading per bucket', () => {
    type Bp = Pt & { breaks: boolean };
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.integer({ min: 0, max: opts.to }), v: fc.integer({ min: 0, max: 300 }), breaks: fc.integer({ min: 0, max: 19 }).map((n) => n === 0) }), { maxLength: 3000 }),
        fc.integer({ min: 1, max: 200 }),
        (raw, buckets) => {
          const points: Bp[] = [...raw].sort((a, b) => a.t - b.t);
          const o = { ...opts, buckets };
          const drawn = downsampleMinMax(points, (p) => p.t, (p) => p.v, o, (p) => p.breaks);
          expect(drawn.every((p) => points.includes(p))).toBe(true);
          expect(new Set(drawn).size).toBe(drawn.length);
          for (let i = 1; i < drawn.length; i++) expect(drawn[i]!.t).toBeGreaterThanOrEqual(drawn[i - 1]!.t);
          const breaks = points.filter((p, i) => i > 0 && p.breaks).length;
          expect(drawn.length).toBeLessThanOrEqual(Math.max(points.length <= 2 * buckets ? points.length : 0, 2 * buckets + 4 * breaks));
          if (points.length <= 2 * buckets) return;
          points.forEach((p, i) => {
            if (i === 0 || !p.breaks) return;
            expect(drawn).toContain(p);
            expect(drawn).toContain(points[i - 1]);
          });
          // Every bucket of every run keeps that run's lowest and highest reading in the bucket.
          let run = 0;
          const runOf = new Map(points.map((p, i) => [p, (run += i > 0 && p.breaks ? 1 : 0)]));
          const segment = (p: Bp) => `${runOf.get(p)}|${Math.min(buckets - 1, Math.floor((p.t / o.to) * buckets))}`;
          const groupBy = (list: Bp[]) => list.reduce((m, p) => m.set(segment(p), [...(m.get(segment(p)) ?? []), p]), new Map<string, Bp[]>());
          const bySegment = groupBy(points);
          const keptBy = groupBy(drawn);
          for (const [key, all] of bySegment) {
            const kept = (keptBy.get(key) ?? []).map((p) => p.v!);
            expect(Math.min(...kept)).toBe(Math.min(...all.map((p) => p.v!)));
            expect(Math.max(...kept)).toBe(Math.max(...all.map((p) => p.v!)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
