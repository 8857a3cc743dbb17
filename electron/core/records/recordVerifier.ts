/**
 * Verifying stored records for a reader, with the memos that keep long histories fast (see
 * provenance.ts): records this process wrote itself, roots known to be on the ward chain (once
 * per root, remembered in the store: rootsOnChain.ts), and the persistent memo of care-team
 * readers (its tags in the store): keyed with a secret derived from the care team key, or for the
 * readings this workstation's station key signed, from the station key.
 *
 * The persistent memo is written by the writer when the record's anchor is recorded
 * (`memoAtAnchor`), not only by a first read: the writer built the leaf, the signature and the
 * tree itself and holds the anchor's receipt, so a reading the ward recorded is not verified
 * from scratch at its first read after a restart.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '../crypto/hex';
import type { ScopeKey } from '../crypto/keyScope';
import { VerifiedCache } from '../crypto/verifiedCache';
import { leafHashOrNull } from '../crypto/merkle';
import { encodeRecordBody, type TreePlace } from '../storage/recordBinary';
import { leafOf, type AnchorRef, type RecordFields, type StoredRecord } from '../storage/storedRecord';
import type { StoredEntry, WardStore } from '../storage/wardStore';
import { BlockFamily, blockDigest, blockHours, blockMembers, BlockSeal, groupForBlocks, hourOf, memberFields, placeName, recordOfMember, type BlockGroup, type Coverage } from './openedBlocks';
import { forgetOpened, withoutHolding, openAndVerify, openFromMemo, openReused, openVouched, verificationFacts, verifyInFull, type Memos, type OpenedRecord, type HeldOpen, type ToCheck } from './provenance';
import type { RootsOnChain } from './rootsOnChain';
import { VerifiedTrees } from './verifiedTrees';

/** Whose persistent memos and opened blocks a read uses. */
interface MemoReader {
  /** The memo a record is vouched for by, or null (none of this reader's). */
  memoOf(r: RecordFields): VerifiedCache | null;
  /** The block families read with a page. */
  seals: BlockSeal[];
  /** The seal a record's block is written under; null: a record whose blocks this reader does not write. */
  sealOf(r: RecordFields): BlockSeal | null;
}

const vouchedPlaces = (vouched: Map<string, { at: BlockGroup['at'] }> | null): Array<BlockGroup['at']> => [...(vouched?.values() ?? [])].map((v) => v.at);

export class RecordVerifier {
  readonly verified = new VerifiedCache();
  /**
   * Records found tampered by any read in this process, by patient: every screen that shows the
   * patient says so, even when its own read did not reach the record.
   */
  private readonly failed = new Map<string, Map<string, OpenedRecord>>();
  private teamMemo: { teamKey: string; cache: VerifiedCache; blocks: BlockSeal } | null = null;
  /** Batch trees checked whole, so a page of one batch's records walks no proof. */
  private readonly trees = new VerifiedTrees();

  private stationMemo: { key: string; address: string; cache: VerifiedCache; blocks: BlockSeal } | null = null;

  constructor(
    private readonly store: () => WardStore,
    private readonly roots: RootsOnChain,
    /** The workstation's station key (address and private key), or null before the ward is set up. */
    private readonly station: () => { address: string; privateKey: string } | null = () => null,
  ) {}

  /**
   * This process built, signed and anchored the record itself (`teamKey`: the writer's care team
   * key, null for the station): the memo the anchor queue stores in the same write as the anchor
   * (ToAnchor.memo), and this process's own memo. What the tag attests is `verificationFacts`:
   * these stored bytes (ciphertext, every signed field, the signature) are the ones the writer
   * signed, and its leaf is under the anchor's root, recorded on the ward chain at that batch and
   * block — not the proofs, which a memo never covers. Any later change of those bytes on disk
   * gives another tag, so the first read verifies the record in full and finds it.
   */
  memoAtAnchor(record: StoredRecord, teamKey: string | null, signatureTree: TreePlace | null = null): (anchor: AnchorRef) => string | null {
    return (anchor) => {
      // The body the store wrote for it (WardStore StoreWrite.record: the same encoding of the same
      // record in the same signature-tree place), so the tag is in the stored form a read checks.
      const { body, compact } = encodeRecordBody(record, signatureTree);
      const facts = verificationFacts(record, anchor, compact ? { id: record.id, patient: record.patient, body } : undefined);
      this.verified.markVerified(facts);
      return (this.ownStationMemo(record) ?? this.teamCache(teamKey))?.tagOf(facts) ?? null;
    };
  }

  /**
   * The persistent memo of a reading this workstation's station key signed: its secret is derived
   * from the station key, which is kept unattended (station.key) and can sign such a reading
   * anyway, so the memo vouches for nothing its holder could not forge outright. Records of people
   * (and of an earlier station key) keep the care team's memo.
   */
  private ownStationMemo(record: RecordFields): VerifiedCache | null {
    if (record.authorRole !== 'station') return null;
    const family = this.stationFamily();
    return family && family.address === record.author.toLowerCase() ? family.cache : null;
  }

  /** The station's memo family (its memo's secret and its blocks' key, from the station key), or null before the ward is set up. */
  private stationFamily(): { address: string; cache: VerifiedCache; blocks: BlockSeal } | null {
    const station = this.station();
    if (!station) return null;
    if (this.stationMemo?.key !== station.privateKey) {
      const family = memoFamily(station.privateKey, 'wardledger/station-memo/v1', 'wardledger/station-blocks/v1', BlockFamily.station);
      this.stationMemo = { key: station.privateKey, address: station.address.toLowerCase(), ...family };
    }
    return this.stationMemo;
  }

  /** Whether a Merkle root is anchored on the ward chain (each root is looked up once, ever). */
  rootOnChain(root: string): Promise<boolean> {
    return this.roots.check(root);
  }

  /** The persistent verification memo for care-team readers (secret derived from the team key). */
  teamCache(teamKey: string | null): VerifiedCache | null {
    if (!teamKey) return null;
    if (this.teamMemo?.teamKey !== teamKey) this.teamMemo = { teamKey, ...memoFamily(teamKey, 'wardledger/verified-memo/v2', 'wardledger/opened-blocks/v1', BlockFamily.team) };
    return this.teamMemo.cache;
  }

  /** Decrypt and verify one record with a scope key (null: not readable with the reader's keys). */
  async open(entry: StoredEntry, key: ScopeKey | null): Promise<OpenedRecord> {
    return this.noted(await openAndVerify(entry.record, entry.anchor, key, this.memos(), () => this.store().fillProofs([entry]), entry.stored));
  }

  /** The patient's records found tampered so far in this process (contents withheld). */
  failuresOf(patient: string): OpenedRecord[] {
    return [...(this.failed.get(patient)?.values() ?? [])];
  }

  /** Remember a record found tampered, for every screen that shows its patient. */
  private noted(opened: OpenedRecord): OpenedRecord {
    if (opened.provenance.status === 'tampered') {
      const { record } = opened;
      const ofPatient = this.failed.get(record.patient) ?? new Map<string, OpenedRecord>();
      ofPatient.set(record.id, { record, sealed: null, provenance: opened.provenance });
      this.failed.set(record.patient, ofPatient);
    }
    return opened;
  }

  /**
   * Decrypt and verify a page of records: those held opened from the very bytes read (`held`, see
   * provenance.reopened) as they are, then, for a care-team reader, those an opened block vouches
   * for (openedBlocks.ts: an hour's records in one piece), then memos (no tree is read), then the
   * records no memo vouched for, with their proofs read in one go. New persistent memos are saved,
   * and, where `contiguous` (the entries are a page of the store: every record of the patient
   * between the first and the last), a block for each whole hour that had none that matched.
   */
  async openMany(entries: StoredEntry[], keys: Map<string, ScopeKey | null>, teamKey: string | null, held: ReadonlyArray<HeldOpen | undefined> = [], contiguous = false): Promise<OpenedRecord[]> {
    return (await this.openManyAs(entries, keys, this.teamReader(teamKey), held, contiguous ? 'page' : 'none')).out;
  }

  /**
   * Keep the station's own readings of whole hours as opened blocks, with no reader: `entries` are
   * every reading of one patient's that this workstation's station key signed, filed in `period`
   * (whole hours), and `keys` the scope keys this process holds. Each hour whose readings all
   * verified and could be read is sealed (an hour a block already vouches for is left as it is).
   * Returns the hours (ms at their start) that a block now vouches for. Nothing it opened stays
   * held in memory.
   */
  async sealStationHours(entries: StoredEntry[], keys: Map<string, ScopeKey | null>, period: { from: number; to: number }): Promise<number[]> {
    const reader = this.stationReader();
    if (!reader) return [];
    const ids = entries.map((e) => e.stored?.id ?? e.record.id);
    const { vouched, written } = await withoutHolding(ids, () => this.openManyAs(entries, keys, reader, [], period));
    return [...new Set([...vouched, ...written].map((at) => at.hour))].sort((a, b) => a - b);
  }

  /** The entries that are readings this workstation's station key signed (none before the ward is set up). */
  ownReadings(entries: StoredEntry[]): StoredEntry[] {
    return entries.filter((e) => this.ownStationMemo(e.record));
  }

  /** A care-team reader's memos and blocks: the station's for its own readings, else the team's (null: no team key). */
  private teamReader(teamKey: string | null): MemoReader | null {
    const team = this.teamCache(teamKey);
    if (!team) return null;
    return {
      memoOf: (r) => this.ownStationMemo(r) ?? team,
      seals: [this.teamMemo!.blocks, this.stationFamily()?.blocks].filter((b): b is BlockSeal => !!b),
      sealOf: (r) => this.blockSealOf(r),
    };
  }

  /** The station's own memos and blocks, for its readings only (null before the ward is set up). */
  private stationReader(): MemoReader | null {
    const family = this.stationFamily();
    if (!family) return null;
    return { memoOf: (r) => this.ownStationMemo(r), seals: [family.blocks], sealOf: (r) => (this.ownStationMemo(r) ? family.blocks : null) };
  }

  private async openManyAs(entries: StoredEntry[], keys: Map<string, ScopeKey | null>, reader: MemoReader | null, held: ReadonlyArray<HeldOpen | undefined>, coverage: Coverage): Promise<{ out: OpenedRecord[]; vouched: Array<BlockGroup['at']>; written: Array<BlockGroup['at']> }> {
    const memoOf = (r: RecordFields) => reader?.memoOf(r) ?? null;
    const fresh: Array<[string, string]> = [];
    const remember = (id: string, tag: string) => fresh.push([id, tag]);
    const out: OpenedRecord[] = new Array(entries.length);
    const rest: number[] = [];
    for (let i = 0; i < entries.length; i++) {
      const h = held[i];
      const stored = entries[i]!.stored;
      const reused = h && stored && openReused(h, stored, keys.get(h.opened.record.cipher.scopeId) ?? null, memoOf(h.opened.record), remember);
      if (reused) out[i] = reused;
      else rest.push(i);
    }
    const vouched = reader && rest.length ? await this.openFromBlocks(entries, keys, out, reader) : null;
    const unopened = vouched ? rest.filter((i) => out[i] === undefined) : rest;
    const found = reader && unopened.length ? await this.store().memos(unopened.map((i) => entries[i]!)) : undefined;
    const toCheck: Array<{ i: number; c: ToCheck }> = [];
    for (let k = 0; k < unopened.length; k++) {
      const i = unopened[k]!;
      const e = entries[i]!;
      const cache = memoOf(e.record);
      const persistent = cache ? { cache, tag: found?.tags[k], remember } : undefined;
      const first = openFromMemo(e.record, e.anchor, keys.get(e.record.cipher.scopeId) ?? null, { ...this.memos(), persistent }, e.stored);
      if ('opened' in first) out[i] = first.opened;
      else toCheck.push({ i, c: first.check });
    }
    if (toCheck.length) {
      const needProofs = await this.checkTrees(toCheck.map(({ i, c }) => ({ entry: entries[i]!, check: c })));
      if (needProofs.length) await this.store().fillProofs(needProofs);
      for (const { i, c } of toCheck) {
        const cache = memoOf(c.record);
        const persistent = cache ? { cache, tag: undefined, remember } : undefined;
        out[i] = await verifyInFull(c, { ...this.memos(), persistent });
      }
    }
    for (const i of rest) this.noted(out[i]!);
    // Remember what was verified for the next start, and move memos found by id under their
    // records' locators (best effort: a failed write only costs time); blocks in the same write as
    // the memos of their records.
    const moved = found ? found.byId.map((k) => [entries[unopened[k]!]!.record, found.tags[k]!] as [StoredRecord, string]) : [];
    const sealed = vouched && reader && coverage !== 'none' ? this.blocksToWrite(entries, out, vouched, reader, coverage) : [];
    if (fresh.length || moved.length || sealed.length) {
      const saved = await this.store()
        .write(async (w) => {
          await w.memos(memosToSave(entries, fresh, moved), moved.map(([r]) => r.id));
          for (const b of sealed) w.openedBlock(b.at, b.bytes);
        })
        .then(
          () => true,
          () => false,
        );
      if (!saved) return { out, vouched: vouchedPlaces(vouched), written: [] };
    }
    return { out, vouched: vouchedPlaces(vouched), written: sealed.map((b) => b.at) };
  }

  /**
   * Open from their hours' blocks the records not opened yet (`out` undefined) that a block
   * vouches for — nothing decoded: their ids, patient and bytes as read, their fields from the
   * block — and return what was vouched for, by block place, for the blocks to write afterwards.
   */
  private async openFromBlocks(entries: StoredEntry[], keys: Map<string, ScopeKey | null>, out: OpenedRecord[], reader: MemoReader): Promise<Map<string, { at: BlockGroup['at']; members: number[] }>> {
    const vouched = new Map<string, { at: BlockGroup['at']; members: number[] }>();
    const seals = reader.seals;
    const hours = blockHours(entries).filter((h) => h.members.some((i) => out[i] === undefined));
    const places = hours.flatMap((h) => seals.map((seal) => ({ h, seal, at: { patient: h.patient, hour: h.hour, family: seal.family } })));
    if (!places.length) return vouched;
    const kept = await this.store().openedBlocks(places.map((p) => p.at));
    places.forEach(({ h, seal, at }, k) => {
      const bytes = kept[k];
      const block = bytes && seal.open(at, bytes);
      const members = block ? blockMembers(block, h, entries) : null;
      if (!block || !members) return;
      vouched.set(placeName(at), { at, members });
      members.forEach((i, n) => {
        if (out[i] !== undefined) return;
        const e = entries[i]!;
        const record = recordOfMember(e.stored!, block.sealed[n]!, block.fields[n]!);
        const memo = record && reader.memoOf(record);
        // A block sealed for one family never vouches for a record of the other.
        if (!record || !memo || reader.sealOf(record) !== seal) return;
        const opened = openVouched(record, e.anchor!, keys.get(record.cipher.scopeId) ?? null, block.sealed[n]!, e.stored!, memo);
        if (opened) out[i] = opened;
      });
    });
    return vouched;
  }

  /** The seal of a care-team reader's blocks for a record: its memo family's (the station's for its own readings). */
  private blockSealOf(r: RecordFields): BlockSeal | null {
    return r.authorRole === 'station' && this.ownStationMemo(r) ? this.stationMemo!.blocks : (this.teamMemo?.blocks ?? null);
  }

  /**
   * Blocks to write once entries are opened: one per whole hour (Coverage) and memo family the
   * reader writes whose records all verified, unless a block read with them vouched for exactly them.
   */
  private blocksToWrite(entries: StoredEntry[], out: OpenedRecord[], vouched: Map<string, { members: number[] }>, reader: MemoReader, coverage: Coverage): Array<{ at: BlockGroup['at']; bytes: Uint8Array }> {
    // An hour whose every record a block vouched for has nothing to write: only the others are
    // grouped (most of a page once the station seals its hours).
    const fromBlocks = new Set<number>();
    for (const { members } of vouched.values()) for (const i of members) fromBlocks.add(i);
    const hourNames = entries.map((e, i) => `${out[i]!.record.patient}|${hourOf(e.at)}`);
    const toGroup = new Set(hourNames.filter((_, i) => !fromBlocks.has(i)));
    if (!toGroup.size) return [];
    const groups = groupForBlocks(
      entries.map((e, i) => ({ at: e.at, seq: e.seq, stored: e.stored, anchor: e.anchor, record: () => out[i]!.record })),
      (r) => reader.sealOf(r),
      coverage,
      (i) => toGroup.has(hourNames[i]!),
    );
    return groups.flatMap((g) => {
      const same = vouched.get(placeName(g.at))?.members;
      if (!g.writable || (same && same.length === g.members.length && same.every((i, n) => g.members[n] === i))) return [];
      return sealedBlock(g, entries, out) ?? [];
    });
  }

  /**
   * Check the batch trees of records no memo vouched for, each tree once (VerifiedTrees), and find
   * every record's leaf in them; returns the entries whose proofs must still be walked.
   */
  private async checkTrees(items: Array<{ entry: StoredEntry; check: ToCheck }>): Promise<StoredEntry[]> {
    const store = this.store();
    const places = await store.treePlaces(items.map((x) => x.entry));
    const roots = new Map<number, { root: string; walks: number }>();
    const use = (treeNo: number, root: string) => {
      const t = roots.get(treeNo);
      if (t) t.walks++;
      else roots.set(treeNo, { root, walks: 1 });
    };
    items.forEach(({ entry }, k) => {
      const { signature, anchor } = places[k]!;
      if (signature && entry.record.batchSignature) use(signature.treeNo, entry.record.batchSignature.root);
      if (anchor && entry.anchor) use(anchor.treeNo, entry.anchor.root);
    });
    await this.trees.prepare(store, roots);
    const needProofs: StoredEntry[] = [];
    items.forEach(({ entry, check }, k) => {
      const { signature, anchor } = places[k]!;
      const b = entry.record.batchSignature;
      let leafHash: Uint8Array | null | undefined;
      const leaf = () => (leafHash === undefined ? (leafHash = leafHashOrNull(leafOf(entry.record))) : leafHash);
      check.included = {
        signature: b ? this.trees.includes(signature, b.root, leaf) : undefined,
        anchor: entry.anchor ? this.trees.includes(anchor, entry.anchor.root, leaf) : undefined,
      };
      if ((b && check.included.signature === undefined) || (entry.anchor && check.included.anchor === undefined)) needProofs.push(entry);
    });
    return needProofs;
  }

  private memos(): Memos {
    return { cache: this.verified, rootOnChain: (root) => this.roots.check(root) };
  }

  /**
   * Drop the decrypted records held in memory when nobody is logged in any more: the content of
   * the last histories opened does not stay in the process of a workstation left logged out (the
   * next open decrypts again, its memos still hold: nothing is verified again).
   */
  forgetDecrypted(): void {
    forgetOpened();
  }

  /** Drop every decrypted record held in memory (the core stops). */
  forget(): void {
    forgetOpened();
    this.trees.clear();
    this.failed.clear();
  }
}

/**
 * A memo family's secrets from its key (the care team's or the station's): the persistent memo's
 * HMAC secret and its blocks' sealing key, each derived (HKDF-SHA256) under a label of its own.
 */
function memoFamily(hexKey: string, memoLabel: string, blocksLabel: string, family: number): { cache: VerifiedCache; blocks: BlockSeal } {
  const key = hexToBytes(hexKey);
  const derive = (label: string) => hkdf(sha256, key, undefined, new TextEncoder().encode(label), 32);
  return { cache: new VerifiedCache(derive(memoLabel)), blocks: new BlockSeal(family, derive(blocksLabel)) };
}

/** The block for a group whose every record was opened and verified (else none: a block never holds a record that failed). */
function sealedBlock(g: BlockGroup, entries: StoredEntry[], out: OpenedRecord[]): { at: BlockGroup['at']; bytes: Uint8Array } | null {
  const opened = g.members.map((i) => out[i]!);
  if (!opened.every((o) => o.sealed && o.provenance.status === 'verified' && o.provenance.problems.length === 0)) return null;
  const block = {
    ids: opened.map((o) => o.record.id),
    digest: blockDigest(g.members.map((i) => ({ stored: entries[i]!.stored!, anchor: entries[i]!.anchor! }))),
    sealed: opened.map((o) => o.sealed!),
    fields: opened.map((o) => memberFields(o.record)),
  };
  return { at: g.at, bytes: g.seal.seal(g.at, block) };
}

/**
 * A page's memos to store under their records' locators: the tags found by record id (a store
 * written before) as they are — a tag that does not hold for its record vouches for nothing under
 * the locator either — and the new ones, which replace them.
 */
function memosToSave(entries: StoredEntry[], fresh: Array<[string, string]>, moved: Array<[StoredRecord, string]>): Array<[StoredRecord, string]> {
  const tags = new Map(moved.map(([r, tag]) => [r.id, [r, tag] as [StoredRecord, string]]));
  if (fresh.length) {
    // By the id of the bytes read: an entry held opened is not decoded unless it has a new tag.
    const at = new Map(entries.map((e, i) => [e.stored?.id ?? e.record.id, i]));
    for (const [id, tag] of fresh) {
      const i = at.get(id);
      if (i !== undefined) tags.set(id, [entries[i]!.record, tag]);
    }
  }
  return [...tags.values()];
}
