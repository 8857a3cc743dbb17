/** A record as the screens show it: content, author, times, amendments and provenance. */
import type { PersonRef } from '../model/people';
import type { RecordContent, RecordView } from '../model/records';
import type { OpenedRecord } from './provenance';
import { isNoAmends } from './recordCodec';

/** When a record's observation was made: its signed measured time, else (records before it existed, notes) its createdAt. */
export function measuredAtOf(content: RecordContent | null | undefined, createdAt: number): string {
  return content?.measuredAt ?? new Date(createdAt).toISOString();
}

/**
 * Records corrected by a later record that verified and can be read, with the ids of those
 * corrections: they are superseded (struck through, their score no longer counted). A correction
 * that failed verification supersedes nothing and is listed as correcting nothing (its `amends`
 * is not trustworthy): the original stays in force and the failure is shown.
 */
export function verifiedCorrections(opened: readonly OpenedRecord[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const o of opened) {
    if (isNoAmends(o.record.amends) || !o.sealed || o.provenance.status === 'tampered' || o.provenance.status === 'unverifiable') continue;
    out.set(o.record.amends, [...(out.get(o.record.amends) ?? []), o.record.id]);
  }
  return out;
}

/**
 * Views made, by the opened record they show: a warm open of a long history reuses the view of a
 * record held opened (the same object) when its corrections and author are the same, instead of
 * building every view again (two ISO dates, the author, the lists) for each reply.
 */
const views = new WeakMap<OpenedRecord, RecordView>();

/**
 * @param names the author as the reader may name them (undefined: the name signed in the record);
 *   readings the station recorded always show the device name they were signed with
 * @param amendedBy the verified later records that correct this one (see verifiedCorrections)
 */
export function recordView(opened: OpenedRecord, amendedBy: readonly string[], names: (address: string) => PersonRef | undefined): RecordView {
  const r = opened.record;
  const signedAs = opened.sealed?.authorName ?? 'Unknown author';
  const named = r.authorRole === 'station' ? undefined : names(r.author);
  const made = views.get(opened);
  if (made && sameIds(made.amendedBy, amendedBy) && (named ? samePerson(made.author, named) : made.author.address === r.author && made.author.name === signedAs && made.author.role === r.authorRole)) return made;
  const view: RecordView = {
    id: r.id,
    kind: r.kind,
    createdAt: new Date(r.createdAt).toISOString(),
    measuredAt: measuredAtOf(opened.sealed?.content, r.createdAt),
    author: named ?? { address: r.author, name: signedAs, role: r.authorRole },
    amends: isNoAmends(r.amends) ? null : r.amends,
    amendedBy: [...amendedBy],
    superseded: amendedBy.length > 0,
    content: opened.sealed?.content ?? null,
    provenance: opened.provenance,
  };
  views.set(opened, view);
  return view;
}

const sameIds = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const samePerson = (a: PersonRef, b: PersonRef): boolean => a === b || (a.address === b.address && a.name === b.name && a.role === b.role && Object.keys(a).length === Object.keys(b).length);
