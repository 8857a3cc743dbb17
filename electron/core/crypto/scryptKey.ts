/** A 32-byte key from a passphrase with scrypt (backups, recovery key files), off the main thread. */
import { scrypt } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export function scryptKey(passphrase: string, salt: Uint8Array, { N, r, p }: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(passphrase.normalize('NFKC'), salt, 32, { N, r, p, maxmem: 256 * N * r + 2 ** 20 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}
