import { describe, expect, it } from 'vitest';
import { BoundedCache, ByteBoundedCache } from '../../../electron/core/storage/boundedCache';

describe('bounded caches', () => {
  it('a count-bounded cache drops the oldest entry first', () => {
    const c = new BoundedCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c'), c.size]).toEqual([undefined, 2, 3, 2]);
  });

  it('a byte-bounded cache keeps the sum of its entries’ weights within its budget, oldest out first', () => {
    const c = new ByteBoundedCache<string, string>(10, (v) => v.length);
    c.set('a', 'xxxx');
    c.set('b', 'yyyy');
    expect([c.size, c.bytes]).toEqual([2, 8]);
    c.set('c', 'zzzz'); // 12 > 10: 'a' goes
    expect([c.get('a'), c.get('b'), c.get('c'), c.bytes]).toEqual([undefined, 'yyyy', 'zzzz', 8]);
    c.set('d', 'wwwwwwwww'); // 9: both others go
    expect([c.get('b'), c.get('c'), c.get('d'), c.size, c.bytes]).toEqual([undefined, undefined, 'wwwwwwwww', 1, 9]);
    c.set('d', 'v'); // replacing an entry re-weighs it
    expect([c.get('d'), c.bytes]).toEqual(['v', 1]);
    c.set('e', 'x'.repeat(11)); // heavier than the whole budget: not kept, nothing else dropped
    expect([c.get('e'), c.get('d'), c.bytes]).toEqual([undefined, 'v', 1]);
    c.delete('d');
    expect([c.size, c.bytes]).toEqual([0, 0]);
    for (let i = 0; i < 1000; i++) c.set(String(i), 'ab');
    expect([c.size, c.bytes, c.get('999'), c.get('994'), c.get('995')]).toEqual([5, 10, 'ab', undefined, 'ab']);
    c.clear();
    expect([c.size, c.bytes]).toEqual([0, 0]);
  });

  it('stays correct and bounded when keys are set again and again without filling it, or deleted', () => {
    const evicted: number[] = [];
    const c = new BoundedCache<number, number>(100, (v) => evicted.push(v));
    for (let round = 0; round < 200; round++) for (let k = 0; k < 50; k++) c.set(k, round);
    expect([c.size, evicted.length]).toEqual([50, 0]);
    // The queue of insertions was compacted: its stale places are not kept (10,000 sets, 50 live).
    expect((c as unknown as { order: unknown[] }).order.length).toBeLessThan(2 * 50 + 1024 + 2);
    for (let k = 50; k < 150; k++) c.set(k, -1); // 50 of the first keys go, oldest (0…49 in their last order) first
    expect([c.size, evicted.length, c.get(0), c.get(49), c.get(149)]).toEqual([100, 50, undefined, undefined, -1]);
    c.delete(100);
    c.set(1000, 7);
    expect([c.size, c.get(50), c.get(1000)]).toEqual([100, -1, 7]);
    c.set(2000, 8); // now the oldest live one (50) goes
    expect([c.get(50), c.get(51), c.size]).toEqual([undefined, -1, 100]);
  });
});
