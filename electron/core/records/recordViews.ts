/** A record as the screens show it: content, author, amendments and provenance. */
import type { PersonRef } from '../model/people';
import type { RecordView } from '../model/records';
import type { OpenedRecord } from './provenance';
import { isNoAmends } from './recordCodec';

/**
 * @param amendedBy the ids of the records amending each record (the store's amendment index)
 * @param names the author as the reader may name them (undefined: the name signed in the record);
 *   readings the station recorded always show the device name they were signed with
 */
export function recordView(opened: OpenedRecord, amendedBy: ReadonlyMap<string, string[]>, names: (address: string) => PersonRef | undefined): RecordView {
  const r = opened.record;
  const fromRecord: PersonRef = { address: r.author, name: opened.sealed?.authorName ?? 'Unknown author', role: r.authorRole };
  const author = r.authorRole === 'station' ? fromRecord : (names(r.author) ?? fromRecord);
  return {
    id: r.id,
    kind: r.kind,
    createdAt: new Date(r.createdAt).toISOString(),
    author,
    amends: isNoAmends(r.amends) ? null : r.amends,
    amendedBy: amendedBy.get(r.id) ?? [],
    content: opened.sealed?.content ?? null,
    provenance: opened.provenance,
  };
}
