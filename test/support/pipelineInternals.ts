/**
 * The core's object graph (electron/core/graph.ts, the same wiring createCore runs) opened on the
 * data directory of a STOPPED core (the data-dir lock guarantees no core runs on it meanwhile).
 * createCore does not expose its internals; benchmarks (bulk seeding through RecordWriter, the
 * naive baseline, stage timings, the API probe) and tests of the station ingest path use this.
 */
import type { Wallet } from 'ethers';
import { buildCoreGraph, type CoreGraph } from '../../electron/core/graph';
import type { Actor } from '../../electron/core/identity/actor';
import type { CoreConfig } from '../../electron/core/shellContract';
import { testScryptN } from './tempCore';

export interface PipelineInternals extends CoreGraph {
  /** The workstation's anchoring signer, connected to the ward chain. */
  stationWallet: Wallet;
  /** Log in a person by name and password, as a session would: wallet, profile, care team key. */
  actor(name: string, password: string): Promise<Actor>;
}

/** Open the graph of a set-up ward whose core is stopped (no sessions, no device polling). */
export async function openInternals(dataDir: string, extra: Partial<CoreConfig> = {}): Promise<PipelineInternals> {
  const graph = buildCoreGraph({ dataDir, keystoreScryptN: testScryptN, usb: false, ...extra });
  await graph.open();
  if (!graph.identity.initialized) {
    await graph.close();
    throw new Error('The ward in this data directory is not set up.');
  }
  return Object.assign(graph, {
    stationWallet: graph.station(),
    async actor(name: string, password: string): Promise<Actor> {
      const { wallet, profile } = await graph.identity.login(name, password);
      return { address: profile.address, name: profile.name, role: profile.role, wallet, teamKey: graph.identity.teamKeyFor(wallet, profile.role) };
    },
  });
}
