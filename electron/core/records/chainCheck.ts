/**
 * This workstation's record store checked against the ward chain (issue 9 item 5). Whoever can
 * write the data directory can delete or copy records, edit consent and delete access-log entries
 * in the store; the chain holds what is needed to notice: every anchor batch's root and leaf count
 * (BatchAnchored), every grant and revoke in order (AccessGranted/AccessRevoked), every audited
 * access (AccessAudited). So:
 *
 * - Anchor batches: each batch this station anchored must be in the store with as many records as
 *   the chain counted leaves (the store keeps each batch's member list: storage/storeWrite
 *   anchorBatch). Records gone are named by batch, with their patients where the store still says.
 * - Consent: the chain's state is the truth. A grant in force here that the chain does not have is
 *   revoked here (so AccessPolicy decides by the chain's consent); a grant the chain has and this
 *   store lacks is reported (the grantee stays refused until the patient grants here again).
 * - Audit: every AccessAudited event of a patient must have its local entry; a missing one is
 *   written back from the chain (actor, action, time, break-glass; the reason was only local).
 *
 * At start the ward is checked incrementally from a checkpoint (the last block checked, moved to
 * the newest block when the ward stops cleanly; tagged with a key derived from the station key so
 * an edited checkpoint only causes a full check), plus
 * the batches found wrong before, until they are mended; right after the start, older batches are
 * re-checked for up to SWEEP_BUDGET_MS (the sweep, round and round, off the start's path; at least one batch). When a patient's record or access log is
 * opened, that patient is checked from the ward's setup block (once per process, then
 * incrementally; the chain's events up to the last start are kept in the store, tagged:
 * patientChainEvents.ts, so the chain is read only after them): their consent and audits, and, among their newest records (PATIENT_SCAN_RECORDS),
 * extra copies and whether any of their records in the batches those records are in is missing.
 * A patient's check does not wait for the sweep: the sweep gives way to it (a first open after a
 * start is what a person waits for), and a patient the sweep then finds records missing for is
 * checked in full again at their next open.
 *
 * Not covered: records of a batch whose member list was deleted with them are counted (missing =
 * leaves − found) but cannot be attributed to a patient; records deleted from batches before the
 * checkpoint are found when the sweep reaches their blocks (on a large ward, some starts later) or
 * when a patient with a record still present in the same batch is opened; consent and audits
 * before the checkpoint are checked per patient when opened, not at start; access-log entries of
 * accesses that named no patient (the chain's zero reference) are not matched; extra copies of
 * records older than a patient's newest PATIENT_SCAN_RECORDS are not counted (a history page
 * still shows each record once).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ethers } from 'ethers';
import type { AuditOnChain, BatchOnChain, WardContracts } from '../chain/wardContracts';
import { hexToBytes } from '../crypto/hex';
import { VerifiedCache } from '../crypto/verifiedCache';
import type { IdentityService } from '../identity/identityService';
import type { BatchDifference, ConsentDifference, PatientStoreCheck, StoreCheckReport } from '../model/storeCheck';
import { log } from '../platform/log';
import { BoundedCache } from '../storage/boundedCache';
import type { ActivityEntry, AuditRecord } from '../storage/storeTypes';
import { locatorKey, type StoredEntry, type WardStore } from '../storage/wardStore';
import { PatientChainEvents } from './patientChainEvents';
import type { Patients } from './patients';

/** A patient's check under way (ChainCheck.patientCheck). */
export interface PatientCheck {
  consent: Promise<void>;
  result: Promise<PatientStoreCheck>;
}

/** The batch of a difference, kept in the checkpoint until the store has its records again. */
type OpenBatch = Pick<BatchOnChain, 'batchId' | 'root' | 'leafCount'>;

interface Checkpoint {
  /** Anchor batches up to this block are checked (or were written by a run that stopped cleanly). */
  block: number;
  open: OpenBatch[];
  /** Where the next slice of the sweep over older batches starts. */
  sweep: number;
  /**
   * Consent changes and audits are checked at the next start from this block (absent: block + 1).
   * A clean stop moves `block` but not this: they are few (one per access, not per reading), and
   * an access-log entry deleted while the ward was stopped is still restored at the next start.
   */
  events?: number;
  tag: string;
}

const CHECKPOINT = 'chainCheck';
/**
 * The sweep: the store is locked while the ward runs, so it is edited while stopped; after each
 * start older batches are re-checked too (in the background: the ward is usable meanwhile), from the ward's setup to the checkpoint and round again, in slices
 * of SWEEP_SLICE_BLOCKS (one log query and the member lists of the batches in it) for as long as
 * SWEEP_BUDGET_MS allows, at least one batch (about 2 ms per batch measured: docs/benchmarks.md).
 */
export const SWEEP_SLICE_BLOCKS = 500;
export const SWEEP_BUDGET_MS = 1000;
/** A patient's newest records looked at for extra copies and their batches when first opened (a history page holds up to 5,000). */
export const PATIENT_SCAN_RECORDS = 5000;
/** Blocks this far apart are read by separate log queries (a node reads every block of a range). */
const STRETCH_GAP_BLOCKS = 1000;

/** Batches' roots grouped into stretches of nearby blocks, for one log query each. */
function stretchesOf(batches: ReadonlyArray<{ root: string; block: number }>): Array<{ from: number; to: number; roots: string[] }> {
  const out: Array<{ from: number; to: number; roots: string[] }> = [];
  for (const b of [...batches].sort((x, y) => x.block - y.block)) {
    const last = out.at(-1);
    if (last && b.block - last.to <= STRETCH_GAP_BLOCKS) {
      last.to = b.block;
      last.roots.push(b.root);
    } else out.push({ from: b.block, to: b.block, roots: [b.root] });
  }
  return out;
}

/** Local access-log entries are written after the block they name; clocks may differ a little. */
const CLOCK_SLACK_MS = 3600_000;

export class ChainCheck {
  private last: StoreCheckReport | null = null;
  /** The sweep over older batches started by the last atStart (it runs after the start, not in it). */
  private sweeping: Promise<void> = Promise.resolve();
  /** Per patient (this process): the block checked through, and batches seen in their records. */
  private readonly patientsChecked = new Map<string, { block: number; result: PatientStoreCheck; missingGrantees: string[] }>();
  private readonly inFlight = new Map<string, PatientCheck>();
  /** See giveWayTo. */
  private readonly awaited = new Set<Promise<void>>();
  private tagger: { key: string; cache: VerifiedCache } | null = null;
  /**
   * Batches found complete by this process (batch id → root): the store is locked while the ward
   * runs and the ward never deletes a record, so one stays complete until the next start. The
   * sweep and the first opens of patients after a start check many of the same batches.
   */
  private readonly complete = new BoundedCache<number, string>(65_536);
  /** Each patient's consent and audit events as the chain has them, kept up to a block. */
  private readonly events: PatientChainEvents;
  /** The ward's kept events brought up to the chain's newest block, after the sweep (off the start's path). */
  private refreshing: Promise<void> = Promise.resolve();
  /** The ward stops (settled): the refresh ends after its current slice. */
  private stopping = false;

  constructor(
    private readonly store: () => WardStore,
    private readonly contracts: () => WardContracts,
    private readonly identity: IdentityService,
    private readonly patients: Patients,
    /** The station's key (0x hex), or null before the ward is set up: its batches are checked, its key tags the checkpoint. */
    private readonly stationKey: () => string | null,
    /** How long each start's sweep may take (tests set 0: one batch a start). */
    private readonly sweepBudgetMs = SWEEP_BUDGET_MS,
    /** Whether a root is known to be on the chain without asking it (RootsOnChain.isKnown). */
    private readonly rootKnown: (root: string) => boolean = () => false,
  ) {
    this.events = new PatientChainEvents(store, contracts, stationKey, () => identity.wardConfig.registryBlock, (p) => patients.refOf(p));
  }

  /** The last check of the whole ward, with its sweep (null before the first). */
  async report(): Promise<StoreCheckReport | null> {
    await this.sweeping;
    return this.last;
  }

  /** The refresh of the kept events this start began, done (it never fails). */
  eventsKept(): Promise<void> {
    return this.refreshing;
  }

  /** Wait for the sweep and the kept events' refresh (the core stops: the store must not be written after it closes). */
  async settled(): Promise<void> {
    this.stopping = true;
    await this.sweeping;
    await this.refreshing;
  }

  /**
   * At start: batches, consent and audits since the checkpoint; batches found wrong before again.
   * The sweep over older batches is started, not waited for: it may take SWEEP_BUDGET_MS and the
   * ward is usable meanwhile (report() and the patient checks wait for it).
   */
  async atStart(): Promise<StoreCheckReport> {
    await this.sweeping;
    const started = Date.now();
    const c = this.contracts();
    const store = this.store();
    const to = await c.blockNumber();
    const checkpoint = await this.checkpoint();
    const setup = this.identity.wardConfig.registryBlock;
    const from = checkpoint ? checkpoint.block + 1 : setup;
    const eventsFrom = checkpoint ? Math.min(checkpoint.events ?? from, from) : setup;
    const station = this.stationAddress();
    const fresh = from <= to ? (await c.batchesAnchored(from, to)).filter((b) => !station || b.submitter === station) : [];
    const seen = new Set(fresh.map((b) => b.batchId));
    const older: OpenBatch[] = [];
    for (const o of checkpoint?.open ?? []) {
      if (seen.has(o.batchId)) continue;
      seen.add(o.batchId);
      older.push(o);
    }
    const batches: BatchDifference[] = [];
    for (const b of [...older, ...fresh]) {
      const d = await this.batch(b);
      if (d) batches.push(d);
    }

    const pairs = new Map<string, [string, string]>();
    for (const [p, g] of await store.grantPairs()) pairs.set(`${p}|${g}`, [p, g]);
    if (eventsFrom <= to) for (const e of await c.consentChanges(eventsFrom, to)) pairs.set(`${e.patient}|${e.grantee}`, [e.patient, e.grantee]);
    const consent = await this.consentOf([...pairs.values()]);

    let auditRestored = 0;
    if (eventsFrom <= to) {
      const byRef = new Map<string, AuditOnChain[]>();
      for (const e of await c.accessesAudited(eventsFrom, to)) if (e.patientRef !== ethers.ZeroHash) byRef.set(e.patientRef, [...(byRef.get(e.patientRef) ?? []), e]);
      if (byRef.size) {
        const patientOf = await this.patientsByRef();
        for (const [ref, events] of byRef) {
          const patient = patientOf.get(ref);
          if (patient) auditRestored += await this.restoreAudits(patient, events, Math.min(...events.map((e) => e.timestamp * 1000)) - CLOCK_SLACK_MS);
        }
      }
    }

    const report: StoreCheckReport = { checkedAt: new Date().toISOString(), fromBlock: from, toBlock: to, batchesChecked: older.length + fresh.length, batches, consent, auditRestored, findings: [] };
    report.findings = findingsOf(report);
    const sweepFrom = checkpoint && checkpoint.sweep >= setup && checkpoint.sweep < from ? checkpoint.sweep : setup;
    await this.saveCheckpoint(to, batches, sweepFrom);
    this.last = report;
    this.patientsChecked.clear();
    this.sweeping = this.sweep(setup, from, sweepFrom, seen).catch((e) => log('warn', 'store_check.sweep_failed', { error: (e as Error).message }));
    this.refreshing = this.refreshing.then(() => this.refreshEvents());
    if (report.findings.length) {
      log('warn', 'store_check.differs', {
        fromBlock: from,
        toBlock: to,
        batches: batches.length,
        missingRecords: batches.reduce((n, b) => n + b.missing, 0),
        consentDiffers: consent.length,
        auditRestored,
        ms: Date.now() - started,
      });
    } else log('info', 'store_check.agrees', { fromBlock: from, toBlock: to, batches: report.batchesChecked, ms: Date.now() - started });
    return report;
  }

  /**
   * The ward stops cleanly: the checkpoint moves to the chain's newest block. What was anchored
   * since the last checkpoint was written to this store first, and the store is locked while the
   * ward runs, so only what changes while it is stopped needs checking at the next start — without
   * this, each start checked every batch anchored since the previous start (a ward that ran a month
   * re-read a month of records before it was ready). The blocks of this run are where the next
   * start's sweep begins (in the background), so the newest records are still checked first.
   * Call only when no anchor transaction is in flight (its local write may still be pending).
   * Never fails the stop: a checkpoint not moved only means a longer check at the next start.
   */
  async advance(): Promise<void> {
    await this.sweeping;
    if (!this.last) return; // not checked at this start (it failed, or the ward is not set up)
    try {
      const checkpoint = await this.checkpoint();
      if (!checkpoint) return;
      const to = await this.contracts().blockNumber();
      if (to > checkpoint.block) await this.saveCheckpoint(to, checkpoint.open, checkpoint.block + 1, checkpoint.events ?? checkpoint.block + 1);
    } catch (e) {
      log('warn', 'store_check.checkpoint_not_advanced', { error: (e as Error).message });
    }
  }

  /**
   * The sweep over the batches before the blocks this start checked, round again from the setup
   * block, for SWEEP_BUDGET_MS (at least one slice): what it finds joins the start's report and
   * the checkpoint, and where it stopped is where the next start's sweep goes on.
   */
  private async sweep(setup: number, from: number, sweepFrom: number, seen: Set<number>): Promise<void> {
    const c = this.contracts();
    const station = this.stationAddress();
    const found: BatchDifference[] = [];
    let sweptBlocks = 0;
    let next = sweepFrom;
    const sweepStart = Date.now();
    // Time spent giving way to patients' checks does not count against the budget.
    let yielded = 0;
    let checked = 0;
    const overBudget = () => checked > 0 && Date.now() - sweepStart - yielded >= this.sweepBudgetMs;
    sweeping: while (sweptBlocks < from - setup && !overBudget()) {
      const sweepTo = Math.min(next + SWEEP_SLICE_BLOCKS - 1, from - 1);
      if (next > sweepTo) break;
      for (const b of await c.batchesAnchored(next, sweepTo)) {
        if ((station && b.submitter !== station) || seen.has(b.batchId)) continue;
        // The budget holds within a slice too (a slice of a busy ward holds hundreds of batches):
        // the next start goes on from this batch's block.
        if (overBudget()) {
          next = b.block;
          break sweeping;
        }
        seen.add(b.batchId);
        yielded += await this.giveWayToPatients();
        const d = await this.batch(b);
        checked++;
        if (d) found.push(d);
      }
      sweptBlocks += sweepTo - next + 1;
      next = sweepTo + 1 >= from ? setup : sweepTo + 1;
    }
    const last = this.last;
    if (!last) return;
    const report: StoreCheckReport = { ...last, batchesChecked: seen.size, batches: [...found, ...last.batches] };
    report.findings = findingsOf(report);
    await this.saveCheckpoint(last.toBlock, report.batches, next);
    this.last = report;
    // Their checks this run did not count what the sweep found: the next open checks them again.
    for (const d of found) for (const p of d.patients) this.patientsChecked.delete(p.patient);
    if (found.length) log('warn', 'store_check.sweep_differs', { batches: found.length, missingRecords: found.reduce((n, b) => n + b.missing, 0) });
  }

  /**
   * Each patient's kept consent and audit events brought up to the chain's newest block (two log
   * queries over the blocks since the last start's; from the setup the first time), after the sweep
   * and giving way to patients' checks as it does. Never fails the ward: kept events not moved only
   * mean longer reads at patients' first checks.
   */
  private async refreshEvents(): Promise<void> {
    try {
      await this.sweeping;
      await this.giveWayToPatients();
      const started = Date.now();
      const read = await this.events.refresh(() => this.stopping);
      if (read) log('info', 'store_check.events_kept', { fromBlock: read.from, toBlock: read.to, ms: Date.now() - started });
    } catch (e) {
      log('warn', 'store_check.events_not_kept', { error: (e as Error).message });
    }
  }

  /**
   * One patient's data against the chain (their record or access log is being opened): consent and
   * audits since the ward's setup (then since the last check), extra copies of their records, and
   * the batches their records are in. Concurrent opens share one check.
   */
  patient(patientAddress: string): Promise<PatientStoreCheck> {
    return this.patientCheck(patientAddress).result;
  }

  /**
   * The same in two steps: `consent` settles once consent in force here agrees with the chain's (so
   * access can be decided by it) and the patient's audits are written back; `result` once their
   * records are checked too. A history page is read meanwhile: the records' check reads the same
   * newest records and the batches' member index, and waiting for it first was a third of a
   * first open at 1,000,000 records. `newest`: the patient's newest records as the caller is
   * reading them anyway (the newest history page), scanned instead of reading up to
   * PATIENT_SCAN_RECORDS again. `result` rejects as `consent` does (held: none is left unhandled).
   */
  patientCheck(patientAddress: string, newest?: Promise<readonly StoredEntry[]>): PatientCheck {
    const patient = ethers.getAddress(patientAddress);
    let running = this.inFlight.get(patient);
    if (!running) {
      const started = this.checkPatient(patient, newest);
      const done = () => this.inFlight.delete(patient);
      started.result.then(done, done);
      started.consent.catch(() => undefined);
      started.result.catch(() => undefined);
      this.inFlight.set(patient, (running = started));
    }
    return running;
  }

  /**
   * Work a person waits for besides a patient's check (a history page being decrypted once its
   * check is done): the sweep and the refresh give way to it too.
   */
  giveWayTo(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.awaited.add(settled);
    void settled.then(() => this.awaited.delete(settled));
  }

  /** Wait while patients' checks and the work given way to run (the sweep gives way to them); the ms waited. */
  private async giveWayToPatients(): Promise<number> {
    const started = Date.now();
    while (this.inFlight.size || this.awaited.size) await Promise.allSettled([...[...this.inFlight.values()].map((c) => c.result), ...this.awaited]);
    return Date.now() - started;
  }

  private checkPatient(patient: string, newest: Promise<readonly StoredEntry[]> | undefined): PatientCheck {
    // The ward's report this check builds on: if the sweep replaces it meanwhile, the result is
    // returned but not kept (the next open checks again, with what the sweep found).
    const report = this.last;
    const before = this.patientsChecked.get(patient);
    // Asked first: a read's own audit, sent after this call (PatientChart.history), is mined in a
    // later block, outside this check's range, so it is never taken for a missing local entry.
    const to = this.contracts().blockNumber();
    const from = before ? before.block + 1 : this.identity.wardConfig.registryBlock;
    // The records (the store) and consent and audits (mostly the chain's thread) are checked at once.
    const consentPart = to.then((block) => this.consentAndAuditsOf(patient, from, block, before));
    const recordsPart = before ? { missingRecords: before.result.missingRecords, extraCopies: before.result.extraCopies } : this.recordsOfPatient(patient, report, newest);
    const result = Promise.all([to, consentPart, recordsPart]).then(([block, { consent, restored }, { missingRecords, extraCopies }]) => {
      const missingGrantees = consent.filter((d) => !d.corrected).map((d) => d.grantee);
      const missingUnattributed = (this.last?.batches ?? []).reduce((n, b) => n + b.missing - b.patients.reduce((m, p) => m + p.missing, 0), 0);
      const checked: PatientStoreCheck = {
        missingRecords,
        missingUnattributed,
        extraCopies,
        consentCorrected: (before?.result.consentCorrected ?? 0) + consent.filter((d) => d.corrected).length,
        consentMissing: missingGrantees.length,
        auditRestored: (before?.result.auditRestored ?? 0) + restored,
        warning: null,
      };
      checked.warning = patientWarning(checked);
      if (this.last === report) this.patientsChecked.set(patient, { block, result: checked, missingGrantees });
      if (consent.length || restored || (!before && (missingRecords || extraCopies))) {
        log('warn', 'store_check.patient_differs', { missingRecords, extraCopies, consentDiffers: consent.length, auditRestored: restored });
      }
      return checked;
    });
    return { consent: consentPart.then(() => undefined), result };
  }

  /** A patient's first check: extra copies among their newest records, and their records missing from those records' batches. */
  private async recordsOfPatient(patient: string, report: StoreCheckReport | null, newest: Promise<readonly StoredEntry[]> | undefined): Promise<{ missingRecords: number; extraCopies: number }> {
    const scan = await this.scanRecords(patient, newest);
    // Batches the ward's report found records missing in are counted as it found them.
    const known = new Map((report?.batches ?? []).map((b) => [b.batchId, b.patients.find((p) => p.patient === patient)?.missing ?? 0]));
    let missingRecords = [...known.values()].reduce((n, m) => n + m, 0);
    const toCount = scan.batches.filter((b) => !known.has(b.batchId) && this.complete.get(b.batchId) !== b.root.toLowerCase());
    for (const missing of (await this.store().patientMissingInTrees(patient, toCount.map((b) => b.treeNo), scan.read)).values()) missingRecords += missing;
    return { missingRecords, extraCopies: scan.extraCopies };
  }

  /** Consent in force against the chain's, and the chain's audited accesses of the patient written back where missing, from block `from`. */
  private async consentAndAuditsOf(patient: string, from: number, to: number, before: { missingGrantees: string[] } | undefined): Promise<{ consent: ConsentDifference[]; restored: number }> {
    const c = this.contracts();
    // The chain's events of the patient: at the first check all of them (kept in the store up to
    // some block: patientChainEvents.ts), then those since the last check.
    const chain = before
      ? { grantees: from <= to ? (await c.consentChanges(from, to, patient)).map((e) => e.grantee) : [], audits: from <= to ? await c.accessesAudited(from, to, this.patients.refOf(patient).toLowerCase()) : [] }
      : await this.events.eventsUpTo(patient, to);
    // Grants in force here, grantees of the chain's changes, and grants found on the chain only before (until the patient grants here).
    const grantees = new Set([...(await this.store().grants(patient)).keys(), ...(before?.missingGrantees ?? []), ...chain.grantees]);
    const consent = await this.consentOf([...grantees].map((g) => [patient, g]));
    const events = chain.audits;
    const restored = events.length ? await this.restoreAudits(patient, events, before ? Math.min(...events.map((e) => e.timestamp * 1000)) - CLOCK_SLACK_MS : 0) : 0;
    return { consent, restored };
  }

  // ------------------------------------------------------------------------------ batches

  /** One anchored batch against the store: null when every leaf the chain counted is there. */
  private async batch(b: OpenBatch): Promise<BatchDifference | null> {
    if (this.complete.get(b.batchId) === b.root.toLowerCase()) return null;
    const store = this.store();
    const treeNo = await this.treeOf(b);
    const difference = (found: number, patients: Map<string, number>, problem: BatchDifference['problem']): BatchDifference => ({
      batchId: b.batchId,
      root: b.root,
      leafCount: b.leafCount,
      found,
      missing: b.leafCount - found,
      patients: [...patients].map(([patient, missing]) => ({ patient, missing })),
      problem,
    });
    if (treeNo === undefined) return difference(0, new Map(), 'batch');
    let found = 0;
    const gone = new Map<string, number>();
    for (const m of await store.batchMembers(treeNo)) {
      if (m.present) found++;
      else {
        const p = ethers.getAddress(m.locator.patientHex);
        gone.set(p, (gone.get(p) ?? 0) + 1);
      }
    }
    if (found >= b.leafCount) {
      this.complete.set(b.batchId, b.root.toLowerCase());
      return null;
    }
    return difference(found, gone, 'records');
  }

  /** The store's tree of an anchored batch (the one anchored under its id), if the store has it. */
  private async treeOf(b: OpenBatch): Promise<number | undefined> {
    const store = this.store();
    const trees = await store.treesWithRoot(b.root);
    for (const t of trees) if ((await store.tree(t)).anchor?.batchId === b.batchId) return t;
    return trees[0];
  }

  /**
   * Extra copies among a patient's newest records (one id filed twice), the batches they are in
   * (with the store's tree each was read from), and the records read (`read`: their locators, see
   * locatorKey). How many of the patient's records in those batches are missing is then read from
   * the batches' member lists (presence only, records just read not looked up again: a station
   * batch holds some thirty patients' readings). A batch whose member list is gone is the whole
   * ward's finding, not the patient's. Bounded (PATIENT_SCAN_RECORDS, about a history's first
   * page), so a first open stays fast; from a history, the records of its newest page (up to as
   * many, the last 72 hours).
   */
  private async scanRecords(patient: string, newest: Promise<readonly StoredEntry[]> | undefined): Promise<{ extraCopies: number; batches: Array<{ batchId: number; root: string; treeNo: number }>; read: Set<string> }> {
    const store = this.store();
    const ids = new Set<string>();
    const read = new Set<string>();
    const batches = new Map<number, { root: string; block: number; treeNo: number }>();
    let extraCopies = 0;
    for (const e of newest ? await newest : (await store.window(patient, { limit: PATIENT_SCAN_RECORDS, proofs: false })).items) {
      // The id as the store read it from the body: no record is decoded for this scan (5,000 a first open).
      const id = (e.stored?.id ?? e.record.id).toLowerCase();
      if (ids.has(id)) extraCopies++;
      ids.add(id);
      if (e.locator) read.add(locatorKey(e.locator.bytes));
      // The tree the anchor was read from is the batch's (its stored anchor names this batch id).
      if (e.anchor && e.anchorTree && !batches.has(e.anchor.batchId)) batches.set(e.anchor.batchId, { root: e.anchor.root.toLowerCase(), block: e.anchor.block, treeNo: e.anchorTree.treeNo });
    }
    // Batch and leaf count as the chain has them (a root the chain does not know is the verifier's
    // finding: the record is shown as tampered). A batch this process already found complete under
    // the same id and root is not asked again: an eth_call per batch (a VM over the state trie on
    // the chain's thread, 4–6 ms each) was most of an ordinary patient's first open, whose newest
    // records span a hundred batches (station batches shared by the ward, a person's saves each
    // their own). The rest are read from the BatchAnchored events of the blocks the records name,
    // by root (one log query per stretch of nearby blocks; 223 eth_calls took 2.4 s of a 72 h
    // first open at 1,000,000 records under load). The event carries what anchorOf answers (id,
    // root, leaf count; a root is anchored once); a root not found there, e.g. its block edited
    // in the store, is asked by root. A root this station anchored or looked up before is known to
    // be on the chain (RootsOnChain: tagged in the store) and is not asked at all: the log query
    // reads every block of its stretch, and 72 hours of a ward are some 10,000 blocks (an anchor
    // every 30 s, an audit every read).
    const unknown = [...batches].filter(([batchId, b]) => this.complete.get(batchId) !== b.root);
    const checked: Array<{ batchId: number; root: string; treeNo: number }> = [];
    const toAsk: typeof unknown = [];
    for (const [batchId, b] of unknown) {
      if (this.rootKnown(b.root)) checked.push({ batchId, root: b.root, treeNo: b.treeNo });
      else toAsk.push([batchId, b]);
    }
    const c = this.contracts();
    const found = new Map<string, { batchId: number }>();
    for (const stretch of stretchesOf(toAsk.map(([, b]) => b))) {
      for (const e of await c.batchesWithRoots(stretch.roots, stretch.from, stretch.to)) found.set(e.root, e);
    }
    const rest = toAsk.filter(([, b]) => !found.has(b.root));
    const asked = await Promise.all(rest.map(([, b]) => c.anchorOf(b.root)));
    rest.forEach(([, b], i) => {
      const a = asked[i];
      if (a) found.set(b.root, a);
    });
    for (const [batchId, { root, treeNo }] of toAsk) {
      if (found.get(root)?.batchId === batchId) checked.push({ batchId, root, treeNo });
    }
    return { extraCopies, batches: checked, read };
  }

  // ------------------------------------------------------------------------------ consent

  /**
   * Consent in force here against the chain's state. A grant the chain has revoked (or never had)
   * is revoked here as the chain did it: the grant ends and the patient's current key scope too, so
   * the grantee is refused at once and left out of future records. A grant the chain has and this
   * store lacks cannot be put in force here (the grantee's copies of the patient's keys need the
   * patient's key): it is reported, the grantee stays refused, and the patient's next grant on this
   * workstation finishes it (ConsentService follows the chain).
   */
  private async consentOf(pairs: Array<[string, string]>): Promise<ConsentDifference[]> {
    const c = this.contracts();
    const store = this.store();
    const out: ConsentDifference[] = [];
    for (const [patient, grantee] of pairs) {
      const chain = await c.isGranted(patient, grantee);
      const local = store.hasGrant(patient, grantee);
      if (chain === local) continue;
      if (!chain) {
        const mined = await c.findConsentChange('revoke', patient, grantee, this.identity.wardConfig.registryBlock);
        const current = store.currentScope(patient);
        await store.write((w) => {
          if (current) w.scopeEnd(patient, current);
          w.consent({ t: 'consent', patient, grantee, action: 'revoke', at: Date.now(), tx: mined?.tx ?? '' });
        });
      }
      out.push({ patient, grantee, chain: chain ? 'granted' : 'not granted', store: local ? 'granted' : 'not granted', corrected: !chain });
    }
    return out;
  }

  // ------------------------------------------------------------------------------ audit

  /**
   * Write back the chain's audited accesses of a patient that have no local entry (matched by
   * transaction, actor and action; a list transaction audits several patients). Local entries
   * older than `since` are not read (0: all of them).
   */
  private async restoreAudits(patient: string, events: readonly AuditOnChain[], since: number): Promise<number> {
    const store = this.store();
    const local = new Map<string, number>();
    let cursor: string | null = null;
    do {
      const page: { items: ActivityEntry[]; next: string | null } = await store.activity({ patient, limit: 1000, cursor });
      for (const a of page.items) if (a.t === 'audit') local.set(auditKey(a), (local.get(auditKey(a)) ?? 0) + 1);
      cursor = page.items.length && page.items.at(-1)!.at < since ? null : page.next;
    } while (cursor);
    const missing: AuditRecord[] = [];
    for (const e of events) {
      const k = auditKey(e);
      const n = local.get(k) ?? 0;
      if (n > 0) local.set(k, n - 1);
      else missing.push({ t: 'audit', actor: e.actor, patient, action: e.action, breakGlass: e.breakGlass, reason: null, at: e.timestamp * 1000, block: e.block, tx: e.tx, restored: true });
    }
    if (missing.length) await store.write((w) => missing.forEach((a) => w.audit(a)));
    return missing.length;
  }

  private async patientsByRef(): Promise<Map<string, string>> {
    const members = await this.identity.registry.members();
    return new Map(members.filter((m) => m.role === 'patient').map((m) => [this.patients.refOf(m.address).toLowerCase(), m.address]));
  }

  // ------------------------------------------------------------------------------ checkpoint

  private stationAddress(): string | null {
    const k = this.stationKey();
    return k ? new ethers.Wallet(k).address : null;
  }

  private tags(): VerifiedCache | null {
    const key = this.stationKey();
    if (!key) return null;
    if (this.tagger?.key !== key) this.tagger = { key, cache: new VerifiedCache(hkdf(sha256, hexToBytes(key), undefined, new TextEncoder().encode('wardledger/chain-check/v1'), 32)) };
    return this.tagger.cache;
  }

  private static facts(block: number, open: readonly OpenBatch[], sweep: number, events?: number) {
    // `events` is covered only when present: a checkpoint written before it existed keeps its tag.
    const fields = events === undefined ? { block, open, sweep } : { block, open, sweep, events };
    return { recordId: ethers.ZeroHash, signedFields: JSON.stringify(fields), ciphertextHash: '', signature: '', anchorRoot: null, scope: 'ward-chain-check' };
  }

  /** The checkpoint, if its tag is this station's (anything else: check from the ward's setup). */
  private async checkpoint(): Promise<Checkpoint | null> {
    const cp = await this.store().state<Checkpoint>(CHECKPOINT);
    const tags = this.tags();
    if (!cp || !tags || typeof cp.block !== 'number' || typeof cp.sweep !== 'number' || !Array.isArray(cp.open) || (cp.events !== undefined && typeof cp.events !== 'number')) return null;
    if (!tags.isStillVerified(ChainCheck.facts(cp.block, cp.open, cp.sweep, cp.events), cp.tag)) {
      log('warn', 'store_check.checkpoint_rejected');
      return null;
    }
    return cp;
  }

  private async saveCheckpoint(block: number, batches: readonly OpenBatch[], sweep: number, events?: number): Promise<void> {
    const tags = this.tags();
    if (!tags) return;
    const open = batches.map(({ batchId, root, leafCount }) => ({ batchId, root, leafCount }));
    await this.store().write((w) => w.state(CHECKPOINT, { block, open, sweep, ...(events === undefined ? {} : { events }), tag: tags.tagOf(ChainCheck.facts(block, open, sweep, events)) }));
  }
}

function auditKey(a: { tx: string; actor: string; action: number }): string {
  return `${a.tx.toLowerCase()}|${a.actor.toLowerCase()}|${a.action}`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function findingsOf(r: StoreCheckReport): string[] {
  const out: string[] = [];
  for (const b of r.batches) {
    if (b.problem === 'batch') out.push(`Anchor batch ${b.batchId} (${plural(b.leafCount, 'record', 'records')}) is on the ward chain but not in this workstation's store. Restore the store from a backup.`);
    else {
      const whose = b.patients.length ? ` (${plural(b.patients.length, 'patient', 'patients')} known)` : '';
      out.push(`Anchor batch ${b.batchId}: ${plural(b.missing, 'record', 'records')} of ${b.leafCount} anchored on the ward chain ${b.missing === 1 ? 'is' : 'are'} missing from this workstation's store${whose}. Restore the store from a backup.`);
    }
  }
  for (const d of r.consent) {
    out.push(
      d.corrected
        ? 'This workstation let someone read a record although the patient revoked (or never gave) their consent on the ward chain; the grant was revoked here too, and access now follows the chain.'
        : "A patient's grant of access on the ward chain is not in force on this workstation: the person stays refused here until the patient shares their record again on this workstation.",
    );
  }
  if (r.auditRestored) out.push(`${plural(r.auditRestored, 'access-log entry was', 'access-log entries were')} missing from this workstation's store and ${r.auditRestored === 1 ? 'was' : 'were'} restored from the ward chain (the written reasons are not available locally).`);
  return out;
}

function patientWarning(r: PatientStoreCheck): string | null {
  const parts: string[] = [];
  if (r.missingRecords) parts.push(`${plural(r.missingRecords, 'record', 'records')} of this patient anchored on the ward chain ${r.missingRecords === 1 ? 'is' : 'are'} missing from this workstation's store: what is shown is incomplete. Restore the store from a backup and tell the IT admin.`);
  if (r.missingUnattributed) parts.push(`${plural(r.missingUnattributed, 'record', 'records')} anchored on the ward chain ${r.missingUnattributed === 1 ? 'is' : 'are'} missing from this workstation's store and whose ${r.missingUnattributed === 1 ? 'it was' : 'they were'} is no longer known: this patient's history may be incomplete. Restore the store from a backup and tell the IT admin.`);
  if (r.extraCopies) parts.push(`${plural(r.extraCopies, 'extra copy', 'extra copies')} of this patient's records ${r.extraCopies === 1 ? 'was' : 'were'} found in this workstation's store and ${r.extraCopies === 1 ? 'is' : 'are'} not counted twice: the store was altered. Tell the IT admin.`);
  if (r.consentCorrected) parts.push(`Who may read this record had been changed in this workstation's store; it follows the ward chain again (${plural(r.consentCorrected, 'grant', 'grants')} revoked here as on the chain).`);
  if (r.consentMissing) parts.push(`${plural(r.consentMissing, 'grant', 'grants')} of access on the ward chain ${r.consentMissing === 1 ? 'is' : 'are'} not in force on this workstation: until the patient shares their record again here, ${r.consentMissing === 1 ? 'that person is' : 'those people are'} refused.`);
  if (r.auditRestored) parts.push(`${plural(r.auditRestored, 'access-log entry', 'access-log entries')} of this patient had been deleted from this workstation's store and ${r.auditRestored === 1 ? 'was' : 'were'} restored from the ward chain (without the written reasons).`);
  return parts.length ? parts.join(' ') : null;
}
