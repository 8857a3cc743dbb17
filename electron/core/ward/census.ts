/**
 * A patient's observation status as this reader may see it (the board's rows and the doctors'
 * lists both come from here): their records read newest first, decrypted with the reader's keys
 * and verified, through observationStatus.ts.
 */
import type { Actor } from '../identity/actor';
import type { ObservationStatus } from '../model/ward';
import type { OpenedRecord } from '../records/provenance';
import type { RecordReader } from '../records/recordReader';
import type { RecordVerifier } from '../records/recordVerifier';
import { isNoAmends } from '../records/recordCodec';
import type { Admission } from './admissions';
import { observationStatus, type ScannedRecord } from './observationStatus';

function scanned(o: OpenedRecord): ScannedRecord {
  const r = o.record;
  return {
    id: r.id,
    kind: r.kind,
    createdAt: r.createdAt,
    authorRole: r.authorRole,
    amends: isNoAmends(r.amends) ? null : r.amends,
    status: o.provenance.status,
    problem: o.provenance.problems[0] ?? null,
    content: o.sealed?.content ?? null,
  };
}

async function* scannedAll(records: AsyncIterable<OpenedRecord>): AsyncGenerator<ScannedRecord> {
  for await (const o of records) yield scanned(o);
}

export class Census {
  constructor(
    private readonly reader: RecordReader,
    private readonly verifier: RecordVerifier,
  ) {}

  /** Where this admitted patient's observations stand, as the actor may read them. */
  status(actor: Actor, a: Admission, now = Date.now()): Promise<ObservationStatus> {
    return observationStatus(scannedAll(this.reader.newestFirst(actor, a.patient)), this.verifier.failuresOf(a.patient).map(scanned), a, now);
  }
}
