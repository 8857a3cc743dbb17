/**
 * Which care-relationship changes and reads of one patient deserve a second look (issue 9 item 3:
 * "a relationship created only to read is flagged"). A relationship is a responsible doctor's
 * spell (from the change naming them to the next change of doctor or the discharge) or a nurse's
 * admission (from admission to discharge). It is flagged when the person it lets read created it
 * for themself:
 *  - a doctor making themself responsible for a patient who already had records (self-assignment);
 *  - such a relationship (a doctor's self-assignment, a nurse's own admission) that ended within
 *    SHORT_RELATIONSHIP_MS of its start while its creator read the record — the ending change and
 *    the reads in it are flagged;
 *  - reads made through a self-assignment that was flagged.
 * Flags are for review, never a refusal: day cases and handovers are real. Reads by break-glass
 * are flagged as break-glass already and are left out here.
 */
import type { CareChange } from '../model/ward';

/** A relationship created and ended within this time, with a read by its creator, is flagged. */
export const SHORT_RELATIONSHIP_MS = 2 * 3600_000;

export interface ReadEvent {
  actor: string;
  at: number;
  breakGlass: boolean;
}

export type CareFlag =
  | { kind: 'self-assigned' }
  | { kind: 'short-lived'; creator: string; minutes: number }
  | { kind: 'read-in-short-lived'; minutes: number }
  | { kind: 'read-in-self-assigned' };

interface Relationship {
  start: CareChange;
  end: CareChange | null;
  /** Who reads through it: the doctor named, or the admitting nurse. */
  reader: string;
}

/**
 * @param changes one patient's changes, oldest first
 * @param reads the same patient's reads and exports
 * @param hadRecordsBefore whether the patient had records before a time
 * @param isNurse whether an account is a nurse's
 */
export function careFlags<R extends ReadEvent>(
  changes: readonly CareChange[],
  reads: readonly R[],
  hadRecordsBefore: (at: number) => boolean,
  isNurse: (address: string) => boolean,
): { changes: Map<CareChange, CareFlag>; reads: Map<R, CareFlag> } {
  const changeFlags = new Map<CareChange, CareFlag>();
  const readFlags = new Map<R, CareFlag>();
  const readsIn = (reader: string, from: number, to: number) => reads.filter((r) => !r.breakGlass && r.actor === reader && r.at >= from && r.at <= to);

  for (const rel of relationships(changes, isNurse)) {
    if (rel.start.by !== rel.reader) continue; // created by someone else: an ordinary relationship
    const selfAssigned = rel.start.doctor === rel.reader && hadRecordsBefore(rel.start.at);
    if (selfAssigned) changeFlags.set(rel.start, { kind: 'self-assigned' });
    const until = rel.end?.at ?? Number.POSITIVE_INFINITY;
    const inIt = readsIn(rel.reader, rel.start.at, until);
    if (rel.end && rel.end.at - rel.start.at < SHORT_RELATIONSHIP_MS && inIt.length > 0) {
      const minutes = Math.max(1, Math.round((rel.end.at - rel.start.at) / 60_000));
      changeFlags.set(rel.end, { kind: 'short-lived', creator: rel.reader, minutes });
      for (const r of inIt) readFlags.set(r, { kind: 'read-in-short-lived', minutes });
    } else if (selfAssigned) {
      for (const r of inIt) readFlags.set(r, { kind: 'read-in-self-assigned' });
    }
  }
  return { changes: changeFlags, reads: readFlags };
}

function relationships(changes: readonly CareChange[], isNurse: (address: string) => boolean): Relationship[] {
  const out: Relationship[] = [];
  let doctor: Relationship | null = null;
  let admission: Relationship | null = null;
  for (const c of changes) {
    if (c.change !== 'admit' && doctor) {
      doctor.end = c;
      doctor = null;
    }
    if (c.change === 'discharge' && admission) {
      admission.end = c;
      admission = null;
    }
    if (c.change === 'admit' && isNurse(c.by)) out.push((admission = { start: c, end: null, reader: c.by }));
    if (c.change !== 'discharge' && c.doctor) out.push((doctor = { start: c, end: null, reader: c.doctor }));
  }
  return out;
}
