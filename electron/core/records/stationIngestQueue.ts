/**
 * Ward-scale streaming ingest: readings from every bound monitor go through one queue that flushes
 * them together (group commit), so one batch signature and one fsync cover many readings. A
 * reading is acknowledged once it is durable (signed, encrypted, on disk: it survives kill -9);
 * its anchor follows, gathered with other readings by the anchor queue (`anchored`). Two batches
 * may be in flight, so the next one is prepared (encrypted, signed) while the last one is written.
 */
import type { ethers } from 'ethers';
import { WardError } from '../model/errors';
import type { StoredRecord } from '../storage/storedRecord';
import type { StationReading, StationWriter } from './stationWriter';

export type IngestItem = Omit<StationReading, 'createdAt'>;

/** A durable reading, and its anchoring (resolves once anchored on the ward chain). */
export interface IngestedReading {
  record: StoredRecord;
  anchored: Promise<void>;
}

interface Waiting {
  item: IngestItem;
  resolve: (r: IngestedReading) => void;
  reject: (e: Error) => void;
}

export class StationIngestQueue {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  readonly stats = { batches: 0, readings: 0 };

  constructor(
    private readonly writer: StationWriter,
    private readonly station: () => ethers.Wallet,
    private readonly maxBatch = 1000,
    private readonly maxInFlight = 2,
  ) {}

  /** Queue a reading; resolves with its record once durable (and `anchored` once anchored). */
  submit(item: IngestItem): Promise<IngestedReading> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.inFlight < this.maxInFlight) queueMicrotask(() => this.flush());
    });
  }

  /** Queue a reading; resolves with its record once durable and anchored. */
  async submitAnchored(item: IngestItem): Promise<StoredRecord> {
    const { record, anchored } = await this.submit(item);
    await anchored;
    return record;
  }

  private flush(): void {
    if (this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
    const batch = this.waiting.splice(0, this.maxBatch);
    this.inFlight++;
    this.writer
      .ingest(this.station(), batch.map((w) => w.item))
      .then(
        ({ records, anchored }) => {
          this.stats.batches++;
          this.stats.readings += records.length;
          records.forEach((record, i) => batch[i]!.resolve({ record, anchored }));
        },
        (e: unknown) => {
          const err = e instanceof WardError ? e : new WardError('INTERNAL', 'Recording device readings failed.');
          for (const w of batch) w.reject(err);
        },
      )
      .finally(() => {
        this.inFlight--;
        this.flush();
      });
  }
}
