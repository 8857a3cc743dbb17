/** An InboxSink for tests: what reached the ward, how often, and from whom. */
import type { ReceivedRecord } from '../../electron/core/consortium/batch';
import type { ScopeGrant } from '../../electron/core/consortium/payload';
import type { InboxSink, ReceivedShare, SenderWard } from '../../electron/core/consortium/syncPorts';

export class MemoryInbox implements InboxSink {
  readonly records = new Map<string, { record: ReceivedRecord; from: SenderWard; deliveries: number }>();
  readonly scopeGrants: Array<{ grant: ScopeGrant; from: SenderWard; block: number }> = [];

  /** How many receive calls (each one durable write on a real sink). */
  writes = 0;

  async receive(shares: ReceivedShare[]): Promise<void> {
    this.writes++;
    for (const { records, from } of shares) {
      for (const record of records) {
        const known = this.records.get(record.id.toLowerCase());
        this.records.set(record.id.toLowerCase(), { record, from, deliveries: (known?.deliveries ?? 0) + 1 });
      }
    }
  }

  async scopeGrant(grant: ScopeGrant, from: SenderWard, block: number): Promise<void> {
    this.scopeGrants.push({ grant, from, block });
  }
}
