/**
 * The core factory: one object graph from a data directory, started and stopped as a unit.
 * Start order: data-dir lock → ward chain → ward config and deployment check → sessions.
 * Stop runs in reverse and is safe to call twice.
 */
import { join } from 'node:path';
import { createHandlers } from './api/handlers';
import { Router } from './api/router';
import type { ethers } from 'ethers';
import { WardContracts } from './chain/wardContracts';
import { WardNode } from './chain/wardNode';
import { WardError } from './model/errors';
import { useFastKeccak } from './crypto/keccak';
import { loadStationKey } from './identity/stationKey';
import { AnchorQueue } from './records/anchorQueue';
import { AuditTrail } from './records/auditTrail';
import { ConsentService } from './records/consentService';
import { RecordService } from './records/recordService';
import { RecordStore } from './records/recordStore';
import { StationIngestQueue } from './records/stationIngestQueue';
import { Admissions } from './ward/admissions';
import { lockDataDir } from './platform/dataDirLock';
import { log } from './platform/log';
import { simulatorAliases } from './api/deviceHandlers';
import { seedDemoWard } from './demo/demoWard';
import { CompositeBackend } from './devices/compositeBackend';
import { DeviceService } from './devices/deviceService';
import { SimulatedHidBus } from './devices/simulators/bus';
import { createNodeHidBackend } from './devices/transport/nodeHid';
import { EventHub } from './events';
import { IdentityService } from './identity/identityService';
import { SessionManager } from './identity/sessions';
import type { CoreConfig, WardCore } from './shellContract';
import { defaultLockTimeoutSeconds, WardConfigStore } from './wardConfig';

export type { CoreConfig, WardCore } from './shellContract';

export function createCore(config: CoreConfig): WardCore {
  const dataDir = config.dataDir;
  const events = new EventHub();
  const node = new WardNode(join(dataDir, 'chain'));
  const wardConfig = new WardConfigStore(dataDir);
  const identity = new IdentityService(dataDir, node, wardConfig, config.keystoreScryptN ?? 2 ** 17);
  const sessions = new SessionManager(events, () => wardConfig.get()?.lockTimeoutSeconds ?? defaultLockTimeoutSeconds);
  const store = new RecordStore(dataDir);
  const admissions = new Admissions(dataDir);
  let contractsCache: WardContracts | null = null;
  const contracts = (): WardContracts => {
    const c = wardConfig.get();
    if (!c) throw new WardError('CONFLICT', 'The ward has not been set up yet.');
    if (!contractsCache || contractsCache.anchors.target !== c.contracts.anchors) {
      contractsCache = new WardContracts(c.contracts.anchors, c.contracts.ledger, node.provider);
    }
    return contractsCache;
  };
  let station: ethers.Wallet | null = null;
  const stationSigner = (): ethers.Signer => {
    station ??= loadStationKey(dataDir);
    if (!station) throw new WardError('CONFLICT', 'This workstation has no anchoring key; the ward is not set up.');
    return station.connect(node.provider);
  };
  const anchorQueue = new AnchorQueue(store, contracts, stationSigner);
  const records = new RecordService(store, anchorQueue, identity, admissions, contracts);
  const consent = new ConsentService(store, contracts, identity, () => node.provider);
  const audit = new AuditTrail(store, contracts, identity, () => node.provider, (p) => records.patientRefOf(p));
  const simulationEnabled = !!config.demo || (config.simulate?.length ?? 0) > 0;
  const backend = new CompositeBackend(config.usb === false ? null : createNodeHidBackend(), new SimulatedHidBus());
  let changeTimer: NodeJS.Timeout | null = null;
  const devicesChanged = () => {
    // Coalesce bursts (a stream, a download) into at most a few events a second.
    changeTimer ??= setTimeout(() => {
      changeTimer = null;
      events.broadcast({ type: 'devices.changed' });
    }, 250);
  };
  const ingest = new StationIngestQueue(records, () => stationSigner() as ethers.Wallet);
  const devices = new DeviceService(
    backend,
    records,
    ingest,
    devicesChanged,
    simulationEnabled,
    config.devicePollMs ?? 1000,
  );
  const router = new Router(
    createHandlers({ node, config: wardConfig, identity, sessions, store, records, consent, audit, admissions, devices }),
    sessions,
    (channel, operation, label, fraction) => events.publish(channel, { type: 'progress', operation, label, fraction }),
  );

  let release: (() => Promise<void>) | null = null;
  let state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  return {
    dataDir,

    async start() {
      if (state !== 'new') throw new Error('A core is started once.');
      state = 'starting';
      release = await lockDataDir(dataDir);
      try {
        await useFastKeccak();
        await node.start();
        wardConfig.load();
        await identity.checkDeployment();
        const entries = store.open();
        if (identity.initialized) await anchorQueue.resume();
        else if (config.demo) {
          await seedDemoWard({ identity, records, admissions, provider: node.provider });
          log('info', 'demo.seeded', { records: store.records.size });
        }
        log('info', 'records.opened', { entries });
        sessions.start(config.lockCheckIntervalMs ?? 1000);
        devices.start();
        for (const name of config.simulate ?? []) await devices.plugSimulator(simulatorAliases[name] ?? name);
      } catch (e) {
        store.close();
        await node.stop().catch(() => undefined);
        await release();
        release = null;
        state = 'stopped';
        throw e;
      }
      state = 'running';
      log('info', 'core.started', { initialized: identity.initialized });
    },

    async stop() {
      if (state === 'stopped' || state === 'new') {
        state = 'stopped';
        return;
      }
      state = 'stopped';
      sessions.stop();
      if (changeTimer) clearTimeout(changeTimer);
      await devices.stop();
      records.closeAll();
      store.close();
      await node.stop();
      await release?.();
      release = null;
      log('info', 'core.stopped');
    },

    call(ctx, operation, input) {
      if (state !== 'running') return Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: 'WardLedger is not running.' } });
      return router.call(ctx, operation, input);
    },

    subscribe(channel, listener) {
      return events.subscribe(channel, listener);
    },
  };
}
