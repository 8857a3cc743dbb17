/**
 * Each patient's consent changes and audited accesses as the ward chain has them, kept in the store
 * so that a patient's check against the chain (chainCheck.ts) reads the chain only since the last
 * time instead of from the ward's setup. A node reads every block of a log query's range (ganache:
 * about 15–35 µs a block, empty or not), and a ward anchors every 30 s and audits every read: a year
 * is a million blocks or more, and two queries from the setup were then half a minute of every
 * patient's first open after a start.
 *
 * What is kept is only what the chain says, and every piece is tagged (HMAC with a secret derived
 * from the station key, as the check's checkpoint): an edited store cannot make the check skip an
 * event; anything that does not verify is read from the chain again.
 * - A patient's entry: the grantees of every consent change and every audited access up to its
 *   block, tagged with the patient's reference (an entry cannot be moved to another patient). An
 *   older entry put back is still a true prefix of the chain's events: the check reads on from its
 *   block.
 * - The ward's mark: "up to block W, every patient with events is listed, with the tag of the entry
 *   that holds them all". A patient not listed had none up to W; a listed patient whose entry is
 *   not the one named is read from their entry's own block (or from the setup, entry gone).
 * The ward's mark moves at each start, in the background, with two log queries over the blocks
 * since the last (`refresh`); a patient's check writes their entry on (`eventsUpTo`).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ethers } from 'ethers';
import type { AuditOnChain, WardContracts } from '../chain/wardContracts';
import { hexToBytes } from '../crypto/hex';
import { VerifiedCache } from '../crypto/verifiedCache';
import type { WardStore } from '../storage/wardStore';

/** A patient's events on the chain up to `block`: the grantees of their consent changes, their audited accesses in chain order. */
export interface PatientEvents {
  block: number;
  grantees: string[];
  audits: AuditOnChain[];
}

interface KeptEntry extends PatientEvents {
  tag: string;
}

interface WardMark {
  block: number;
  /** Patient reference → the tag of the entry holding all their events up to `block`, or null (their entry could not be vouched for). */
  listed: Record<string, string | null>;
  tag: string;
}

const ENTRY_PREFIX = 'chainEvents:';
/** Blocks read by one step of a refresh (ganache: 2–4 s of the chain's thread). */
export const REFRESH_SLICE_BLOCKS = 100_000;
const MARK = 'chainEventsWard';

export class PatientChainEvents {
  private tagger: { key: string; cache: VerifiedCache } | null = null;
  /** The mark as last read or written by this process (verified). */
  private mark: WardMark | null | undefined;

  constructor(
    private readonly store: () => WardStore,
    private readonly contracts: () => WardContracts,
    /** The station's private key (0x hex), or null before the ward is set up: nothing is kept then. */
    private readonly stationKey: () => string | null,
    /** The first block of the ward (its registry's): a patient's events are read from here when nothing is kept. */
    private readonly setupBlock: () => number,
    private readonly refOf: (patient: string) => string,
  ) {}

  /**
   * The patient's events from the ward's setup up to block `to`: what is kept, and the chain's since.
   * The patient's entry is written on to `to` when there was something new (the next check reads from there).
   */
  async eventsUpTo(patient: string, to: number): Promise<PatientEvents & { readFrom: number }> {
    const ref = this.refOf(patient).toLowerCase();
    const [entry, mark] = await Promise.all([this.entry(ref), this.wardMark()]);
    const known = keptUpTo(ref, entry, mark);
    const kept = known ?? { block: this.setupBlock() - 1, grantees: [], audits: [] };
    const readFrom = kept.block + 1;
    if (readFrom > to) return { ...kept, readFrom };
    const c = this.contracts();
    const changes = await c.consentChanges(readFrom, to, patient);
    const audits = await c.accessesAudited(readFrom, to, ref);
    const events = extended(kept, changes.map((e) => e.grantee), audits, to);
    // Written when there is something new, or nothing was kept: blocks without the patient's events
    // since the kept ones are read again next time (at most those since the last start's refresh).
    const tags = this.tags();
    if (tags && (!known || changes.length || audits.length)) await this.store().write((w) => w.state(ENTRY_PREFIX + ref, { ...events, tag: tags.tagOf(entryFacts(ref, events)) }));
    return { ...events, readFrom };
  }

  /**
   * Move the ward's mark to the chain's newest block: the consent changes and audits of every
   * patient since the mark (from the setup the first time), written into the entries of those who
   * have new ones (the others' listings carry over unread). Entries
   * that cannot be vouched for stay listed without one (their checks read the chain from their own
   * block, or from the setup). Read in slices of REFRESH_SLICE_BLOCKS, the mark moved after each,
   * until `stopping` (the ward stops: a first refresh of a large ward takes seconds a slice).
   * @returns the blocks read, or null when nothing was read.
   */
  async refresh(stopping: () => boolean = () => false): Promise<{ from: number; to: number } | null> {
    const newest = await this.contracts().blockNumber();
    let first: number | null = null;
    let last = 0;
    while (!stopping()) {
      const slice = await this.refreshSlice(newest);
      if (!slice) break;
      first ??= slice.from;
      last = slice.to;
    }
    return first === null ? null : { from: first, to: last };
  }

  /** One step of `refresh`: at most REFRESH_SLICE_BLOCKS after the mark, up to `newest`. */
  private async refreshSlice(newest: number): Promise<{ from: number; to: number } | null> {
    const tags = this.tags();
    if (!tags) return null;
    const c = this.contracts();
    const mark = await this.wardMark();
    const from = mark ? mark.block + 1 : this.setupBlock();
    const to = Math.min(newest, from + REFRESH_SLICE_BLOCKS - 1);
    if (from > to) return null;
    const grantees = new Map<string, string[]>();
    const audits = new Map<string, AuditOnChain[]>();
    for (const e of await c.consentChanges(from, to)) push(grantees, this.refOf(e.patient).toLowerCase(), e.grantee);
    for (const a of await c.accessesAudited(from, to)) if (a.patientRef !== ethers.ZeroHash) push(audits, a.patientRef.toLowerCase(), a);
    // A patient listed with no events since: the same entry holds all theirs up to the new mark
    // too (their entry is not read: a year of a ward is a thousand patients, most of them gone home).
    const listed: Record<string, string | null> = { ...mark?.listed };
    const writes: Array<[string, KeptEntry]> = [];
    for (const ref of new Set([...grantees.keys(), ...audits.keys()])) {
      const entry = await this.entry(ref);
      // Without a mark this read starts at the setup: a patient without an entry has all their events in it.
      const kept = keptUpTo(ref, entry, mark) ?? (mark ? null : { block: from - 1, grantees: [], audits: [] });
      // Not kept up to where this read starts: the events between are nobody's to vouch for.
      if (!kept || kept.block < from - 1) {
        listed[ref] = null;
        continue;
      }
      const newer = (a: { block: number }) => a.block > kept.block;
      const fresh = extended(kept, [], (audits.get(ref) ?? []).filter(newer), to);
      // Consent changes carry no block here (grantees only): a grantee twice is one grantee.
      fresh.grantees = [...new Set([...kept.grantees, ...(grantees.get(ref) ?? [])])];
      if (entry && fresh.grantees.length === entry.grantees.length && fresh.audits.length === entry.audits.length) {
        listed[ref] = entry.tag; // nothing new: the entry as it is holds all up to the mark
        continue;
      }
      const tag = tags.tagOf(entryFacts(ref, fresh));
      writes.push([ref, { ...fresh, tag }]);
      listed[ref] = tag;
    }
    const next: WardMark = { block: to, listed, tag: tags.tagOf(markFacts(to, listed)) };
    await this.store().write((w) => {
      for (const [ref, e] of writes) w.state(ENTRY_PREFIX + ref, e);
      w.state(MARK, next);
      w.afterCommit.push(() => (this.mark = next));
    });
    return { from, to };
  }

  private tags(): VerifiedCache | null {
    const key = this.stationKey();
    if (!key) return null;
    if (this.tagger?.key !== key) {
      this.tagger = { key, cache: new VerifiedCache(hkdf(sha256, hexToBytes(key), undefined, new TextEncoder().encode('wardledger/patient-chain-events/v1'), 32)) };
      this.mark = undefined;
    }
    return this.tagger.cache;
  }

  /** The patient's entry, if its tag is this station's. */
  private async entry(ref: string): Promise<KeptEntry | null> {
    const e = await this.store().state<KeptEntry>(ENTRY_PREFIX + ref);
    const tags = this.tags();
    if (!e || !tags || !isEvents(e) || typeof e.tag !== 'string') return null;
    return tags.isStillVerified(entryFacts(ref, e), e.tag) ? e : null;
  }

  /** The ward's mark, if its tag is this station's (read once a process, then kept as written). */
  private async wardMark(): Promise<WardMark | null> {
    const tags = this.tags();
    if (!tags) return null;
    if (this.mark !== undefined) return this.mark;
    const m = await this.store().state<WardMark>(MARK);
    const valid = !!m && Number.isSafeInteger(m.block) && typeof m.listed === 'object' && m.listed !== null && typeof m.tag === 'string' && tags.isStillVerified(markFacts(m.block, m.listed), m.tag);
    return (this.mark = valid ? m : null);
  }
}

/**
 * What is known of a patient's events, and up to which block: their entry (up to the mark's block
 * too when the mark names it); none but the mark saying there were none up to its block; or
 * nothing (null: read from the setup).
 */
function keptUpTo(ref: string, entry: KeptEntry | null, mark: WardMark | null): PatientEvents | null {
  const listed = mark && Object.hasOwn(mark.listed, ref) ? mark.listed[ref] : undefined;
  if (entry) return { block: listed === entry.tag ? Math.max(entry.block, mark!.block) : entry.block, grantees: entry.grantees, audits: entry.audits };
  if (mark && listed === undefined) return { block: mark.block, grantees: [], audits: [] };
  return null;
}

/** What was kept and what was read after it up to `to` (a kept entry may reach further: a check wrote it during a refresh's slices). */
function extended(kept: PatientEvents, grantees: readonly string[], audits: readonly AuditOnChain[], to: number): PatientEvents {
  return { block: Math.max(to, kept.block), grantees: [...new Set([...kept.grantees, ...grantees])], audits: [...kept.audits, ...audits] };
}

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function isEvents(e: PatientEvents): boolean {
  return Number.isSafeInteger(e.block) && Array.isArray(e.grantees) && e.grantees.every((g) => typeof g === 'string') && Array.isArray(e.audits);
}

const entryFacts = (ref: string, e: PatientEvents) => ({
  recordId: ref,
  signedFields: JSON.stringify({ block: e.block, grantees: e.grantees, audits: e.audits.map((a) => [a.patientRef, a.actor, a.action, a.breakGlass, a.timestamp, a.block, a.tx]) }),
  ciphertextHash: '',
  signature: '',
  anchorRoot: null,
  scope: 'ward-patient-chain-events',
});

const markFacts = (block: number, listed: Record<string, string | null>) => ({
  recordId: ethers.ZeroHash,
  signedFields: JSON.stringify({ block, listed: Object.entries(listed).sort(([a], [b]) => (a < b ? -1 : 1)) }),
  ciphertextHash: '',
  signature: '',
  anchorRoot: null,
  scope: 'ward-chain-events-mark',
});
