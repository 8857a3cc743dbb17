/**
 * Transfers of care to this ward (the sending side is records/careTransfer.ts): what the sync
 * engine kept from other wards' transfer grants (records/consortiumInbox.ts) as the care team sees
 * it, each note opened with the reader's team key (name, date of birth, hospital number, reason,
 * who), with the records received from that ward (each verified on arrival) and the key scopes
 * granted; admitting one puts the patient in a bed on this ward's chain and is audited.
 * The patient is named on this ward from the note (identity/people.ts).
 *
 * Admitting also registers the patient on this ward for writing (`consortium.registeredPatients`):
 * under the same account as on the sending ward, so what this ward writes and what it received are
 * one history, and with the patient's public key from the note, so the key scopes this ward makes
 * for its own records (records/scopeKeys.ts) have the patient and this ward's care team as readers.
 * The patient has no login here (their key stays with them); a note of an earlier version carries
 * no key, and then this ward's care team alone reads what it writes.
 */
import { ethers } from 'ethers';
import { openTransferGrant, type TransferNote } from '../consortium/grants';
import type { TransferGrant } from '../consortium/payload';
import type { Actor } from '../identity/actor';
import type { IncomingTransfer } from '../model/consortium';
import { WardError } from '../model/errors';
import { ageOn, type PersonWithAge } from '../model/people';
import type { CensusRow } from '../model/ward';
import type { WardStore } from '../storage/wardStore';
import type { AuditTrail } from './auditTrail';
import type { PatientKey } from './patients';
import { keptScopeGrant, receivedFrom, transfersIn, updateTransfersIn, type TransferInEntry } from './consortiumInbox';

export interface IncomingTransfersDeps {
  store: () => WardStore;
  /** The ward care team's public key: transfers are sealed for it (a grant for one person is a patient's share, records/crossWardShares.ts). */
  teamPublicKey: () => string;
  audit: AuditTrail;
  /** Admit a patient who is not registered on this ward to a bed (ward/wardBoard.ts admitTransferred). */
  admit: (actor: Actor, patient: string, bed: string, responsibleDoctor: string | null) => Promise<CensusRow>;
}

/** A transferred patient registered on this ward at admission (see the header). */
interface RegisteredPatient {
  patient: string;
  /** From the transfer note; null when it carried none. */
  publicKey: string | null;
  from: { account: string; name: string };
  at: number;
  by: string;
}

const REGISTERED = 'consortium.registeredPatients';

export class IncomingTransfers {
  constructor(private readonly d: IncomingTransfersDeps) {}

  /** Patients transferred to this ward, not yet admitted, as this reader sees them. */
  async list(actor: Actor): Promise<IncomingTransfer[]> {
    if (actor.role !== 'nurse' && actor.role !== 'doctor') throw new WardError('FORBIDDEN', 'Only the ward\'s nurses and doctors see incoming transfers.');
    const store = this.d.store();
    const out: IncomingTransfer[] = [];
    for (const t of latestPerPatient(await this.teamTransfers())) {
      if (t.admittedAt) continue;
      const note = openTransferNote(t, [actor.teamKey]);
      const { records: history, fromWard: records } = await receivedFrom(store, t.patient, t.from.account);
      const scopes = new Set(history.map((r) => r.cipher.scopeId));
      let granted = 0;
      for (const s of scopes) if (await keptScopeGrant(store, s, t.reader)) granted++;
      out.push({
        patient: t.patient,
        from: { account: t.from.account, name: t.from.name },
        receivedAt: t.receivedAt,
        sentAt: note?.at ?? null,
        name: note?.name ?? null,
        dob: note?.dob ?? null,
        hospitalNumber: note?.hospitalNumber ?? null,
        reason: note?.reason ?? null,
        by: note?.by ?? null,
        records,
        scopes: granted,
        admittedAt: t.admittedAt,
      });
    }
    return out.sort((a, b) => b.receivedAt - a.receivedAt);
  }

  /** Admit a transferred patient to a bed; audited (who, from which ward). */
  async admit(actor: Actor, patient: string, bed: string, responsibleDoctor: string | null): Promise<CensusRow> {
    if (actor.role !== 'nurse' && actor.role !== 'doctor') throw new WardError('FORBIDDEN', 'Only a nurse or a doctor can admit a patient.');
    const p = ethers.getAddress(patient);
    const t = latestPerPatient(await this.teamTransfers()).find((x) => x.patient === p);
    if (!t) throw new WardError('NOT_FOUND', 'No transfer of this patient has reached this ward.');
    if (t.admittedAt) throw new WardError('CONFLICT', 'This transferred patient has already been admitted.');
    // Registered for writing before the admission: a record written the moment the patient is on the board has its readers.
    const note = openTransferNote(t, [actor.teamKey]);
    await this.register({ patient: p, publicKey: note?.publicKey ?? null, from: t.from, at: Date.now(), by: actor.address });
    const row = await this.d.admit(actor, p, bed, responsibleDoctor);
    await this.d.audit.record(actor, p, 'read', { reason: `Admitted on transfer of care from ${t.from.name}` });
    const now = Date.now();
    // On the list as it is now: a grant pulled while the admission was on the chain stays.
    const team = this.d.teamPublicKey().toLowerCase();
    await updateTransfersIn(this.d.store(), (current) => current.map((x) => (x.patient === p && x.reader.toLowerCase() === team && !x.admittedAt ? { ...x, admittedAt: now, admittedBy: actor.address } : x)));
    return row;
  }

  /** Who a transferred-in patient is, for a reader who can open the note (identity/people.ts), or null. */
  async personOf(patient: string, keys: Array<string | null>): Promise<Omit<PersonWithAge, 'address'> | null> {
    let list: TransferInEntry[];
    try {
      list = await transfersIn(this.d.store());
    } catch {
      return null; // the store is not open (setup, restore)
    }
    // Newest first: a transfer to the team, or a patient's share with this reader, whichever opens.
    const mine = list.filter((x) => x.patient.toLowerCase() === patient.toLowerCase()).sort((a, b) => b.block - a.block);
    let note: TransferNote | null = null;
    for (const t of mine) if ((note = openTransferNote(t, keys))) break;
    if (!note) return null;
    return { name: note.name, role: 'patient', age: note.dob ? ageOn(note.dob, new Date()) : -1, dob: note.dob, hospitalNumber: note.hospitalNumber };
  }

  /**
   * A transferred patient registered here at admission, as the record writer needs them: their
   * account, and the key their records are sealed for (this ward's care team's when the note
   * carried none). Null for anyone else.
   */
  async registeredKeyOf(patient: string): Promise<PatientKey | null> {
    let list: RegisteredPatient[];
    try {
      list = (await this.d.store().state<RegisteredPatient[]>(REGISTERED)) ?? [];
    } catch {
      return null; // the store is not open
    }
    const r = list.find((x) => x.patient.toLowerCase() === patient.toLowerCase());
    return r ? { address: r.patient, publicKey: r.publicKey ?? this.d.teamPublicKey() } : null;
  }

  private async register(entry: RegisteredPatient): Promise<void> {
    const store = this.d.store();
    const list = (await store.state<RegisteredPatient[]>(REGISTERED)) ?? [];
    if (list.some((x) => x.patient === entry.patient)) return;
    await store.write((w) => w.state(REGISTERED, [...list, entry]));
  }

  /** The transfers sealed for this ward's care team (not a patient's share with one person). */
  private async teamTransfers(): Promise<TransferInEntry[]> {
    const team = this.d.teamPublicKey().toLowerCase();
    return (await transfersIn(this.d.store())).filter((t) => t.reader.toLowerCase() === team);
  }
}

/** A kept transfer note opened with the first of these private keys it is sealed for, or null. */
export function openTransferNote(t: TransferInEntry, keys: Array<string | null>): TransferNote | null {
  const grant: TransferGrant = { kind: 'transfer', reader: t.reader, patient: t.patient, wrappedKey: ethers.getBytes(t.wrappedKey), sealedNote: ethers.getBytes(t.sealedNote) };
  for (const k of keys) {
    if (!k) continue;
    try {
      return openTransferGrant(grant, k);
    } catch {
      // not this reader's
    }
  }
  return null;
}

/** The latest transfer of each patient (a patient sent here twice is one entry). */
function latestPerPatient(list: TransferInEntry[]): TransferInEntry[] {
  const m = new Map<string, TransferInEntry>();
  for (const t of list) {
    const k = t.patient.toLowerCase();
    const have = m.get(k);
    if (!have || t.block >= have.block) m.set(k, t);
  }
  return [...m.values()];
}

