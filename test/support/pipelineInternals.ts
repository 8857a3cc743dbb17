/**
 * The core's record-pipeline object graph, built the same way core.ts builds it, on the data
 * directory of a STOPPED core (the data-dir lock guarantees no core runs on it meanwhile).
 * createCore does not expose its internals; benchmarks (bulk seeding through RecordService, the
 * naive baseline, stage timings) and tests of the station ingest path open this graph instead.
 */
import { join } from 'node:path';
import type { Wallet } from 'ethers';
import type { Role } from '../../electron/core/model/people';
import { WardContracts } from '../../electron/core/chain/wardContracts';
import { WardNode } from '../../electron/core/chain/wardNode';
import { lockDataDir } from '../../electron/core/platform/dataDirLock';
import { useFastKeccak } from '../../electron/core/crypto/keccak';
import { loadStationKey } from '../../electron/core/identity/stationKey';
import { IdentityService } from '../../electron/core/identity/identityService';
import { AnchorQueue } from '../../electron/core/records/anchorQueue';
import { RecordService, type Actor } from '../../electron/core/records/recordService';
import { RecordStore } from '../../electron/core/records/recordStore';
import { Admissions } from '../../electron/core/ward/admissions';
import { WardConfigStore } from '../../electron/core/wardConfig';
import { testScryptN } from './tempCore';

export interface PipelineInternals {
  node: WardNode;
  identity: IdentityService;
  store: RecordStore;
  anchorQueue: AnchorQueue;
  records: RecordService;
  contracts: WardContracts;
  /** The workstation's anchoring signer, connected to the ward chain. */
  station: Wallet;
  /** Log in a person by name and password, as a session would: wallet, profile, care team key. */
  actor(name: string, password: string): Promise<Actor>;
  close(): Promise<void>;
}

/** Open the pipeline of a set-up ward whose core is stopped. */
export async function openInternals(dataDir: string): Promise<PipelineInternals> {
  const release = await lockDataDir(dataDir);
  await useFastKeccak(); // as the core does at start
  const node = new WardNode(join(dataDir, 'chain'));
  await node.start();
  const wardConfig = new WardConfigStore(dataDir);
  const config = wardConfig.load();
  if (!config) throw new Error('The ward in this data directory is not set up.');
  const identity = new IdentityService(dataDir, node, wardConfig, testScryptN);
  const store = new RecordStore(dataDir);
  store.open();
  const admissions = new Admissions(dataDir);
  const contracts = new WardContracts(config.contracts.anchors, config.contracts.ledger, node.provider);
  const stationKey = loadStationKey(dataDir);
  if (!stationKey) throw new Error('The ward in this data directory has no station key.');
  const station = stationKey.connect(node.provider);
  const anchorQueue = new AnchorQueue(store, () => contracts, () => station);
  const records = new RecordService(store, anchorQueue, identity, admissions, () => contracts);
  return {
    node,
    identity,
    store,
    anchorQueue,
    records,
    contracts,
    station,
    async actor(name, password) {
      const { wallet, profile } = await identity.login(name, password);
      const role: Role = profile.role;
      return { address: profile.address, name: profile.name, role, wallet, teamKey: identity.teamKeyFor(wallet, role) };
    },
    async close() {
      records.closeAll();
      store.close();
      await node.stop();
      await release();
    },
  };
}
