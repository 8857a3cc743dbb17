import { describe, expect, it } from 'vitest';
import { pooledRandomBytes, randomHex } from '../../../electron/core/crypto/randomPool';

describe('pooled random bytes', () => {
  it('returns exactly the length asked for, pooled or not', () => {
    for (const n of [0, 1, 12, 16, 32, 64, 65, 1000]) expect(pooledRandomBytes(n)).toHaveLength(n);
    expect(randomHex(32)).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('never hands out the same bytes twice, across many pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(pooledRandomBytes(32).toString('hex')); // ~10 refills of 16 KiB
    expect(seen.size).toBe(5000);
  });

  it('gives the caller its own copy', () => {
    const a = pooledRandomBytes(16);
    const kept = Buffer.from(a);
    a.fill(0);
    const b = pooledRandomBytes(16);
    expect(b.equals(Buffer.alloc(16))).toBe(false);
    expect(kept.equals(Buffer.alloc(16))).toBe(false);
  });

  it('looks uniformly random (byte frequencies within a loose chi-square bound)', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 4000; i++) for (const byte of pooledRandomBytes(32)) counts[byte]!++;
    const expected = (4000 * 32) / 256;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(400); // 255 degrees of freedom: p < 1e-7 beyond this
  });

  it('rejects a length that is not a non-negative integer', () => {
    expect(() => pooledRandomBytes(-1)).toThrow(RangeError);
    expect(() => pooledRandomBytes(1.5)).toThrow(RangeError);
  });
});
