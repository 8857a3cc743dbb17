/**
 * Transfer of care between wards over the hospital consortium (docs/consortium.md).
 *
 * Sending ward: a nurse or doctor who may read the patient picks the receiving ward from the
 * consortium directory (by name) and gives a reason. With their care team key unlocked, each of
 * the patient's key scopes is re-wrapped for the receiving ward's care team (scope grants) and a
 * transfer note (name, date of birth, hospital number, reason, who) is sealed for it; both are kept
 * sealed in the store and published as grants, with a share grant for every already published
 * share of the patient (share keys derive from the ward's share secret: no clinician key needed).
 * The patient becomes a standing recipient: every later batch carries a share grant for the
 * receiving ward (StoreOutbox recipientsOf). Offline, the transfer is queued and sent when the
 * consortium is reachable; a ward that has left the directory is refused.
 *
 * The receiving ward's side is records/incomingTransfers.ts. A patient's own share with a clinician
 * of another ward (records/crossWardShares.ts) is kept and sent by the same machinery: a standing
 * entry whose reader is that person's key instead of the receiving ward's care team.
 *
 * Kept in the store's state: `consortium.transfersOut` (a small list), and the last directory
 * read, `consortium.directory`, so that a ward can be chosen and a transfer queued while the
 * consortium is unreachable.
 */
import { randomBytes } from 'node:crypto';
import { ethers } from 'ethers';
import type { ConsortiumClient } from '../consortium/client';
import { makeScopeGrant, makeTransferGrant, type TransferNote } from '../consortium/grants';
import { directoryInterface } from '../consortium/ledgerAbi';
import { deriveShareKey, type ConsortiumContext } from '../consortium/sealing';
import { encodeGrant, type ShareGrant, type ShareHeader } from '../consortium/payload';
import { sealShareOrScopeGrant, type PublisherKeys, type ShareRecipient } from '../consortium/batch';
import { unwrapScopeKey } from '../crypto/keyScope';
import type { Actor } from '../identity/actor';
import type { People } from '../identity/people';
import type { ConsortiumWard, CrossWardPerson, OutgoingTransfer, TransferTargets } from '../model/consortium';
import { WardError } from '../model/errors';
import { log } from '../platform/log';
import type { WardStore } from '../storage/wardStore';
import type { AccessPolicy } from './access';
import type { AuditTrail } from './auditTrail';

/** What the running consortium link offers a transfer (records/consortiumSync.ts link()). */
export interface ConsortiumLink {
  client: ConsortiumClient;
  context: ConsortiumContext;
  keys: PublisherKeys;
  online(): boolean;
}

/** A ward as the directory lists it. */
export interface DirectoryWard extends ConsortiumWard {
  syncPublicKey: string;
  teamPublicKey: string;
  active: boolean;
}

interface KeptDirectory {
  at: number;
  wards: DirectoryWard[];
}

/** A person of another ward a patient shares with (the directory's recipient: key and published name). */
export interface DirectoryPerson {
  publicKey: string;
  name: string;
}

/**
 * A standing grant kept by the sending ward: a transfer of care (to a ward's care team), or a
 * patient's share with one person of another ward (`person`).
 */
export interface TransferOutEntry {
  id: string;
  patient: string;
  to: DirectoryWard;
  /** The reader on the receiving ward when it is one person (a patient's cross-ward share); else its care team. */
  person?: DirectoryPerson | null;
  reason: string;
  by: string;
  at: number;
  /** Scope grants and the transfer note, sealed for the receiving reader (0x hex); emptied once published. */
  pending: string[];
  /** The patient's key scopes sealed for the reader so far (absent in entries kept before it was recorded). */
  scopesSealed?: string[];
  sentAt: number | null;
  failed: string | null;
  /** Set when the patient stopped a share: nothing more is granted (what was granted stays readable). */
  revokedAt?: number | null;
  /** Shares already granted to the receiving ward: `batchId:index`. */
  sharesGranted: string[];
}

const OUT = 'consortium.transfersOut';
const RECIPIENT_ADDED = directoryInterface.getEvent('RecipientAdded')!.topicHash;
const RECIPIENT_REMOVED = directoryInterface.getEvent('RecipientRemoved')!.topicHash;
const DIRECTORY = 'consortium.directory';
/** Grants per transaction, well under the node's 128 KiB (a share grant is at most a few KiB). */
const GRANT_BYTES_PER_TX = 64 * 1024;
/** How old the kept directory may grow while the consortium is reachable. */
const DIRECTORY_REFRESH_MS = 60_000;
const QUEUED = 'Queued: it will be sent when the consortium is reachable.';

export interface CareTransfersDeps {
  store: () => WardStore;
  link: () => ConsortiumLink | null;
  people: People;
  access: AccessPolicy;
  audit: AuditTrail;
  /** A patient's public key (the transfer note carries it: the receiving ward writes for them too). */
  patientKey: (patient: string) => Promise<string>;
}

export class CareTransfers {
  /** Standing recipients by patient (lowercase), from the kept transfers out. */
  private recipients = new Map<string, ShareRecipient[]>();
  /** Standing entries by patient (lowercase): what a new scope is sealed for, at once. */
  private standingOf = new Map<string, Array<{ id: string; recipient: ShareRecipient }>>();
  private sending: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly d: CareTransfersDeps) {}

  // ---------------------------------------------------------------------------- standing recipients

  /** Read the kept transfers (before the sync engine plans its first batch). */
  async load(): Promise<void> {
    this.index(await this.outList());
  }

  /** Who receives this patient's records besides this ward: the wards it was transferred to. */
  recipientsOf(patient: string): ShareRecipient[] {
    return this.recipients.get(patient.toLowerCase()) ?? [];
  }

  private index(list: TransferOutEntry[]): void {
    const m = new Map<string, ShareRecipient[]>();
    const entries = new Map<string, Array<{ id: string; recipient: ShareRecipient }>>();
    for (const t of list) {
      if (!standing(t)) continue;
      const k = t.patient.toLowerCase();
      const to = recipientOf(t);
      entries.set(k, [...(entries.get(k) ?? []), { id: t.id, recipient: to }]);
      const have = m.get(k) ?? [];
      if (!have.some((r) => r.ward.toLowerCase() === to.ward.toLowerCase() && r.readerPublicKey === to.readerPublicKey)) m.set(k, [...have, to]);
    }
    this.recipients = m;
    this.standingOf = entries;
  }

  /**
   * A new scope of a transferred or shared patient (records/scopeKeys.ts onNewScope): sealed for
   * each standing reader at once, while the key is at hand, and sent with the entry's next grants.
   * Without a running consortium link nothing can be sealed then; `grantMissingScopes` does it
   * when the link is back and a key that opens the scope is at hand.
   */
  scopeCreated(patient: string, scopeId: string, rawKey: Uint8Array): void {
    const link = this.d.link();
    if (!link || this.recipientsOf(patient).length === 0) return;
    const p = ethers.getAddress(patient);
    // Sealed now: the keyring zeroes the key as soon as this returns.
    const sealed = new Map((this.standingOf.get(p.toLowerCase()) ?? []).map((e) => [e.id, hex(makeScopeGrant(link.context, link.keys, e.recipient, p, scopeId, rawKey))]));
    this.updateOut((list) => list.map((x) => (sealed.has(x.id) && standing(x) && !(x.scopesSealed ?? []).includes(scopeId) ? withScope(x, scopeId, sealed.get(x.id)!) : x))).catch(() =>
      log('warn', 'consortium.transfer.scopeGrantNotKept', {}),
    );
  }

  /**
   * Seal for its reader every scope of a standing entry's patient not sealed yet: scopes made while
   * the consortium was not set up (or its settings were damaged), when nothing could seal them.
   * Run when the engine starts (with the keys this process holds open, e.g. the station's current
   * scopes) and at each clinician's or patient's login (with their keys). Scopes no given key opens
   * wait for the next pass. Returns how many were sealed; what was sealed is sent at once (not awaited).
   */
  async grantMissingScopes(open: (scopeId: string) => Promise<Uint8Array | null>): Promise<number> {
    const link = this.d.link();
    if (!link) return 0;
    const store = this.d.store();
    const sealed = new Map<string, Array<{ scopeId: string; grant: string }>>();
    for (const t of await this.outList()) {
      if (!standing(t)) continue;
      const have = new Set(t.scopesSealed ?? []);
      for (const scopeId of await store.scopesOf(t.patient)) {
        if (have.has(scopeId)) continue;
        const raw = await open(scopeId);
        if (!raw) continue;
        try {
          sealed.set(t.id, [...(sealed.get(t.id) ?? []), { scopeId, grant: hex(makeScopeGrant(link.context, link.keys, recipientOf(t), t.patient, scopeId, raw)) }]);
        } finally {
          raw.fill(0);
        }
      }
    }
    if (sealed.size === 0) return 0;
    let count = 0;
    await this.updateOut((list) =>
      list.map((x) => {
        let y = x;
        for (const g of sealed.get(x.id) ?? []) {
          if ((y.scopesSealed ?? []).includes(g.scopeId)) continue; // sealed meanwhile (a new scope's hook)
          y = withScope(y, g.scopeId, g.grant);
          count++;
        }
        return y;
      }),
    );
    log('info', 'consortium.transfer.missingScopesSealed', { scopes: count });
    void this.sendPending().catch(() => undefined); // the interval tries again
    return count;
  }

  /** `grantMissingScopes` with a reader's private keys (at login: the care team key, their own). */
  grantMissingScopesWith(privateKeys: Array<string | null>): Promise<number> {
    return this.grantMissingScopes(async (scopeId) => {
      const scope = await this.d.store().scope(scopeId);
      for (const k of scope ? privateKeys : []) {
        if (!k) continue;
        try {
          return unwrapScopeKey(scope!, k);
        } catch {
          // not a reader with this key
        }
      }
      return null;
    });
  }

  /** Send what waits every `everyMs` while the core runs (the engine's own round takes care of new batches). */
  start(everyMs = 5000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sendPending().catch(() => undefined), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sending?.catch(() => undefined);
  }

  // ---------------------------------------------------------------------------- directory

  /** The wards a patient can go to: the directory from the node, or as last read when offline. */
  async targets(): Promise<TransferTargets> {
    const { wards, at, online } = await this.directory();
    const own = this.d.link()?.keys.account.toLowerCase();
    return { wards: wards.filter((w) => w.active && w.account.toLowerCase() !== own).map(({ account, name }) => ({ account, name })), asOf: at, online };
  }

  private async directory(): Promise<{ wards: DirectoryWard[]; at: number | null; online: boolean }> {
    const link = this.d.link();
    if (link?.online()) {
      try {
        const wards = await readDirectory(link.client);
        const kept: KeptDirectory = { at: Date.now(), wards };
        await this.d.store().write((w) => w.state(DIRECTORY, kept));
        return { wards, at: kept.at, online: true };
      } catch (e) {
        log('warn', 'consortium.transfer.directoryUnread', { code: e instanceof WardError ? e.code : 'unknown' });
      }
    }
    const kept = await this.d.store().state<KeptDirectory>(DIRECTORY);
    return { wards: kept?.wards ?? [], at: kept?.at ?? null, online: false };
  }

  // ---------------------------------------------------------------------------- sending ward

  /**
   * Transfer a patient to another ward. Needs the actor's care team key (it opens the patient's
   * scopes) and read access to the patient. Audited on this ward's chain. Never an error because
   * the consortium is unreachable: the transfer is then queued.
   */
  async transferOut(actor: Actor, patient: string, toWard: string, reason: string): Promise<OutgoingTransfer> {
    if (actor.role !== 'nurse' && actor.role !== 'doctor') throw new WardError('FORBIDDEN', 'Only a nurse or a doctor can transfer a patient.');
    const p = ethers.getAddress(patient);
    this.d.access.basis(actor, p);
    if (!actor.teamKey) throw new WardError('FORBIDDEN', 'Transferring a patient needs the care team key: unlock your session again.');
    const link = this.d.link();
    if (!link) throw new WardError('CONFLICT', 'This ward is not connected to a hospital consortium: ask the IT admin to set it up (Ward administration → Hospital consortium).');
    const { wards } = await this.directory();
    const to = wards.find((w) => w.account.toLowerCase() === toWard.toLowerCase());
    if (!to || !to.active) {
      throw new WardError('CONFLICT', `${to ? to.name : 'That ward'} is not a member of the hospital consortium (any more): the patient cannot be transferred there. Choose another ward, or ask IT.`, { fields: { ward: 'Not a member of the consortium.' } });
    }
    if (to.account.toLowerCase() === link.keys.account.toLowerCase()) throw new WardError('BAD_INPUT', 'The patient is already on this ward.', { fields: { ward: 'This ward.' } });
    const list = await this.outList();
    if (list.some((t) => t.patient === p && t.to.account.toLowerCase() === to.account.toLowerCase() && !t.failed && !t.person)) {
      throw new WardError('CONFLICT', `This patient has already been transferred to ${to.name}.`);
    }

    const person = await this.d.people.namesFor(actor).person(p);
    const at = Date.now();
    const note: TransferNote = { name: person.name, dob: person.dob ?? null, hospitalNumber: person.hospitalNumber ?? null, reason, by: `${actor.name} (${actor.role})`, at, publicKey: (await this.d.patientKey(p)).toLowerCase() };
    // Audited first: a transfer not on the ward chain did not happen.
    await this.d.audit.record(actor, p, 'export', { reason: `Transfer of care to ${to.name}: ${reason}` });
    const saved = await this.addStanding({ patient: p, to, person: null, reason, by: actor.address, at }, actor.teamKey, note);
    log('info', 'consortium.transfer.out', { scopes: saved.scopesSealed?.length ?? 0 });
    return this.outView(saved);
  }

  /**
   * Keep and send a new standing entry: each of the patient's scopes that `readerKey` opens sealed
   * for the entry's reader, and the note (who the patient is) sealed for it. Sent at once when the
   * consortium answers, else queued. The caller has checked the actor's right and audited it.
   */
  async addStanding(base: Pick<TransferOutEntry, 'patient' | 'to' | 'person' | 'reason' | 'by' | 'at'>, readerKey: string, note: TransferNote): Promise<TransferOutEntry> {
    const link = this.d.link();
    if (!link) throw new WardError('CONFLICT', 'This ward is not connected to a hospital consortium: ask the IT admin to set it up (Ward administration → Hospital consortium).');
    const recipient = recipientOf(base);
    const pending: string[] = [];
    const scopesSealed: string[] = [];
    const store = this.d.store();
    for (const scopeId of await store.scopesOf(base.patient)) {
      const scope = await store.scope(scopeId);
      if (!scope) continue;
      let raw: Uint8Array;
      try {
        raw = unwrapScopeKey(scope, readerKey);
      } catch {
        continue; // a scope this key is no reader of (none are made so; an imported one): the next pass
      }
      try {
        pending.push(hex(makeScopeGrant(link.context, link.keys, recipient, base.patient, scopeId, raw)));
        scopesSealed.push(scopeId);
      } finally {
        raw.fill(0);
      }
    }
    pending.push(hex(makeTransferGrant(link.context, link.keys, recipient, base.patient, note)));
    const entry: TransferOutEntry = { ...base, id: randomBytes(8).toString('hex'), pending, scopesSealed, sentAt: null, failed: null, revokedAt: null, sharesGranted: [] };
    await this.updateOut((latest) => [...latest, entry]);
    await this.sendPending();
    let saved = (await this.outList()).find((t) => t.id === entry.id)!;
    // A run that had started before this entry was kept did not see it: once more.
    if (!saved.sentAt && !saved.failed && link.online()) {
      await this.sendPending();
      saved = (await this.outList()).find((t) => t.id === entry.id)!;
    }
    return saved;
  }

  /** The kept standing entries (transfers and patients' cross-ward shares), oldest first. */
  standingEntries(): Promise<TransferOutEntry[]> {
    return this.outList();
  }

  /** Stop an entry going forward: its unsent grants are dropped, later batches carry none for it. */
  async stopEntry(id: string, at: number): Promise<TransferOutEntry | undefined> {
    await this.updateOut((list) => list.map((x) => (x.id === id && !x.revokedAt ? { ...x, revokedAt: at, pending: [] } : x)));
    return (await this.outList()).find((t) => t.id === id);
  }

  /** Transfers out of patients this actor may read, newest first (for the board and the patient's record). */
  async outgoing(actor: Actor, patient?: string): Promise<OutgoingTransfer[]> {
    const list = (await this.outList()).filter((t) => !t.person && (!patient || t.patient.toLowerCase() === patient.toLowerCase()) && this.d.access.mayRead(actor, t.patient));
    return list.reverse().map((t) => this.outView(t));
  }

  private outView(t: TransferOutEntry): OutgoingTransfer {
    const status = t.failed ? 'failed' : t.sentAt ? 'sent' : 'queued';
    const message = t.failed ?? (t.sentAt ? `Sent to ${t.to.name}; it waits there to be admitted.` : QUEUED);
    return { id: t.id, patient: t.patient, to: { account: t.to.account, name: t.to.name }, reason: t.reason, by: t.by, at: t.at, status, message, sentAt: t.sentAt, sharesGranted: t.sharesGranted.length };
  }

  /**
   * Publish what waits: each transfer's sealed scope grants and note, and a share grant for each
   * published share of the patient not yet granted (shares published before the transfer, and any
   * batch prepared before it that carried no grant for the ward). Offline: nothing, quietly.
   * One run at a time.
   */
  sendPending(): Promise<void> {
    this.sending ??= this.sendAll().finally(() => (this.sending = null));
    return this.sending;
  }

  private async sendAll(): Promise<void> {
    const link = this.d.link();
    if (!link || !link.online()) return;
    // Keep the directory fresh while online, so the wards can be chosen (and a transfer queued) offline.
    const kept = await this.d.store().state<KeptDirectory>(DIRECTORY);
    let directory: DirectoryWard[] | null = null;
    if (!kept || Date.now() - kept.at > DIRECTORY_REFRESH_MS) {
      const fresh = await this.directory();
      if (fresh.online) directory = fresh.wards; // read once: the sends below use it too
    }
    const list = await this.outList();
    let people: CrossWardPerson[] | null = null;
    for (const t of list) {
      if (!standing(t)) continue;
      const shares = (await this.d.store().consortiumShares(t.patient)).filter((s) => s.ward.toLowerCase() === link.keys.account.toLowerCase() && !t.sharesGranted.includes(`${s.batchId}:${s.index}`));
      if (t.pending.length === 0 && shares.length === 0) continue;
      directory ??= await readDirectory(link.client).catch(() => null);
      if (!directory) return; // unreachable after all: next time
      const to = directory.find((w) => w.account.toLowerCase() === t.to.account.toLowerCase());
      if (t.person && to?.active) {
        // A person withdrawn from the directory receives nothing more (what they had stays theirs).
        people ??= await readPeople(link.client, directory).catch(() => null);
        if (!people) return;
        if (!people.some((x) => x.publicKey.toLowerCase() === t.person!.publicKey.toLowerCase())) {
          await this.updateOut((latest) => latest.map((x) => (x.id === t.id ? { ...x, failed: `Not sent: ${t.person!.name} is no longer in the hospital directory (${t.to.name} withdrew them). What they received before stays readable to them.`, pending: [] } : x)));
          continue;
        }
      }
      if (!to?.active) {
        await this.updateOut((latest) => latest.map((x) => (x.id === t.id ? { ...x, failed: `Not sent: ${t.to.name} is no longer a member of the hospital consortium.${t.person ? '' : ' Choose another ward.'}`, pending: [] } : x)));
        continue;
      }
      const recipient = recipientOf(t);
      const grants = [...t.pending.map((g) => ethers.getBytes(g))];
      for (const s of shares) {
        const shareKey = deriveShareKey(link.keys.shareSecret, link.context, link.keys.account, s.batchId, s.index);
        const grant: ShareGrant = { kind: 'share', reader: recipient.readerPublicKey, batchWard: link.keys.account, batchId: s.batchId, batchBlock: s.block, shareIndex: s.index, first: s.first, count: s.count, shareKey, shareProof: s.shareProof, header: s.header as ShareHeader };
        grants.push(sealShareOrScopeGrant(encodeGrant(grant), link.context, link.keys, recipient));
        shareKey.fill(0);
      }
      let sent = 0;
      for (const chunk of chunks(grants)) {
        const outcome = await link.client.publishGrants(`transfer:${t.id}:${t.sharesGranted.length + shares.length}:${sent}`, chunk);
        if (outcome.status === 'offline') return;
        if (outcome.status === 'failed') {
          log('warn', 'consortium.transfer.refused', { code: outcome.error.code });
          return;
        }
        sent += chunk.length;
      }
      // Only what was sent leaves the list: a scope created meanwhile keeps its grant for next time.
      const sentPending = new Set(t.pending);
      const granted = shares.map((s) => `${s.batchId}:${s.index}`);
      await this.updateOut((latest) => latest.map((x) => (x.id === t.id && !x.revokedAt ? { ...x, pending: x.pending.filter((g) => !sentPending.has(g)), sentAt: x.sentAt ?? Date.now(), sharesGranted: [...x.sharesGranted, ...granted] } : x)));
      log('info', 'consortium.transfer.sent', { grants: grants.length });
    }
  }

  private async outList(): Promise<TransferOutEntry[]> {
    return (await this.d.store().state<TransferOutEntry[]>(OUT)) ?? [];
  }

  /** Change the kept transfers out: one change at a time, each on the latest list. */
  private updateOut(change: (list: TransferOutEntry[]) => TransferOutEntry[]): Promise<void> {
    const run = this.outWrites.then(async () => {
      const list = change(await this.outList());
      await this.d.store().write((w) => w.state(OUT, list));
      this.index(list);
    });
    this.outWrites = run.catch(() => undefined);
    return run;
  }

  private outWrites: Promise<void> = Promise.resolve();
}

/** Who an entry's grants are for: one person of the receiving ward, or its care team. */
function recipientOf(t: Pick<TransferOutEntry, 'to' | 'person'>): ShareRecipient {
  return { ward: t.to.account, wardSyncPublicKey: t.to.syncPublicKey, readerPublicKey: t.person?.publicKey ?? t.to.teamPublicKey };
}

/** Whether an entry still grants what is published later (not failed, not stopped by the patient). */
function standing(t: TransferOutEntry): boolean {
  return !t.failed && !t.revokedAt;
}

function withScope(t: TransferOutEntry, scopeId: string, grant: string): TransferOutEntry {
  return { ...t, pending: [...t.pending, grant], scopesSealed: [...(t.scopesSealed ?? []), scopeId] };
}

/** The directory's wards (active and removed), from the node. @throws NodeUnreachable. */
export async function readDirectory(client: ConsortiumClient): Promise<DirectoryWard[]> {
  const directory = await client.directory();
  const count = Number((await client.call(directory, directoryInterface, 'wardCount', []))[0]);
  const wards: DirectoryWard[] = [];
  for (let i = 0; i < count; i++) {
    const account = ethers.getAddress(String((await client.call(directory, directoryInterface, 'wardAt', [i]))[0]));
    const [w] = await client.call(directory, directoryInterface, 'ward', [account]);
    wards.push({ account, name: String(w.name), syncPublicKey: String(w.syncPublicKey), teamPublicKey: String(w.teamPublicKey), active: Number(w.removedAt) === 0 && Number(w.activeSince) !== 0 });
  }
  return wards;
}

/**
 * The directory's people (RecipientAdded/RecipientRemoved, in order) whose ward is an active
 * member, with the ward's name. @throws NodeUnreachable.
 */
export async function readPeople(client: ConsortiumClient, wards: DirectoryWard[]): Promise<CrossWardPerson[]> {
  const directory = await client.directory();
  const head = await client.blockNumber();
  const byHash = new Map<string, { publicKey: string; name: string; ward: string } | null>();
  for await (const page of client.logs({ address: directory, topics: [[RECIPIENT_ADDED, RECIPIENT_REMOVED]] }, 0, head)) {
    const logs = [...page.logs].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
    for (const l of logs) {
      const e = directoryInterface.parseLog(l);
      if (!e) continue;
      const keyHash = String(e.args.keyHash);
      byHash.set(keyHash, e.name === 'RecipientAdded' ? { publicKey: String(e.args.publicKey).toLowerCase(), name: String(e.args.name), ward: String(e.args.ward) } : null);
    }
  }
  const active = new Map(wards.filter((w) => w.active).map((w) => [w.account.toLowerCase(), w]));
  const out: CrossWardPerson[] = [];
  for (const p of byHash.values()) {
    const w = p && active.get(p.ward.toLowerCase());
    if (p && w) out.push({ publicKey: p.publicKey, name: p.name, ward: { account: w.account, name: w.name } });
  }
  return out.sort((a, b) => a.ward.name.localeCompare(b.ward.name) || a.name.localeCompare(b.name));
}

function* chunks(grants: Uint8Array[]): Generator<Uint8Array[]> {
  let chunk: Uint8Array[] = [];
  let bytes = 0;
  for (const g of grants) {
    if (chunk.length > 0 && bytes + g.length > GRANT_BYTES_PER_TX) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(g);
    bytes += g.length;
  }
  if (chunk.length > 0) yield chunk;
}

function hex(b: Uint8Array): string {
  return '0x' + Buffer.from(b).toString('hex');
}
