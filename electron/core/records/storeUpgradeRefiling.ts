/**
 * Complete-set marks for migrated vitals. The migration cannot read content (it is sealed), so it
 * filed every migrated vitals record as a partial set and left amendments out of the vitals index:
 * `latest(patient, 'complete')` and the complete-set index missed them. Once a care-team member
 * (nurse or doctor: their care team key opens every patient's scopes) logs in after the upgrade, a
 * background pass opens the migrated vitals and amendments with their keys — decrypted and
 * verified, as any read — and files each as the live writer would have (recordFiling.ts):
 * 'complete' for a whole NEWS2 set, 'partial' for the rest. Records that do not verify are left
 * as the migration filed them (a forged "complete set" must not time the board). The pass is
 * idempotent; it is marked done only when it settled every candidate, so a record this reader
 * could not open, or one not anchored yet, is tried again at the next care-team login. The pass
 * holds no keys of its own: it asks for the reader's session before each chunk and stops when that
 * session was locked or ended (a reader's keys never outlive their logout in a background task).
 */
import type { Actor } from '../identity/actor';
import { log } from '../platform/log';
import type { StoredEntry, WardStore } from '../storage/wardStore';
import type { StoredRecord } from '../storage/storedRecord';
import type { OpenedRecord } from './provenance';
import { filingOf } from './recordFiling';
import { migrationOf } from './storeUpgrade';

/** What the pass did, kept in the store (state `vitalsRefiled`) once it read every candidate. */
export interface VitalsRefiling {
  at: number;
  /** Migrated vitals and amendments opened. */
  checked: number;
  complete: number;
  partial: number;
  /** Failed verification (tampered, or not checkable): left as migrated. */
  unverified: number;
  /** Not readable with the keys of the person logged in, or not anchored yet: tried again at the next care-team login. */
  later: number;
}

export const VITALS_REFILED = 'vitalsRefiled';

/** The person the pass reads as, while their session is open and unlocked; null once it is not. */
export type ActiveReader = () => Actor | null;

/** Only these kinds may carry vitals (an amendment of a vitals set carries the corrected set). */
const mayCarryVitals = (e: StoredEntry) => e.record.kind === 'vitals' || e.record.kind === 'amendment';

export class MigratedVitalsRefiling {
  private running: Promise<VitalsRefiling | null> | null = null;
  private stopping = false;

  constructor(
    private readonly store: () => WardStore,
    private readonly open: (actor: Actor, entries: StoredEntry[]) => Promise<OpenedRecord[]>,
  ) {}

  /** After a login: start the pass in the background if a care-team member logged in and it is not done. */
  afterLogin(reader: ActiveReader): void {
    if (this.stopping || !careTeamReader(reader())) return;
    void this.run(reader).catch((e: unknown) => log('warn', 'records.refiling_failed', { error: (e as Error).message }));
  }

  /** The core stops: the pass ends after its current chunk (what it filed is kept; it runs again later). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  /**
   * Run the pass (once at a time); null when there is nothing to do (not migrated, done, stopping)
   * or when the reader's session ended or locked before it finished (it runs again at a later login).
   */
  run(reader: ActiveReader): Promise<VitalsRefiling | null> {
    this.running ??= this.pass(reader).finally(() => (this.running = null));
    return this.running;
  }

  private async pass(reader: ActiveReader): Promise<VitalsRefiling | null> {
    const store = this.store();
    const migration = await migrationOf(store);
    if (!migration || (await store.state<VitalsRefiling>(VITALS_REFILED))) return null;
    const done: VitalsRefiling = { at: 0, checked: 0, complete: 0, partial: 0, unverified: 0, later: 0 };
    for await (const chunk of store.allEntries()) {
      if (this.stopping) return null;
      // Records written after the upgrade were filed by their writer; refiling them is harmless.
      const candidates = chunk.filter(mayCarryVitals);
      if (!candidates.length) continue;
      const actor = careTeamReader(reader());
      if (!actor) return null;
      const opened = await this.open(actor, candidates);
      const filings: Array<{ record: StoredRecord; vitals: 'complete' | 'partial' }> = [];
      for (const [i, o] of opened.entries()) {
        done.checked++;
        if (!o.sealed || o.provenance.status === 'pending') done.later++;
        else if (o.provenance.status !== 'verified') done.unverified++;
        else {
          const vitals = filingOf(o.sealed.content).vitals;
          if (vitals) {
            filings.push({ record: candidates[i]!.record, vitals }); // the stored record (an opened one may be a held copy)
            done[vitals]++;
          }
        }
      }
      if (filings.length) {
        await store.write(async (w) => {
          for (const f of filings) await w.indexVitals(f.record, f.vitals);
        });
      }
    }
    done.at = Date.now();
    if (done.later === 0) await store.write((w) => w.state(VITALS_REFILED, done));
    log('info', 'records.refiled_migrated_vitals', { ...done });
    return done;
  }
}

/** A nurse or doctor holding the care team key (it opens every patient's scopes), else null. */
function careTeamReader(actor: Actor | null): Actor | null {
  return actor?.teamKey && (actor.role === 'nurse' || actor.role === 'doctor') ? actor : null;
}
