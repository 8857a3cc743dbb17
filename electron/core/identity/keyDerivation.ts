/**
 * Password key derivation (scrypt, PBKDF2) off the main thread, a bounded number at a time.
 *
 * Node's native `crypto.scrypt` / `crypto.pbkdf2` run on libuv's thread pool, never on the event
 * loop, and are 1.5–2× faster than ethers' pure-JS scrypt (which runs on the event loop in slices
 * and froze the API for seconds under a burst of logins). This works unchanged in Node, in the
 * built bundle and in Electron's main process, with no worker file to ship.
 *
 * At most `concurrency` derivations run at once (default: one core fewer than the machine has, at
 * least one), so the event loop keeps a core and libuv's pool (4 threads, shared with file I/O
 * and the chain's LevelDB) keeps free threads. Further requests wait in a bounded queue; when it
 * is full, a request is refused at once with a clear message rather than piling up memory
 * (each scrypt at N = 2^17, r = 8 takes 128 MiB while it runs).
 */
import { availableParallelism } from 'node:os';
import { pbkdf2, scrypt } from 'node:crypto';
import { WardError } from '../model/errors';

export type KdfParams =
  | { kdf: 'scrypt'; salt: Uint8Array; n: number; r: number; p: number; dklen: number }
  | { kdf: 'pbkdf2'; salt: Uint8Array; c: number; prf: 'hmac-sha256'; dklen: number };

/**
 * What a keystore may ask for before it is refused as damaged or hostile. scrypt allocates
 * 128·r·(N + p + 2) bytes and works in proportion to N·r·p; both are bounded, so a file with a
 * tiny N and a huge r or p cannot slip past a bound on N alone. The limits admit geth's standard
 * N = 2^18, r = 8, p = 1 (the heaviest in common use) with room to spare.
 */
export const KDF_LIMITS = {
  scryptMaxMemoryBytes: 512 * 1024 * 1024,
  scryptMaxWork: 2 ** 22,
  scryptMaxR: 32,
  scryptMaxP: 16,
  pbkdf2MaxIterations: 10_000_000,
  maxDklen: 64,
} as const;

export function defaultKdfConcurrency(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class KeyDerivationQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** Derivations finished so far (diagnostics: every password check costs exactly one). */
  completed = 0;

  constructor(
    readonly concurrency = defaultKdfConcurrency(),
    readonly maxQueued = 64,
  ) {}

  /** Derive a key; resolves when its turn came and the derivation finished. */
  async derive(password: Uint8Array, params: KdfParams): Promise<Uint8Array> {
    checkParams(params);
    await this.turn();
    try {
      return await runKdf(password, params);
    } finally {
      this.completed++;
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Derivations running and waiting (for tests and diagnostics). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private turn(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueued) {
      throw new WardError('THROTTLED', 'Too many sign-ins are being checked at once. Try again in a few seconds.', { retryAfterSeconds: 5 });
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.running++;
        resolve();
      }),
    );
  }
}

function checkParams(params: KdfParams): void {
  const ok =
    params.kdf === 'scrypt'
      ? isPowerOfTwo(params.n) &&
        params.n >= 2 &&
        isWithin(params.r, KDF_LIMITS.scryptMaxR) &&
        isWithin(params.p, KDF_LIMITS.scryptMaxP) &&
        scryptMemory(params) <= KDF_LIMITS.scryptMaxMemoryBytes &&
        params.n * params.r * params.p <= KDF_LIMITS.scryptMaxWork
      : isWithin(params.c, KDF_LIMITS.pbkdf2MaxIterations);
  if (!ok || !Number.isSafeInteger(params.dklen) || params.dklen < 32 || params.dklen > KDF_LIMITS.maxDklen) {
    throw new WardError('INTEGRITY', 'A keystore asks for key-derivation parameters WardLedger does not accept; the file may be damaged.');
  }
}

function isWithin(v: number, max: number): boolean {
  return Number.isSafeInteger(v) && v >= 1 && v <= max;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Bytes scrypt allocates: the ROMix table V (128·r·N) and the blocks B and XY (128·r·(p + 2)). */
function scryptMemory(p: { n: number; r: number; p: number }): number {
  return 128 * p.r * (p.n + p.p + 2);
}

function runKdf(password: Uint8Array, params: KdfParams): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const done = (e: Error | null, key: Buffer) => (e ? reject(new WardError('CRYPTO', `Key derivation failed: ${e.message}`)) : resolve(new Uint8Array(key)));
    if (params.kdf === 'scrypt') {
      // Node's default maxmem (32 MiB) is below N = 2^17; allow what checkParams admitted.
      scrypt(password, params.salt, params.dklen, { N: params.n, r: params.r, p: params.p, maxmem: scryptMemory(params) + 1024 * 1024 }, done);
    } else {
      pbkdf2(password, params.salt, params.c, params.dklen, 'sha256', done);
    }
  });
}
