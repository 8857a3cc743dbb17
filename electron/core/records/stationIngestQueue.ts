/**
 * Ward-scale streaming ingest: readings from every bound monitor go through one queue that flushes
 * them together (group commit), so one batch signature, one fsync and one anchor transaction cover
 * many readings. A reading's promise resolves only once it is durable and anchored. Two batches
 * may be in flight, so the next one is prepared (encrypted, signed) while the last one anchors.
 */
import type { ethers } from 'ethers';
import { WardError } from '../model/errors';
import type { StationReading, StationWriter } from './stationWriter';
import type { StoredRecord } from '../storage/storedRecord';

export type IngestItem = Omit<StationReading, 'createdAt'>;

interface Waiting {
  item: IngestItem;
  resolve: (r: StoredRecord) => void;
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

  /** Queue a reading; resolves with its record when durable and anchored. */
  submit(item: IngestItem): Promise<StoredRecord> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.inFlight < this.maxInFlight) queueMicrotask(() => this.flush());
    });
  }

  private flush(): void {
    if (this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
    const batch = this.waiting.splice(0, this.maxBatch);
    this.inFlight++;
    this.writer
      .ingest(this.station(), batch.map((w) => w.item))
      .then(
        (records) => {
          this.stats.batches++;
          this.stats.readings += records.length;
          records.forEach((r, i) => batch[i]!.resolve(r));
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
