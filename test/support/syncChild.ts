/**
 * A ward's sync engine in a process of its own, for the kill -9 test: it opens the ward's
 * directory (outbox, engine state, in-flight transactions), publishes until the outbox is empty,
 * prints each batch's progress as a line on stdout, and exits. Run with `node --import tsx`.
 * Configuration comes as JSON in WARDLEDGER_SYNC_CHILD (see SyncChildConfig).
 */
import { Wallet } from 'ethers';
import { useFastKeccak } from '../../electron/core/crypto/keccak';
import type { TestWard } from './consortiumFixtures';
import { openSyncWard, type OutboxKind } from './syncWard';

export interface SyncChildConfig {
  url: string;
  ledger: string;
  chainId: number;
  dir: string;
  ward: { name: string; sync: string; team: string; station: string; nurse: string; shareSecret: string; pseudonymSecret: string };
  inFlight: number;
  outbox?: OutboxKind;
}

export function wardConfig(w: TestWard): SyncChildConfig['ward'] {
  const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');
  return { name: w.name, sync: w.sync.privateKey, team: w.team.privateKey, station: w.station.privateKey, nurse: w.nurse.privateKey, shareSecret: hex(w.shareSecret), pseudonymSecret: hex(w.pseudonymSecret) };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.WARDLEDGER_SYNC_CHILD!) as SyncChildConfig;
  await useFastKeccak();
  const w = config.ward;
  const bytes = (h: string) => new Uint8Array(Buffer.from(h.slice(2), 'hex'));
  const ward: TestWard = { name: w.name, sync: new Wallet(w.sync), team: new Wallet(w.team), station: new Wallet(w.station), nurse: new Wallet(w.nurse), shareSecret: bytes(w.shareSecret), pseudonymSecret: bytes(w.pseudonymSecret) };
  const sync = await openSyncWard(ward, config.dir, { url: config.url, ledger: config.ledger, context: { chainId: config.chainId, ledger: config.ledger }, inFlight: config.inFlight, outbox: config.outbox, engine: { failureRetryMs: 500, onProgress: (p) => process.stdout.write(`${p.stage} ${p.batchId}\n`) } });
  const { engine, outbox } = sync;
  while ((await outbox.count()) > 0) await engine.syncNow();
  const history = await sync.state.history(1000);
  process.stdout.write(`done ${history.length} ${history.filter((h) => h.already).length}\n`);
  await sync.close();
}

if (process.env.WARDLEDGER_SYNC_CHILD) void main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
