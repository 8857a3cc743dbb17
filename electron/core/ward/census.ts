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

  /**
   * Where this admitted patient's observations stand, as the actor may read them. A bound monitor
   * records every few seconds, and its readings are never complete sets (no consciousness, no
   * oxygen): only the newest of them can show on the board, so the older ones since the last full
   * set are not opened (the record view verifies every one, and a failure found there is listed
   * on the board too).
   */
  status(actor: Actor, a: Admission, now = Date.now()): Promise<ObservationStatus> {
    let monitorSeen = false;
    const wanted = (r: { authorRole: string }): boolean => {
      if (r.authorRole !== 'station') return true;
      if (monitorSeen) return false;
      monitorSeen = true;
      return true;
    };
    return observationStatus(scannedAll(this.reader.newestFirst(actor, a.patient, wanted)), this.verifier.failuresOf(a.patient).map(scanned), a, now);
  }
}
