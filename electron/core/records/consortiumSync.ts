/**
 * The ward's link to the hospital consortium chain, as the core runs it: the settings the IT admin
 * saves (node URL, ledger, chain id, confirmations; checked on save), the sync engine started with
 * the core when settings exist and stopped with it, the authors' consortium credentials (each
 * author signs one at login, once per consortium; the station signs its own) and what the IT
 * admin's console and the record view's badge show.
 *
 * Offline is a state of the engine (SyncEngine: backoff, retried), never an error of the core: the
 * core starts and runs whether or not the node answers.
 *
 * Files in the data directory: consortium.json (settings), consortium-credentials.json (the
 * authors' signed credentials: public statements, no key material), consortium-account.json (the
 * sync account, consortium/syncAccount.ts), consortium-sync/ (the engine's state) and the client's
 * in-flight transactions (consortium-tx-*).
 */
import { join } from 'node:path';
import type { ethers } from 'ethers';
import { z } from 'zod';
import { leafOfRecord, verifyConsortiumInclusion, type ShareRecipient } from '../consortium/batch';
import { ConsortiumClient } from '../consortium/client';
import { signCredential, type AuthorCredential } from '../consortium/credentials';
import { Publisher } from '../consortium/publisher';
import { Puller } from '../consortium/puller';
import { NodeUnreachable } from '../consortium/rpc';
import type { ConsortiumContext } from '../consortium/sealing';
import { loadOrCreateSyncAccount, type SyncAccount } from '../consortium/syncAccount';
import { SyncEngine, type SyncStatus } from '../consortium/syncEngine';
import { SyncState } from '../consortium/syncState';
import type { ConsortiumBadge, ConsortiumSettings, ConsortiumSettingsView, PublishedBatchPage, SyncConsoleView } from '../model/consortium';
import { WardError, type WardErrorCode } from '../model/errors';
import type { RecordView } from '../model/records';
import { readJson, writeJsonDurable } from '../platform/atomicFile';
import { log } from '../platform/log';
import type { WardStore } from '../storage/wardStore';
import type { ConsortiumPlace } from '../storage/storeTypes';
import type { StoredRecord } from '../storage/storedRecord';
import type { ConsortiumLink } from './careTransfer';
import { StoreInbox } from './consortiumInbox';
import { StoreOutbox } from './consortiumOutbox';

const settingsSchema = z.object({
  url: z.string().min(1),
  ledger: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  chainId: z.number().int().positive(),
  confirmations: z.number().int().min(1).max(64),
});
const credentialSchema = z.object({ member: z.string(), ward: z.string(), role: z.string(), since: z.number(), signature: z.string() });
const credentialsFileSchema = z.object({ v: z.literal(1), chainId: z.number(), ledger: z.string(), ward: z.string(), credentials: z.array(credentialSchema) });
type CredentialsFile = z.infer<typeof credentialsFileSchema>;

export interface ConsortiumSyncDeps {
  dataDir: string;
  store: () => WardStore;
  /** Anchor records received from other wards on this ward's chain. */
  anchor: (records: StoredRecord[]) => Promise<unknown>;
  /** The workstation's station key (signs the station's credential; re-signs its readings per share). */
  stationKey: () => ethers.Wallet | null;
  wardName: () => string;
  /** Transfers of care (records/careTransfer.ts): standing recipients of later batches, and their own sending. */
  transfers?: () => {
    load(): Promise<void>;
    recipientsOf(patient: string): ShareRecipient[];
    start(everyMs: number): void;
    stop(): Promise<void>;
    grantMissingScopes(open: (scopeId: string) => Promise<Uint8Array | null>): Promise<number>;
  };
  /** A transfer grant was kept (a patient's cross-ward share with one of this ward's people opens their access). */
  transferKept?: () => Promise<void>;
  /** The key of a scope this process holds open, or null (scopes of standing recipients not granted yet, at the engine's start). */
  openScope?: (scopeId: string) => Promise<Uint8Array | null>;
  /** Engine timings (tests). */
  engine?: { idleMs?: number; failureRetryMs?: number; pollMs?: number; requestTimeoutMs?: number };
}

interface Running {
  settings: ConsortiumSettings;
  context: ConsortiumContext;
  client: ConsortiumClient;
  state: SyncState;
  engine: SyncEngine;
}

export class ConsortiumSync {
  private running: Running | null = null;
  private account: SyncAccount | null = null;
  /** Roots the ledger holds, by ward and batch id (a root on chain never changes). */
  private readonly rootsOnChain = new Map<string, string>();
  /** Questions to the ledger in flight, by ward and batch id: a page of one batch's records asks once. */
  private readonly rootsAsked = new Map<string, Promise<string | null | undefined>>();

  constructor(private readonly d: ConsortiumSyncDeps) {}

  private get settingsPath(): string {
    return join(this.d.dataDir, 'consortium.json');
  }

  private get credentialsPath(): string {
    return join(this.d.dataDir, 'consortium-credentials.json');
  }

  settings(): ConsortiumSettings | null {
    return consortiumSettingsIn(this.d.dataDir);
  }

  private syncAccount(): SyncAccount {
    return (this.account ??= loadOrCreateSyncAccount(this.d.dataDir));
  }

  view(): ConsortiumSettingsView {
    let settings: ConsortiumSettings | null = null;
    try {
      settings = this.settings();
    } catch {
      // Damaged: the console says so; the form starts empty and saving mends it.
    }
    return { settings, account: this.syncAccount().wallet.address, wardName: this.d.wardName() };
  }

  /**
   * Start the engine when settings exist, with the core. Never fails the ward's start: an
   * unreachable node is the engine's offline state, and a damaged settings file or engine state is
   * shown in the console (with what to do) while the ward works on its own chain.
   */
  async start(): Promise<void> {
    try {
      this.startError = null;
      await this.startEngine();
    } catch (e) {
      const error = e instanceof WardError ? e : new WardError('INTERNAL', 'The consortium sync could not start.');
      log('error', 'consortium.sync.notStarted', { code: error.code });
      this.startError = { at: Date.now(), during: 'connect', code: error.code, cause: error.message };
    }
  }

  private startError: SyncConsoleView['errors'][number] | null = null;

  private async startEngine(): Promise<void> {
    const settings = this.settings();
    if (!settings || this.running) return;
    const account = this.syncAccount();
    const context = { chainId: settings.chainId, ledger: settings.ledger };
    const e = this.d.engine ?? {};
    const client = new ConsortiumClient({ url: settings.url, privateKey: account.wallet.privateKey, ledger: settings.ledger, stateDir: this.d.dataDir, expectedChainId: settings.chainId, confirmations: settings.confirmations, ...(e.pollMs ? { pollMs: e.pollMs } : {}), ...(e.requestTimeoutMs ? { requestTimeoutMs: e.requestTimeoutMs } : {}) });
    const state = await SyncState.open(join(this.d.dataDir, 'consortium-sync'));
    const station = this.d.stationKey();
    const transfers = this.d.transfers?.();
    try {
      if (station) this.credentialFor(station.signingKey, station.address, 'station', context);
      await transfers?.load();
    } catch (e) {
      await state.close();
      throw e;
    }
    const source = new StoreOutbox(this.d.store, {
      credentialOf: (author) => this.credentialOf(author, context),
      // Standing recipients: the wards each patient was transferred to (records/careTransfer.ts).
      ...(transfers ? { recipientsOf: (patient: string) => transfers.recipientsOf(patient) } : {}),
    });
    source.open(); // records are enqueued for the consortium from now on (and the backlog in the background)
    const keys = { account: account.wallet.address, privateKey: account.wallet.privateKey, shareSecret: account.shareSecret };
    const publisher = new Publisher({ client, state, source, keys, ...(station ? { station } : {}) });
    const puller = new Puller({ client, state, sink: new StoreInbox(this.d.store, this.d.anchor, this.d.transferKept), own: keys });
    const engine = new SyncEngine({ client, state, source, publisher, puller, ...(e.idleMs ? { idleMs: e.idleMs } : {}), ...(e.failureRetryMs ? { failureRetryMs: e.failureRetryMs } : {}) });
    this.running = { settings, context, client, state, engine };
    engine.start();
    transfers?.start(e.idleMs ?? 5000);
    // Scopes made while the consortium was not set up: granted now where this process holds the key
    // (the rest at the next login of a reader, api/handlers/session.ts).
    const openScope = this.d.openScope;
    if (transfers && openScope) void transfers.grantMissingScopes(openScope).catch(() => log('warn', 'consortium.transfer.missingScopesDeferred', {}));
    void this.d.transferKept?.().catch(() => undefined);
    log('info', 'consortium.sync.started', { chainId: settings.chainId });
  }

  /** The engine's state as of now, for a backup; null when the engine is not running (its database is closed, its files hold still). */
  stateSnapshot(): AsyncIterable<Array<[string, string]>> | null {
    return this.running?.state.snapshot() ?? null;
  }

  /** The running link for a transfer of care: client, consortium, this ward's keys; null when not set up. */
  link(): ConsortiumLink | null {
    const r = this.running;
    if (!r) return null;
    const account = this.syncAccount();
    return {
      client: r.client,
      context: r.context,
      keys: { account: account.wallet.address, privateKey: account.wallet.privateKey, shareSecret: account.shareSecret },
      online: () => r.engine.connectivity.state.status !== 'offline',
    };
  }

  async stop(): Promise<void> {
    const r = this.running;
    this.running = null;
    if (!r) return;
    await this.d.transfers?.().stop();
    await r.engine.stop();
    await r.state.close();
  }

  /**
   * Check settings against the node, then save them and (re)start the engine. Checked: the node
   * answers, its chain id is the one given, the ledger has code, and this ward's sync account is an
   * active ward of that consortium.
   */
  async configure(input: ConsortiumSettings): Promise<ConsortiumSettingsView> {
    const settings = settingsSchema.parse(input) as ConsortiumSettings;
    await this.check(settings);
    await this.stop();
    writeJsonDurable(this.settingsPath, settings);
    this.rootsOnChain.clear();
    this.startError = null;
    await this.startEngine();
    return this.view();
  }

  private async check(s: ConsortiumSettings): Promise<void> {
    let url: URL;
    try {
      url = new URL(s.url);
    } catch {
      throw fieldError('BAD_INPUT', 'url', 'The node address is not a URL (for example https://besu-rpc.hospital.local).');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fieldError('BAD_INPUT', 'url', 'The node address must start with http:// or https://.');
    const account = this.syncAccount().wallet.address;
    const client = new ConsortiumClient({ url: s.url, privateKey: this.syncAccount().wallet.privateKey, ledger: s.ledger, stateDir: this.d.dataDir, requestTimeoutMs: this.d.engine?.requestTimeoutMs ?? 10_000 });
    try {
      const chainId = await client.chainId();
      if (chainId !== s.chainId) throw fieldError('BAD_INPUT', 'chainId', `The node at ${s.url} runs chain ${chainId}, not chain ${s.chainId}. Check the chain id the consortium admin gave you.`);
      if (!(await client.hasCode(s.ledger))) throw fieldError('BAD_INPUT', 'ledger', `There is no contract at ${s.ledger} on chain ${chainId}. Check the ledger address the consortium admin gave you.`);
      let active: boolean;
      try {
        active = await client.isActiveWard(account);
      } catch (e) {
        if (e instanceof NodeUnreachable) throw e;
        throw fieldError('BAD_INPUT', 'ledger', `The contract at ${s.ledger} is not a WardLedger consortium ledger. Check the ledger address.`);
      }
      if (!active) throw fieldError('CONFLICT', 'account', `This ward's sync account ${account} is not an active ward of this consortium. Give the consortium admin this ward's card (wardledger consortium ward-card) to add it, then save again.`);
    } catch (e) {
      if (e instanceof NodeUnreachable) throw fieldError('CHAIN', 'url', `The consortium node at ${s.url} does not answer (${e.reason}). Check the address and that this workstation can reach it.`);
      throw e;
    }
  }

  // ------------------------------------------------------------------------------ credentials

  private readCredentials(context: ConsortiumContext): CredentialsFile {
    const ward = this.syncAccount().wallet.address;
    let file: CredentialsFile | undefined;
    try {
      file = readJson<CredentialsFile>(this.credentialsPath, credentialsFileSchema, 'The consortium credentials (consortium-credentials.json)');
    } catch {
      // Credentials are public statements each author signs again at the next login: start afresh.
      log('warn', 'consortium.credentials.damaged', {});
    }
    // Credentials count in one consortium, for one ward account: another one starts afresh.
    if (file && file.chainId === context.chainId && file.ledger.toLowerCase() === context.ledger.toLowerCase() && file.ward === ward) return file;
    return { v: 1, chainId: context.chainId, ledger: context.ledger, ward, credentials: [] };
  }

  private credentialOf(author: string, context: ConsortiumContext): AuthorCredential | undefined {
    return this.readCredentialsCached(context).credentials.find((c) => c.member.toLowerCase() === author.toLowerCase());
  }

  private cached: { key: string; file: CredentialsFile } | null = null;
  private readCredentialsCached(context: ConsortiumContext): CredentialsFile {
    const key = `${context.chainId}:${context.ledger.toLowerCase()}`;
    if (this.cached?.key !== key) this.cached = { key, file: this.readCredentials(context) };
    return this.cached.file;
  }

  /** Sign and keep the key owner's credential for the consortium, if they have none; true when one was signed. */
  private credentialFor(key: ethers.SigningKey, address: string, role: string, context: ConsortiumContext): boolean {
    const file = this.readCredentialsCached(context);
    const known = file.credentials.find((c) => c.member.toLowerCase() === address.toLowerCase());
    if (known && known.role === role) return false;
    const credential = signCredential(key, context, file.ward, role);
    file.credentials = [...file.credentials.filter((c) => c.member.toLowerCase() !== address.toLowerCase()), credential];
    writeJsonDurable(this.credentialsPath, file);
    return true;
  }

  /**
   * A person logged in (their key is unlocked): sign their credential once for the configured
   * consortium, and let records held back for want of it be tried again. Never fails a login.
   */
  async signedIn(wallet: ethers.Wallet, role: string): Promise<void> {
    const r = this.running;
    if (!r) return;
    try {
      if (this.credentialFor(wallet.signingKey, wallet.address, role, r.context)) await r.state.releaseHeld();
    } catch (e) {
      log('warn', 'consortium.credential.failed', { error: e instanceof WardError ? e.code : 'unknown' });
    }
  }

  // ------------------------------------------------------------------------------ console

  private engine(): SyncEngine {
    if (!this.running && this.startError) throw new WardError(this.startError.code as WardErrorCode, this.startError.cause);
    if (!this.running) throw new WardError('CONFLICT', 'The consortium is not set up on this ward. Save its settings first.');
    return this.running.engine;
  }

  async console(): Promise<SyncConsoleView> {
    if (!this.running) return this.startError ? { ...notConfigured, configured: true, connection: { ...notConfigured.connection, reason: this.startError.cause }, errors: [this.startError] } : notConfigured;
    return consoleView(await this.running.engine.status());
  }

  /** Run a round now; resolves when it has ended (offline: at once, with the reason in the console). */
  async syncNow(): Promise<SyncConsoleView> {
    await this.engine().syncNow();
    return this.console();
  }

  /** Older published batches, a page at a time (the console shows the newest page). */
  async olderBatches(before: string): Promise<PublishedBatchPage> {
    const page = await this.engine().historyPage(before);
    return { batches: page.entries, older: page.older };
  }

  async pause(): Promise<SyncConsoleView> {
    this.engine().pause();
    return this.console();
  }

  async resume(): Promise<SyncConsoleView> {
    this.engine().resume();
    return this.console();
  }

  // ------------------------------------------------------------------------------ badge

  /** The consortium badge of a record on the consortium (published here or received), from its place. */
  private async badgeOf(record: StoredRecord, place: ConsortiumPlace): Promise<ConsortiumBadge> {
    const included = verifyConsortiumInclusion(place.root, leafOfRecord(record), place.recordProof, place.shareProof);
    return { ward: place.ward, batchId: place.batchId, block: place.block, tx: place.tx, included, rootOnChain: await this.rootOnChain(place.ward, place.batchId, place.root), from: place.from ?? null };
  }

  /** The views with a consortium badge on each record that is on the consortium (new objects: views may be cached). */
  async withBadges(views: RecordView[]): Promise<RecordView[]> {
    const store = this.d.store();
    const places = await store.consortiumPlaces(views.map((v) => v.id));
    if (places.every((p) => !p)) return views;
    return Promise.all(
      views.map(async (v, i) => {
        if (!places[i]) return v;
        const entry = await store.entry(v.id, { proofs: false });
        return entry ? { ...v, provenance: { ...v.provenance, consortium: await this.badgeOf(entry.record, places[i]) } } : v;
      }),
    );
  }

  /**
   * Whether the ledger holds `root` for the ward's batch; null when the node cannot be asked now.
   * Bounded in time: a slow node must not hold up the record view. Found roots are cached (a root
   * on chain never changes).
   */
  private async rootOnChain(ward: string, batchId: string, root: string): Promise<boolean | null> {
    const r = this.running;
    if (!r || r.engine.connectivity.state.status !== 'online') return null;
    const key = `${ward.toLowerCase()}:${batchId}`;
    let onChain: string | null | undefined = this.rootsOnChain.get(key);
    if (onChain === undefined) {
      let asked = this.rootsAsked.get(key);
      if (!asked) {
        asked = r.client.batchOnChain(batchId, ward).then((b) => b?.root ?? null, () => undefined);
        this.rootsAsked.set(key, asked);
        void asked.finally(() => this.rootsAsked.delete(key));
      }
      const answer = await Promise.race([asked, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), BADGE_CHECK_MS).unref())]);
      if (answer === undefined) return null;
      onChain = answer;
      if (onChain !== null) this.rootsOnChain.set(key, onChain);
    }
    return onChain === root;
  }
}

/** The consortium settings saved in a ward's data directory, or null when it has none. @throws WardError('INTEGRITY') when damaged. */
export function consortiumSettingsIn(dataDir: string): ConsortiumSettings | null {
  return readJson<ConsortiumSettings>(join(dataDir, 'consortium.json'), settingsSchema, 'The consortium settings (consortium.json)', 'Save the consortium settings again on the IT admin screen.') ?? null;
}

/** How long the record view waits for the ledger's answer about one batch. */
const BADGE_CHECK_MS = 2000;

/** An error shown next to one field of the settings form (details.fields, as the forms read it). */
function fieldError(code: WardErrorCode, field: keyof ConsortiumSettings | 'account', message: string): WardError {
  return new WardError(code, message, { fields: { [field]: message } });
}

const notConfigured: SyncConsoleView = {
  configured: false,
  connection: { status: 'unknown', since: null, reason: null, failures: 0, retryAt: null, head: null },
  paused: false,
  activity: 'stopped',
  queue: 0,
  lastSuccess: null,
  currentBatch: null,
  pull: null,
  errors: [],
  history: [],
  olderHistory: null,
  quarantine: [],
  held: [],
};

function consoleView(s: SyncStatus): SyncConsoleView {
  const c = s.connection;
  return {
    configured: true,
    connection:
      c.status === 'online'
        ? { status: 'online', since: c.since, reason: null, failures: 0, retryAt: null, head: c.head }
        : c.status === 'offline'
          ? { status: 'offline', since: c.since, reason: c.reason, failures: c.failures, retryAt: c.retryAt, head: null }
          : { status: 'unknown', since: null, reason: null, failures: 0, retryAt: null, head: null },
    paused: s.paused,
    activity: s.activity,
    queue: s.queue,
    lastSuccess: s.lastSuccess,
    currentBatch: s.currentBatch ? { batchId: s.currentBatch.batchId, records: s.currentBatch.records, stage: s.currentBatch.stage, roundRecords: s.currentBatch.roundRecords, roundQueued: s.currentBatch.roundQueued } : null,
    pull: s.pull ? { checkpoint: s.pull.checkpoint, head: s.pull.head, grants: s.pull.grants, records: s.pull.records, quarantined: s.pull.quarantined } : null,
    errors: s.errors,
    history: s.history,
    olderHistory: s.olderHistory,
    quarantine: s.quarantine.map(({ what, ward, wardName, batchId, recordId, block, tx, cause, at }) => ({ what, ward, wardName, batchId, recordId, block, tx, cause, at })),
    held: s.held.map(({ id, cause, at }) => ({ id, cause, at })),
  };
}
