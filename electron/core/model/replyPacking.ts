/**
 * Replies packed for the loopback HTTP bridge, unpacked by its clients (runtime-neutral: the
 * server, the renderer's HTTP bridge and the tests' clients use this one module).
 *
 * A history page's record views share their author and their provenance with many others (some
 * two authors and one provenance per anchor on a page of 5,000 readings: the core makes one object
 * per anchor). Electron's IPC keeps that sharing (a structured clone sends a shared object once),
 * JSON does not: each view carried its author and provenance again. On the wire each is sent once,
 * in a table, and a view names it by index; fields at their usual value (no amendment, measured
 * when signed) are left out: a 72 h page of 5,000 readings is 3.3 MB instead of 5.5 MB. Unpacking
 * gives back the very views (deep-equal) the core returned.
 */
import type { PersonRef } from './people';
import type { PatientHistory, Provenance, RecordView } from './records';

/** A record view on the wire: author and provenance by index into the page's tables, usual values left out. */
export interface PackedView extends Omit<RecordView, 'author' | 'provenance' | 'measuredAt' | 'amends' | 'amendedBy' | 'superseded'> {
  author: number;
  provenance: number;
  /** Absent: the same as createdAt. */
  measuredAt?: string;
  /** Absent: amends nothing. */
  amends?: string;
  /** Absent: no later record amends it. */
  amendedBy?: string[];
  /** Absent: false. */
  superseded?: true;
}

export interface PackedViews {
  /** The packing's version: a client that does not know it refuses the reply rather than misread it. */
  packing: 'views/v1';
  authors: PersonRef[];
  provenances: Provenance[];
  views: PackedView[];
}

/**
 * Every field of a record view, as packViews writes it: a field added to RecordView does not
 * compile until it is named here, and written there.
 */
export const PACKED: Readonly<Record<keyof RecordView, 'as is' | 'by index' | 'when not usual'>> = {
  id: 'as is',
  kind: 'as is',
  createdAt: 'as is',
  content: 'as is',
  author: 'by index',
  provenance: 'by index',
  measuredAt: 'when not usual',
  amends: 'when not usual',
  amendedBy: 'when not usual',
  superseded: 'when not usual',
};

export function packViews(views: readonly RecordView[]): PackedViews {
  const authors: PersonRef[] = [];
  const provenances: Provenance[] = [];
  const authorAt = new Map<string, number>();
  // By object first (the core shares one per anchor), then by value (a badge copies it).
  const provenanceAt = new Map<Provenance | string, number>();
  const indexOf = <K, V>(at: Map<K, number>, table: V[], key: K, value: V): number => {
    let i = at.get(key);
    if (i === undefined) {
      i = table.push(value) - 1;
      at.set(key, i);
    }
    return i;
  };
  const packed = views.map((v): PackedView => {
    let p = provenanceAt.get(v.provenance);
    if (p === undefined) {
      p = indexOf(provenanceAt, provenances, JSON.stringify(v.provenance), v.provenance);
      provenanceAt.set(v.provenance, p);
    }
    const { author } = v;
    // Field by field (PACKED names them all): a rest-and-spread copy of 5,000 views took 6 µs each.
    const out: PackedView = { id: v.id, kind: v.kind, createdAt: v.createdAt, author: indexOf(authorAt, authors, `${author.address}|${author.role}|${author.name}`, author), content: v.content, provenance: p };
    if (v.measuredAt !== v.createdAt) out.measuredAt = v.measuredAt;
    if (v.amends !== null) out.amends = v.amends;
    if (v.amendedBy.length) out.amendedBy = v.amendedBy;
    if (v.superseded) out.superseded = true;
    return out;
  });
  return { packing: 'views/v1', authors, provenances, views: packed };
}

/**
 * The views a packed list holds; throws when it is not one this client can read. The packed views
 * (fresh from JSON.parse, nobody else's) are completed in place: a copy of each of 5,000 views cost
 * more than the bytes saved.
 */
export function unpackViews(packed: PackedViews): RecordView[] {
  if (packed?.packing !== 'views/v1' || !Array.isArray(packed.views) || !Array.isArray(packed.authors) || !Array.isArray(packed.provenances)) throw new Error('The records are packed in a form this window does not know.');
  const { authors, provenances } = packed;
  for (const p of packed.views as Array<PackedView & Partial<RecordView>>) {
    const author = authors[p.author as number];
    const provenance = provenances[p.provenance as number];
    if (!author || !provenance) throw new Error('A packed record names an author or provenance the reply does not hold.');
    const view = p as unknown as RecordView;
    view.author = author;
    view.provenance = provenance;
    view.measuredAt ??= p.createdAt;
    view.amends ??= null;
    view.amendedBy ??= [];
    view.superseded = p.superseded === true;
  }
  return packed.views as unknown as RecordView[];
}

type Packer = { pack: (result: never) => unknown; unpack: (wire: never) => unknown };

/** The operations whose results travel packed over HTTP, with how. */
const packers: Record<string, Packer> = {
  'records/history': {
    pack: (h: PatientHistory) => ({ ...h, records: packViews(h.records) }),
    unpack: (w: Omit<PatientHistory, 'records'> & { records: PackedViews }): PatientHistory => ({ ...w, records: unpackViews(w.records) }),
  },
};

/** An operation's result as sent over HTTP (packed where the operation has a packing). */
export function packResult(operation: string, result: unknown): unknown {
  const p = Object.hasOwn(packers, operation) ? packers[operation] : undefined;
  return p ? p.pack(result as never) : result;
}

/** An operation's result as received over HTTP, unpacked; throws when a packed result is malformed. */
export function unpackResult(operation: string, wire: unknown): unknown {
  const p = Object.hasOwn(packers, operation) ? packers[operation] : undefined;
  return p ? p.unpack(wire as never) : wire;
}
