/**
 * Write-ahead intents for the operations that send a ward-chain transaction and then write local
 * state (a consent grant or revoke, an approval, a change of care relationship). The intent is
 * made durable before the transaction is sent and removed once the local write is done, so after a
 * crash (or a failure between the two steps) the owner knows exactly which operations to settle:
 * at start, and before a retry, it asks the chain whether the transaction took effect — the chain
 * is the truth — and finishes the local write from the intent, or drops the intent.
 *
 * `<dataDir>/chain-intents.json`, rewritten atomically on each change (a handful of entries at most).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { readJson, writeJsonDurable } from './atomicFile';

export interface Intent<P = unknown> {
  id: string;
  /** Which operation: 'consent.grant', 'care.admit', … (each owner settles its own kinds). */
  kind: string;
  /** When the intent was made (ms since the epoch). */
  at: number;
  /** The chain's block number before the transaction: its event is searched from here. */
  fromBlock: number;
  /** What the local write needs (never a private key). */
  payload: P;
}

interface IntentsFile {
  v: 1;
  intents: Intent[];
}

const intentsFile = z.object({
  v: z.literal(1),
  intents: z.array(z.object({ id: z.string(), kind: z.string(), at: z.number(), fromBlock: z.number(), payload: z.unknown() })),
});

export class IntentJournal {
  private file: IntentsFile;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'chain-intents.json');
    this.file =
      readJson<IntentsFile>(this.path, intentsFile, 'The journal of ward-chain operations in flight (chain-intents.json)', 'Do not remove it: it says which chain operations to settle. Restore it from a backup.') ?? { v: 1, intents: [] };
  }

  private readonly path: string;

  /** Pending intents of one kind (or of every kind whose name starts with `prefix.`). */
  pending<P>(kindOrPrefix: string): Array<Intent<P>> {
    return this.file.intents.filter((i) => i.kind === kindOrPrefix || i.kind.startsWith(`${kindOrPrefix}.`)) as Array<Intent<P>>;
  }

  /** Make an intent durable before its transaction is sent. */
  begin<P>(kind: string, fromBlock: number, payload: P): Intent<P> {
    const intent: Intent<P> = { id: randomUUID(), kind, at: Date.now(), fromBlock, payload };
    this.file = { v: 1, intents: [...this.file.intents, intent] };
    writeJsonDurable(this.path, this.file);
    return intent;
  }

  /** The local write is done, or the transaction did not take effect: forget the intent. */
  end(id: string): void {
    if (!this.file.intents.some((i) => i.id === id)) return;
    this.file = { v: 1, intents: this.file.intents.filter((i) => i.id !== id) };
    writeJsonDurable(this.path, this.file);
  }
}
