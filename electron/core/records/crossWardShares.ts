/**
 * A patient shares their record with one clinician of another ward (docs/consortium.md, "A
 * patient's share with a clinician of another ward"), "the same way" as a transfer of care:
 *
 * - **The directory names the people.** A ward's IT registers a clinician in the consortium
 *   directory with the key the share is sealed for and the name patients choose them by
 *   (`consortium/addPerson`, or `wardledger consortium add-person`). A clinician's name is staff
 *   information their own ward publishes; nothing of a patient goes there. The list is read from
 *   the node and kept in the store (`consortium.people`), so the patient can choose while offline.
 * - **Sending ward (the patient's).** The patient's own key opens their scopes; each is re-wrapped
 *   for the clinician's key, with a note (who the patient is) sealed for the same key, kept and
 *   published by the transfer machinery (records/careTransfer.ts `addStanding`): the clinician is a
 *   standing recipient, so every later batch carries a share grant for them. Audited on the
 *   patient's ward chain. Revoking stops what is granted from then on; what was already granted
 *   stays readable to the clinician (ciphertext on a chain cannot be taken back), and the patient
 *   is told so.
 * - **Receiving ward.** The puller keeps the grants for that person's key (records/consortiumInbox.ts).
 *   `sharedWithMe` lists what reached the clinician logged in: only grants sealed for their own key,
 *   the note opened with it. The access policy lets that clinician, and no one else on the ward,
 *   read the patient (a read-only basis: writing needs the patient admitted there).
 */
import { ethers } from 'ethers';
import type { TransferNote } from '../consortium/grants';
import { publicKeyOf } from '../crypto/envelope';
import type { Actor } from '../identity/actor';
import type { People } from '../identity/people';
import { addPerson, removePerson } from '../consortium/admin';
import type { CrossWardPeople, CrossWardPerson, CrossWardShare, DirectoryStaffView, SharedWithMe } from '../model/consortium';
import { WardError } from '../model/errors';
import { log } from '../platform/log';
import type { WardStore } from '../storage/wardStore';
import type { AuditTrail } from './auditTrail';
import { readDirectory, readPeople, type CareTransfers, type ConsortiumLink, type DirectoryWard, type TransferOutEntry } from './careTransfer';
import { receivedFrom, transfersIn } from './consortiumInbox';
import { openTransferNote } from './incomingTransfers';

const PEOPLE = 'consortium.people';
/** The reason a share's note carries (the receiving clinician sees it). */
const SHARED_BY_PATIENT = 'Shared by the patient';

interface KeptPeople {
  at: number;
  people: CrossWardPerson[];
  wards: DirectoryWard[];
}

export interface CrossWardSharesDeps {
  store: () => WardStore;
  /** The ward's approved nurses and doctors, with their names (the ward's public staff directory). */
  staff: () => Promise<Array<{ address: string; name: string; role: 'nurse' | 'doctor'; publicKey: string }>>;
  link: () => ConsortiumLink | null;
  transfers: CareTransfers;
  people: People;
  audit: AuditTrail;
}

export class CrossWardShares {
  /** Receiving side: patient (lowercase) → addresses (lowercase) of this ward's people a share reached. */
  private sharedIn = new Map<string, Set<string>>();

  constructor(private readonly d: CrossWardSharesDeps) {}

  // ---------------------------------------------------------------------------- the patient's side

  /** The people of other wards the patient can choose (active wards only), from the node or as last read. */
  async people(actor: Actor): Promise<CrossWardPeople> {
    requirePatient(actor);
    const { people, at, online } = await this.directory();
    const own = this.d.link()?.keys.account.toLowerCase();
    return { people: people.filter((p) => p.ward.account.toLowerCase() !== own), asOf: at, online };
  }

  /** The patient's own shares with people of other wards, newest first. */
  async list(actor: Actor): Promise<CrossWardShare[]> {
    requirePatient(actor);
    const mine = (await this.d.transfers.standingEntries()).filter((t) => t.person && t.patient === actor.address);
    return mine.reverse().map(shareView);
  }

  /**
   * Share the patient's record with a person of another ward: every scope the patient's key opens,
   * sealed for that person, and each later batch granted to them. Audited on this ward's chain.
   * Queued (not an error) while the consortium is unreachable.
   */
  async share(actor: Actor, publicKey: string): Promise<CrossWardShare> {
    requirePatient(actor);
    if (!this.d.link()) throw new WardError('CONFLICT', 'This ward is not connected to the hospital consortium, so you cannot share with other wards yet. Ask the ward staff.');
    const key = publicKey.toLowerCase();
    const { people, wards } = await this.directory();
    const person = people.find((p) => p.publicKey.toLowerCase() === key);
    if (!person) throw new WardError('NOT_FOUND', 'That person is not (or no longer) in the hospital directory. Choose someone from the list.', { fields: { person: 'Not in the directory.' } });
    const ward = wards.find((w) => w.account.toLowerCase() === person.ward.account.toLowerCase());
    if (!ward?.active) throw new WardError('CONFLICT', `${person.ward.name} is no longer a member of the hospital consortium: your record cannot be shared there.`, { fields: { person: 'Their ward left the consortium.' } });
    const existing = (await this.d.transfers.standingEntries()).find((t) => t.patient === actor.address && t.person?.publicKey.toLowerCase() === key && !t.failed && !t.revokedAt);
    if (existing) throw new WardError('CONFLICT', `You already share your record with ${person.name} (${person.ward.name}).`, { fields: { person: 'Already shared.' } });

    const me = await this.d.people.namesFor(actor).person(actor.address);
    const at = Date.now();
    const note: TransferNote = { name: me.name, dob: me.dob ?? null, hospitalNumber: me.hospitalNumber ?? null, reason: SHARED_BY_PATIENT, by: `${me.name} (patient)`, at };
    // Audited first: a share not on the ward chain did not happen.
    await this.d.audit.record(actor, actor.address, 'export', { reason: `Shared by the patient with ${person.name}, ${person.ward.name} (another ward)` });
    const saved = await this.d.transfers.addStanding({ patient: actor.address, to: ward, person: { publicKey: key, name: person.name }, reason: SHARED_BY_PATIENT, by: actor.address, at }, actor.wallet.privateKey, note);
    log('info', 'consortium.share.out', { scopes: saved.scopesSealed?.length ?? 0 });
    return shareView(saved);
  }

  /** Stop sharing with that person from now on; audited. What they already received stays readable to them, and the answer says so. */
  async revoke(actor: Actor, id: string): Promise<{ share: CrossWardShare; notice: string }> {
    requirePatient(actor);
    const entry = (await this.d.transfers.standingEntries()).find((t) => t.id === id && t.person && t.patient === actor.address);
    if (!entry) throw new WardError('NOT_FOUND', 'You have no such share.');
    if (entry.revokedAt) throw new WardError('CONFLICT', `You already stopped sharing with ${entry.person!.name}.`);
    await this.d.audit.record(actor, actor.address, 'export', { reason: `The patient stopped sharing with ${entry.person!.name}, ${entry.to.name} (another ward)` });
    const stopped = await this.d.transfers.stopEntry(id, Date.now());
    return {
      share: shareView(stopped!),
      notice: `${entry.person!.name} (${entry.to.name}) will receive nothing new from your record. What was already sent to them stays readable to them: records sent over the hospital consortium cannot be taken back.`,
    };
  }

  private async directory(): Promise<{ people: CrossWardPerson[]; wards: DirectoryWard[]; at: number | null; online: boolean }> {
    const link = this.d.link();
    if (link?.online()) {
      try {
        const wards = await readDirectory(link.client);
        const people = await readPeople(link.client, wards);
        const kept: KeptPeople = { at: Date.now(), people, wards };
        await this.d.store().write((w) => w.state(PEOPLE, kept));
        return { ...kept, online: true };
      } catch (e) {
        log('warn', 'consortium.share.directoryUnread', { code: e instanceof WardError ? e.code : 'unknown' });
      }
    }
    const kept = await this.d.store().state<KeptPeople>(PEOPLE);
    return { people: kept?.people ?? [], wards: kept?.wards ?? [], at: kept?.at ?? null, online: false };
  }

  // ---------------------------------------------------------------------------- IT: this ward's people in the directory

  /** The ward's nurses and doctors, and whether each is in the consortium directory (patients of other wards can choose them). */
  async wardPeople(actor: Actor): Promise<DirectoryStaffView> {
    requireItAdmin(actor);
    const link = this.d.link();
    const { people, online } = await this.directory();
    const own = link?.keys.account.toLowerCase();
    const listed = new Set(people.filter((p) => p.ward.account.toLowerCase() === own).map((p) => p.publicKey.toLowerCase()));
    const staff = (await this.d.staff()).map((m) => ({ address: m.address, name: m.name, role: m.role, inDirectory: listed.has(m.publicKey.toLowerCase()) }));
    return { staff: staff.sort((a, b) => a.name.localeCompare(b.name)), online, configured: link !== null };
  }

  /** Publish a nurse or doctor of this ward in the directory, named "Name (role)", signed by the ward's sync account. */
  async registerPerson(actor: Actor, address: string): Promise<DirectoryStaffView> {
    requireItAdmin(actor);
    const link = this.requireOnlineLink();
    const m = (await this.d.staff()).find((x) => x.address.toLowerCase() === address.toLowerCase());
    if (!m) throw new WardError('NOT_FOUND', 'Only an approved nurse or doctor of this ward can be listed in the hospital directory.');
    await addPerson(link.client, m.publicKey, `${m.name} (${m.role})`);
    log('info', 'consortium.person.added', {});
    return this.wardPeople(actor);
  }

  /** Withdraw a nurse or doctor of this ward from the directory: no patient can choose them from then on. */
  async withdrawPerson(actor: Actor, address: string): Promise<DirectoryStaffView> {
    requireItAdmin(actor);
    const link = this.requireOnlineLink();
    const m = (await this.d.staff()).find((x) => x.address.toLowerCase() === address.toLowerCase());
    if (!m) throw new WardError('NOT_FOUND', 'No such nurse or doctor on this ward.');
    await removePerson(link.client, m.publicKey);
    log('info', 'consortium.person.removed', {});
    return this.wardPeople(actor);
  }

  private requireOnlineLink(): ConsortiumLink {
    const link = this.d.link();
    if (!link) throw new WardError('CONFLICT', 'The consortium is not set up on this ward. Save its settings first.');
    if (!link.online()) throw new WardError('CHAIN', 'The consortium node is not reachable now: try again when the sync console shows it online.', { offline: true });
    return link;
  }

  // ---------------------------------------------------------------------------- the receiving side

  /** Read who a share reached (at the core's start, and when the inbox kept a new grant). */
  async load(): Promise<void> {
    let list;
    try {
      list = await transfersIn(this.d.store());
    } catch {
      return; // the store is not open (setup, restore)
    }
    const m = new Map<string, Set<string>>();
    for (const t of list) {
      const reader = ethers.computeAddress('0x04' + t.reader.replace(/^0x/, '')).toLowerCase();
      const k = t.patient.toLowerCase();
      m.set(k, (m.get(k) ?? new Set()).add(reader));
    }
    this.sharedIn = m;
  }

  /**
   * Whether a share of this patient reached this person (their own key, not the care team's):
   * the access policy's cross-ward basis (records/access.ts).
   */
  sharedWith(patient: string, person: string): boolean {
    return this.sharedIn.get(patient.toLowerCase())?.has(person.toLowerCase()) ?? false;
  }

  /** Patients of other wards who shared their record with this clinician, newest first. */
  async sharedWithMe(actor: Actor): Promise<SharedWithMe[]> {
    if (actor.role !== 'nurse' && actor.role !== 'doctor') throw new WardError('FORBIDDEN', 'Only nurses and doctors receive records shared from other wards.');
    await this.load();
    const mine = publicKeyOf(actor.wallet.privateKey).toLowerCase();
    const store = this.d.store();
    const out = new Map<string, SharedWithMe>();
    const entries = (await transfersIn(store)).filter((t) => t.reader.toLowerCase() === mine).sort((a, b) => b.block - a.block);
    for (const t of entries) {
      if (out.has(t.patient.toLowerCase())) continue;
      const note = openTransferNote(t, [actor.wallet.privateKey]);
      const records = (await receivedFrom(store, t.patient, t.from.account)).fromWard;
      out.set(t.patient.toLowerCase(), {
        patient: t.patient,
        from: { account: t.from.account, name: t.from.name },
        name: note?.name ?? null,
        dob: note?.dob ?? null,
        hospitalNumber: note?.hospitalNumber ?? null,
        sharedAt: note?.at ?? null,
        receivedAt: t.receivedAt,
        records,
      });
    }
    return [...out.values()].sort((a, b) => b.receivedAt - a.receivedAt);
  }
}

function requireItAdmin(actor: Actor): void {
  if (actor.role !== 'it-admin') throw new WardError('FORBIDDEN', 'Only the IT admin lists the ward\'s people in the hospital directory.');
}

function requirePatient(actor: Actor): void {
  if (actor.role !== 'patient') throw new WardError('FORBIDDEN', 'Only the patient shares their own record with other wards.');
}

function shareView(t: TransferOutEntry): CrossWardShare {
  const person = t.person!;
  const status = t.revokedAt ? 'revoked' : t.failed ? 'failed' : t.sentAt ? 'sent' : 'queued';
  const message =
    status === 'revoked'
      ? 'Stopped: nothing new is sent. What was already sent stays readable to them.'
      : status === 'failed'
        ? t.failed!
        : status === 'sent'
          ? `Sent: ${person.name} can read your record on ${t.to.name}, and new records as they are added.`
          : 'Waiting: it will be sent when the hospital network is reachable.';
  return { id: t.id, person: { publicKey: person.publicKey, name: person.name }, ward: { account: t.to.account, name: t.to.name }, at: t.at, status, message, sentAt: t.sentAt, revokedAt: t.revokedAt ?? null };
}
