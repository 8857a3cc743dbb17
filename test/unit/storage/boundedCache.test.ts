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
});
