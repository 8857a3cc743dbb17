/** A record as the screens show it: content, author, times, amendments and provenance. */
import type { PersonRef } from '../model/people';
import type { RecordContent, RecordView } from '../model/records';
import type { OpenedRecord } from './provenance';
import { isNoAmends } from './recordCodec';
import type { RecordStore } from './recordStore';

/** When a record's observation was made: its signed measured time, else (records before it existed, notes) its createdAt. */
export function measuredAtOf(content: RecordContent | null | undefined, createdAt: number): string {
  return content?.measuredAt ?? new Date(createdAt).toISOString();
}

/**
 * Records corrected by a later record that verified and can be read: they are superseded (struck
 * through, their score no longer counted). A correction that failed verification supersedes
 * nothing: the original stays in force and the failure is shown.
 */
export function supersededIds(opened: readonly OpenedRecord[]): Set<string> {
  const out = new Set<string>();
  for (const o of opened) {
    if (isNoAmends(o.record.amends) || !o.sealed || o.provenance.status === 'tampered' || o.provenance.status === 'unverifiable') continue;
    out.add(o.record.amends);
  }
  return out;
}

/**
 * @param names the author as the reader may name them (undefined: the name signed in the record);
 *   readings the station recorded always show the device name they were signed with
 * @param superseded whether a verified later record corrects this one (see supersededIds)
 */
export function recordView(
  opened: OpenedRecord,
  store: Pick<RecordStore, 'amendedBy'>,
  names: (address: string) => PersonRef | undefined,
  superseded: boolean,
): RecordView {
  const r = opened.record;
  const fromRecord: PersonRef = { address: r.author, name: opened.sealed?.authorName ?? 'Unknown author', role: r.authorRole };
  const author = r.authorRole === 'station' ? fromRecord : (names(r.author) ?? fromRecord);
  return {
    id: r.id,
    kind: r.kind,
    createdAt: new Date(r.createdAt).toISOString(),
    measuredAt: measuredAtOf(opened.sealed?.content, r.createdAt),
    author,
    amends: isNoAmends(r.amends) ? null : r.amends,
    amendedBy: store.amendedBy.get(r.id) ?? [],
    superseded,
    content: opened.sealed?.content ?? null,
    provenance: opened.provenance,
  };
}
