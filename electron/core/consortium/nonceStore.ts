/**
 * The sync account's transactions in flight, on disk, so nonces survive restarts.
 *
 * Every signed transaction is written here (durably) *before* it is sent, and removed once it is
 * mined and confirmed. After a restart, a dropped connection or a node that lost its pool, the
 * client can therefore ask the chain about each one and re-broadcast the same bytes (same hash:
 * never a second transaction for the same purpose). A grant's or a filler's bytes are kept here; a
 * batch's are not (its 128 KB payload is kept once, by the publisher's SyncState, until it is on
 * chain): its nonce, hash and gas limit are, and the client signs the prepared batch again with
 * them (RFC 6979: the same bytes, checked against the hash). The next nonce is never taken
 * from this store alone: it is max(chain's latest count, chain's pending count, highest in flight
 * + 1), so nonces used elsewhere (another tool with the same key) are skipped, not collided with.
 *
 * One small file per transaction: sending or confirming one never rewrites the others.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { readJson, writeFileDurableAsync } from '../platform/atomicFile';

export interface InFlight {
  nonce: number;
  hash: string;
  /**
   * Signed transaction, 0x hex; absent for a batch's transaction, whose bytes are signed again
   * from the prepared batch the publisher keeps (deterministic signatures: the same bytes).
   */
  raw?: string;
  /** The gas limit it was signed with (decimal), for signing a batch's transaction again. */
  gasLimit?: string;
  /** What it does, e.g. "batch:0x…", "grants:…", "filler". */
  purpose: string;
  sentAt: number;
}

const inFlightFile = z.object({
  nonce: z.number().int().nonnegative(),
  hash: z.string().regex(/^0x[0-9a-f]{64}$/i),
  raw: z.string().regex(/^0x[0-9a-f]+$/i).optional(),
  gasLimit: z.string().regex(/^\d+$/).optional(),
  purpose: z.string(),
  sentAt: z.number(),
}).refine((e) => e.raw !== undefined || e.gasLimit !== undefined, { message: 'it holds neither the signed transaction nor its gas limit' });
const IN_FLIGHT_WHAT = 'A consortium transaction in flight (signed, kept until it is mined)';
const IN_FLIGHT_REMEDY = 'Restore it from a backup of the data directory. Deleting it instead loses a signed transaction that may already be on the consortium chain.';

function readInFlight(path: string): InFlight | undefined {
  return readJson<InFlight>(path, inFlightFile, IN_FLIGHT_WHAT, IN_FLIGHT_REMEDY);
}

export class NonceStore {
  private entries = new Map<number, InFlight>();
  readonly dir: string;

  constructor(stateDir: string, readonly account: string, readonly chainId: number) {
    this.dir = join(stateDir, `consortium-tx-${chainId}-${account.toLowerCase()}`);
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir)) {
      if (!/^\d+\.json$/.test(name)) continue;
      const e = readInFlight(join(this.dir, name));
      if (e) this.entries.set(e.nonce, e);
    }
  }

  list(): InFlight[] {
    return [...this.entries.values()].sort((a, b) => a.nonce - b.nonce);
  }

  byPurpose(purpose: string): InFlight | undefined {
    return this.list().find((e) => e.purpose === purpose);
  }

  highestNonce(): number {
    return Math.max(-1, ...this.entries.keys());
  }

  /** Durable before it resolves (the transaction may be sent then); the thread is not blocked meanwhile. */
  async add(entry: InFlight): Promise<void> {
    await writeFileDurableAsync(join(this.dir, `${entry.nonce}.json`), JSON.stringify(entry, null, 2) + '\n');
    this.entries.set(entry.nonce, entry);
  }

  /**
   * Forget mined (or abandoned) transactions. Not made durable: a removal lost in a crash leaves a
   * file for a transaction that is mined, which the next reconcile finds mined and removes again.
   * The file is ours when the entry kept in memory (written by add) has the same hash; reading the
   * file back (up to 256 KB of hex) to compare would cost more than the rest of the removal.
   */
  async remove(entries: InFlight[]): Promise<void> {
    const files: string[] = [];
    for (const e of entries) {
      if (this.entries.get(e.nonce)?.hash !== e.hash) continue;
      this.entries.delete(e.nonce);
      files.push(join(this.dir, `${e.nonce}.json`));
    }
    await Promise.all(files.map((f) => rm(f, { force: true })));
  }
}
