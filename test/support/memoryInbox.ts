/** An InboxSink for tests: what reached the ward, how often, and from whom. */
import type { ReceivedRecord } from '../../electron/core/consortium/batch';
import type { ScopeGrant } from '../../electron/core/consortium/payload';
import type { InboxSink, SenderWard } from '../../electron/core/consortium/syncPorts';

export class MemoryInbox implements InboxSink {
  readonly records = new Map<string, { record: ReceivedRecord; from: SenderWard; deliveries: number }>();
  readonly scopeGrants: Array<{ grant: ScopeGrant; from: SenderWard; block: number }> = [];

  async receive(records: ReceivedRecord[], from: SenderWard): Promise<void> {
    for (const record of records) {
      const known = this.records.get(record.id.toLowerCase());
      this.records.set(record.id.toLowerCase(), { record, from, deliveries: (known?.deliveries ?? 0) + 1 });
    }
  }

  async scopeGrant(grant: ScopeGrant, from: SenderWard, block: number): Promise<void> {
    this.scopeGrants.push({ grant, from, block });
  }
}
