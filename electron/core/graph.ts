/**
 * The core's object graph: every service of one ward, built from its data directory. The running
 * core (core.ts), the command line and the tests all build it here, so the wiring exists once.
 * `open()` brings up what every user needs first (data-dir lock → the ward chain opening on its
 * own thread, meanwhile fast keccak → ward config → record store, migrated from the old log once;
 * then the chain's deployment check and the check of migrated records);
 * `close()` takes it down again.
 */
import { join } from 'node:path';
import type { ethers } from 'ethers';
import { createHandlers } from './api/handlers';
import { Router } from './api/router';
import { WardContracts } from './chain/wardContracts';
import { WardNode } from './chain/wardNode';
import { useFastKeccak } from './crypto/keccak';
import { StoreBindings } from './records/bedBindingStore';
import { CompositeBackend } from './devices/compositeBackend';
import { DeviceService } from './devices/deviceService';
import { SimulatedHidBus } from './devices/simulators/bus';
import { createNodeHidBackend } from './devices/transport/nodeHid';
import { Approvals } from './identity/approvals';
import { IdentityService } from './identity/identityService';
import { People } from './identity/people';
import { SessionManager } from './identity/sessions';
import { loadStationKey } from './identity/stationKey';
import { WardConfigStore } from './identity/wardConfig';
import { WardError } from './model/errors';
import { lockDataDir } from './platform/dataDirLock';
import { EventHub } from './platform/eventHub';
import { IntentJournal } from './platform/intentJournal';
import { AccessPolicy } from './records/access';
import { AnchorQueue } from './records/anchorQueue';
import { AuditTrail } from './records/auditTrail';
import { ChainCheck } from './records/chainCheck';
import { ConsentService } from './records/consentService';
import { CareTransfers } from './records/careTransfer';
import { IncomingTransfers } from './records/incomingTransfers';
import { CrossWardShares } from './records/crossWardShares';
import { ConsortiumSync } from './records/consortiumSync';
import { ExportService } from './records/exportService';
import { PatientChart } from './records/patientChart';
import { Patients } from './records/patients';
import { RecordReader } from './records/recordReader';
import { RecordVerifier } from './records/recordVerifier';
import { RootsOnChain } from './records/rootsOnChain';
import { StoreAdmin } from './records/storeAdmin';
import { WardDisk } from './records/wardDisk';
import { BackupSchedule } from './records/backupSchedule';
import { MemberIndexBackfill } from './storage/memberIndexBackfill';
import { MigratedVitalsRefiling } from './records/storeUpgradeRefiling';
import { WardBackup } from './records/wardBackup';
import { openWardStore, verifyMigratedRecords, type StartupProgress } from './records/storeUpgrade';
import { RecordWriter } from './records/recordWriter';
import { ScopeKeyring } from './records/scopeKeys';
import { StationIngestQueue } from './records/stationIngestQueue';
import { StationBlocks } from './records/stationBlocks';
import { StationWriter } from './records/stationWriter';
import type { CoreConfig } from './shellContract';
import type { WardStore } from './storage/wardStore';
import { Admissions } from './ward/admissions';
import { Census } from './ward/census';
import { ObservationDrafts } from './ward/observationDrafts';
import { CareChanges, type CareLedger } from './ward/careChanges';
import { PatientLists } from './ward/patientLists';
import { WardBoard } from './ward/wardBoard';

export type CoreGraph = ReturnType<typeof buildCoreGraph>;

export function buildCoreGraph(config: CoreConfig) {
  const { dataDir } = config;
  const events = new EventHub();
  const node = new WardNode(join(dataDir, 'chain'));
  const wardConfig = new WardConfigStore(dataDir);
  const identity = new IdentityService(dataDir, node, wardConfig, config.keystoreScryptN ?? 2 ** 17);
  const sessions = new SessionManager(events, () => wardConfig.lockTimeoutSeconds);
  const people = new People(identity);
  /** The ward's record store, opened by open() (services reach it through this, never before). */
  let openStore: WardStore | null = null;
  const store = (): WardStore => {
    if (!openStore) throw new WardError('INTERNAL', 'The record store is not open.');
    return openStore;
  };
  const admissions = new Admissions(dataDir);
  /** Chain transactions whose local write is not done yet (settled at start and on retry). */
  const intents = new IntentJournal(dataDir);
  const approvals = new Approvals(identity, wardConfig, node, intents);

  let contractsCache: WardContracts | null = null;
  const contracts = (): WardContracts => {
    const c = wardConfig.get();
    if (!c) throw new WardError('CONFLICT', 'The ward has not been set up yet.');
    if (!contractsCache || contractsCache.anchors.target !== c.contracts.anchors) {
      contractsCache = new WardContracts(c.contracts.anchors, c.contracts.ledger, node.provider);
    }
    return contractsCache;
  };
  let stationKey: ethers.Wallet | null = null;
  /** The workstation's anchoring key, connected to the ward chain. */
  const station = (): ethers.Wallet => {
    stationKey ??= loadStationKey(dataDir);
    if (!stationKey) throw new WardError('CONFLICT', 'This workstation has no anchoring key; the ward is not set up.');
    return stationKey.connect(node.provider);
  };

  // Records: the pipeline's parts, then the services built on them.
  /** The workstation's anchoring key, once the ward is set up (read from disk once). */
  const stationWallet = () => (identity.initialized ? (stationKey ??= loadStationKey(dataDir)) : null);
  const stationPrivateKey = () => stationWallet()?.privateKey ?? null;
  const roots = new RootsOnChain(store, contracts, stationPrivateKey);
  const anchorQueue = new AnchorQueue(store, contracts, station, roots, { stationWindowMs: config.anchorWindowMs });
  const patients = new Patients(identity);
  const keyring = new ScopeKeyring(store, identity);
  const verifier = new RecordVerifier(store, roots, stationWallet);
  const access = new AccessPolicy(store, admissions);
  const reader = new RecordReader(store, keyring, verifier);
  const writer = new RecordWriter(store, patients, keyring, anchorQueue, verifier);
  const stationWriter = new StationWriter(store, patients, keyring, anchorQueue, verifier);
  const ingest = new StationIngestQueue(stationWriter, station);
  const stationBlocks = new StationBlocks(store, keyring, verifier);
  const chainCheck = new ChainCheck(store, contracts, identity, patients, stationPrivateKey, undefined, (root) => roots.isKnown(root));
  const audit = new AuditTrail(store, contracts, identity, () => node.provider, patients, access, people, admissions, chainCheck);
  const consent = new ConsentService(store, contracts, identity, () => node.provider, people, intents);
  const chart = new PatientChart(store, access, reader, writer, audit, people, admissions, chainCheck);
  const exports = new ExportService(node, identity, store, patients, access, reader, audit, people, station, () => consortium.settings());

  // The ward: care relationships are changed on the chain by the person acting, then locally.
  const careLedger = (): CareLedger => {
    const c = contracts();
    const as = (actor: { wallet: ethers.Wallet }) => actor.wallet.connect(node.provider);
    return {
      blockNumber: () => c.blockNumber(),
      admit: (actor, ref, doctor) => c.admit(as(actor), ref, doctor),
      assignDoctor: (actor, ref, doctor) => c.assignDoctor(as(actor), ref, doctor),
      discharge: (actor, ref) => c.discharge(as(actor), ref),
      careOf: (ref) => c.careOf(ref),
      findChange: (ref, actor, fromBlock) => c.findCareChange(ref, actor, fromBlock),
    };
  };
  const care = new CareChanges(admissions, identity, people, patients, intents, careLedger);
  const census = new Census(reader, verifier);
  const board = new WardBoard(admissions, identity, people, patients, access, census, writer, care, audit);
  const patientLists = new PatientLists(admissions, access, reader, census, people, audit);
  const drafts = new ObservationDrafts(chart);
  // The hospital consortium: started by the core when its settings exist (records/consortiumSync.ts).
  const consortium = new ConsortiumSync({
    dataDir,
    store,
    anchor: (records) => anchorQueue.anchor(records.map((record) => ({ record })), 'gathered'),
    stationKey: stationWallet,
    wardName: () => wardConfig.wardName,
    engine: config.consortiumEngine,
    transfers: (): CareTransfers => transfers,
    // A grant kept for one of this ward's people (a patient's cross-ward share) opens their access.
    transferKept: () => shares.load(),
    // Scopes of standing recipients not granted yet, opened with the keys this process holds.
    openScope: (scopeId: string) => keyring.openedRaw(scopeId),
  });
  // Transfers of care between wards: out (records/careTransfer.ts) and in (incomingTransfers.ts, whose
  // notes name the transferred patients here).
  const transfers: CareTransfers = new CareTransfers({ store, link: () => consortium.link(), people, access, audit, patientKey: async (p) => (await patients.keyOf(p)).publicKey });
  const shares: CrossWardShares = new CrossWardShares({
    store,
    link: () => consortium.link(),
    transfers,
    people,
    audit,
    staff: async () => (await people.approved(['nurse', 'doctor'])).flatMap((m) => {
      const s = identity.directory.staffName(m.address);
      return s && (m.role === 'nurse' || m.role === 'doctor') ? [{ address: m.address, name: s.name, role: m.role, publicKey: m.publicKey }] : [];
    }),
  });
  access.sharedAcrossWards = (patient, person) => shares.sharedWith(patient, person);
  const incoming = new IncomingTransfers({ store, teamPublicKey: () => identity.wardConfig.team.publicKey, audit, admit: (actor, patient, bed, doctor) => board.admitTransferred(actor, patient, { bed, responsibleDoctor: doctor }) });
  people.knowFrom((address, keys) => incoming.personOf(address, keys));
  patients.transferred = (address) => incoming.registeredKeyOf(address);
  keyring.onNewScope = (patient, scopeId, raw) => transfers.scopeCreated(patient, scopeId, raw);
  // Nobody logged in any more: the decrypted records of the last histories opened are dropped.
  sessions.onNoneLeft = () => verifier.forgetDecrypted();
  const disk = new WardDisk(store, dataDir);
  const storeAdmin = new StoreAdmin(store, dataDir, chainCheck, disk);
  const memberIndex = new MemberIndexBackfill(store);
  const refiling = new MigratedVitalsRefiling(store, (actor, entries) => reader.openEntries(actor, entries));
  const backup = new WardBackup(dataDir, node, store, storeAdmin, () => consortium.stateSnapshot());
  const backupSchedule = new BackupSchedule(store, backup, dataDir);
  storeAdmin.schedule = backupSchedule;

  // Devices: real USB (unless turned off) and the simulated bus; changes coalesced into at most a
  // few events a second (a stream or a download changes things many times a second).
  const backend = new CompositeBackend(config.usb === false ? null : createNodeHidBackend(), new SimulatedHidBus());
  let changeTimer: NodeJS.Timeout | null = null;
  const devicesChanged = () => {
    changeTimer ??= setTimeout(() => {
      changeTimer = null;
      events.broadcast({ type: 'devices.changed' });
    }, 250);
  };
  const simulationEnabled = !!config.demo || (config.simulate?.length ?? 0) > 0;
  const devices = new DeviceService(backend, writer, admissions, access, ingest, new StoreBindings(store, dataDir), devicesChanged, simulationEnabled, config.devicePollMs ?? 1000, () => wardConfig.maxReadingAgeDays);

  const router = new Router(
    createHandlers({ node, config: wardConfig, identity, approvals, sessions, board, patientLists, chart, drafts, consent, audit, exports, devices, storeAdmin, disk, refiling, backup, backupSchedule, consortium, transfers, incoming, shares }),
    sessions,
    (channel, operation, label, fraction) => events.publish(channel, { type: 'progress', operation, label, fraction }),
  );

  let release: (() => Promise<void>) | null = null;

  const graph = {
    dataDir,
    events,
    node,
    wardConfig,
    identity,
    approvals,
    sessions,
    people,
    admissions,
    intents,
    care,
    contracts,
    station,
    anchorQueue,
    patients,
    keyring,
    verifier,
    access,
    reader,
    writer,
    stationWriter,
    ingest,
    stationBlocks,
    audit,
    consent,
    chainCheck,
    chart,
    exports,
    census,
    storeAdmin,
    disk,
    refiling,
    backup,
    backupSchedule,
    consortium,
    transfers,
    incoming,
    shares,
    board,
    patientLists,
    drafts,
    devices,
    router,

    roots,
    /** The open record store (throws before open()). */
    get store(): WardStore {
      return store();
    },

    /**
     * Lock the data directory, open the chain and the record store (migrating an old log once,
     * then checking every migrated record).
     */
    async open(progress: (p: StartupProgress) => void = () => undefined): Promise<void> {
      release = await lockDataDir(dataDir);
      try {
        progress({ label: 'Opening the ward chain', fraction: null, step: 'opening' });
        // The chain opens on its own thread (chain/chainWorker.ts) while this thread opens what
        // does not need it: the settings, the record store, the station key (its first use builds
        // secp256k1's tables). The chain is waited for where it is first needed.
        node.begin();
        await useFastKeccak();
        wardConfig.load();
        progress({ label: 'Opening the record store', fraction: null, step: 'opening' });
        openStore = await openWardStore(dataDir, identity.initialized, progress);
        stationWallet();
        await node.start();
        await identity.checkDeployment();
        await shares.load(); // who a patient of another ward shared with (the access policy reads it)
        if (identity.initialized) await verifyMigratedRecords(openStore, (root) => roots.check(root), progress);
      } catch (e) {
        await graph.close();
        throw e;
      }
    },

    /**
     * After a crash between a chain transaction and its local write, or local state that differs
     * from the chain: settle from the chain, which is the truth (care relationships, consent,
     * approvals); then check the store against the chain (anchor batches, consent, audits:
     * records/chainCheck.ts), incrementally from the last block checked.
     */
    async reconcileWithChain(): Promise<void> {
      await approvals.reconcile();
      await consent.reconcile();
      await care.reconcile();
      await chainCheck.atStart();
      void memberIndex.start();
      stationBlocks.start();
      disk.start();
      await backupSchedule.start();
    },

    /** Drop the keys and decrypted records held, close the store and the chain, release the lock. */
    async close(): Promise<void> {
      if (changeTimer) clearTimeout(changeTimer);
      changeTimer = null;
      await consortium.stop().catch(() => undefined);
      anchorQueue.stop();
      await refiling.stop();
      await memberIndex.stop();
      await stationBlocks.stop();
      await disk.stop();
      await backupSchedule.stop();
      await chainCheck.settled(); // its sweep writes to the store
      if (!anchorQueue.anchoring) await chainCheck.advance();
      keyring.closeAll();
      verifier.forget();
      await openStore?.close().catch(() => undefined);
      openStore = null;
      await node.stop().catch(() => undefined);
      await release?.();
      release = null;
    },
  };
  return graph;
}
