/**
 * Key derivation runs off the event loop, a bounded number at a time, behind a bounded queue.
 * "Off the event loop" is measured as event-loop utilisation (the share of time the main thread
 * was busy), not as a duration: it is near 1 when scrypt runs on the main thread and near 0 when
 * it runs on another thread, whatever the machine's speed.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { KeyDerivationQueue, type KdfParams } from '../../../electron/core/identity/keyDerivation';

const scrypt = (n: number): KdfParams => ({ kdf: 'scrypt', salt: new Uint8Array(32).fill(7), n, r: 8, p: 1, dklen: 32 });
const pw = new TextEncoder().encode('password');

describe('key derivation queue', () => {
  it('derives the scrypt of RFC 7914 §12 ("password" / "NaCl", N = 1024, r = 8, p = 16)', async () => {
    const key = await new KeyDerivationQueue(1).derive(pw, { kdf: 'scrypt', salt: new TextEncoder().encode('NaCl'), n: 1024, r: 8, p: 16, dklen: 64 });
    expect(Buffer.from(key).toString('hex')).toBe(
      'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
    );
  });

  it('leaves the event loop free while a recommended-strength scrypt (N = 2^17) runs', async () => {
    const queue = new KeyDerivationQueue(1);
    const before = performance.eventLoopUtilization();
    await Promise.all([queue.derive(pw, scrypt(2 ** 17)), queue.derive(pw, scrypt(2 ** 17))]);
    const elu = performance.eventLoopUtilization(before);
    expect(elu.utilization).toBeLessThan(0.3);
  });

  it('runs at most `concurrency` derivations at once and queues the rest in order', async () => {
    const queue = new KeyDerivationQueue(2, 10);
    const seen: number[] = [];
    const jobs = Array.from({ length: 7 }, () => {
      const job = queue.derive(pw, scrypt(2 ** 12));
      seen.push(queue.load.running);
      return job;
    });
    expect(Math.max(...seen)).toBe(2);
    expect(queue.load.waiting).toBe(5);
    await Promise.all(jobs);
    expect(queue.load).toEqual({ running: 0, waiting: 0 });
    expect(queue.completed).toBe(7);
  });

  it('refuses at once with THROTTLED when its queue is full, and works again after', async () => {
    const queue = new KeyDerivationQueue(1, 2);
    const admitted = [queue.derive(pw, scrypt(2 ** 12)), queue.derive(pw, scrypt(2 ** 12)), queue.derive(pw, scrypt(2 ** 12))];
    await expect(queue.derive(pw, scrypt(2 ** 12))).rejects.toMatchObject({ code: 'THROTTLED', details: { retryAfterSeconds: expect.any(Number) } });
    await Promise.all(admitted);
    await expect(queue.derive(pw, scrypt(2 ** 12))).resolves.toHaveLength(32);
  });
});
