/**
 * A ward outbox for the sync engine's tests: records in write order in a LevelDB database of its
 * own (classic-level, durable writes), so a test can kill the publishing process with SIGKILL and
 * start it again on the same directory. It keeps what markPublished says about every record, and
 * counts how often a record was marked (exactly once on the consortium; marking may repeat after
 * a crash, the place must not change).
 *
 * Not the ward's store: storage/WardStore keeps its own outbox (T.outbox); the core wires that one
 * to the engine through the same OutboxSource interface.
 */
import { ClassicLevel } from 'classic-level';
import type { ShareRecipient } from '../../electron/core/consortium/batch';
import type { AuthorCredential } from '../../electron/core/consortium/credentials';
import type { PublishableRecord } from '../../electron/core/consortium/payload';
import type { OutboxEntry, OutboxSource, PublishedPlace, PublishedRecordPlace } from '../../electron/core/consortium/syncPorts';

const pad = (n: number) => String(n).padStart(12, '0');

export interface PublishedMark extends Omit<PublishedPlace, 'records' | 'shares'> {
  place: PublishedRecordPlace;
  /** How often it was marked, and whether a later mark named another batch or place. */
  marks: number;
  changed: boolean;
}

export class LevelOutbox implements OutboxSource {
  private seq = 0;
  private waiting = 0;

  private constructor(
    private readonly db: ClassicLevel<string, string>,
    private readonly credentials: AuthorCredential[],
    private readonly recipients: (patient: string) => ShareRecipient[],
  ) {}

  static async open(dir: string, credentials: AuthorCredential[] = [], recipients: (patient: string) => ShareRecipient[] = () => []): Promise<LevelOutbox> {
    const db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    const box = new LevelOutbox(db, credentials, recipients);
    for await (const key of db.keys({ gte: 'o!', lt: 'o!\xff', reverse: true, limit: 1 })) box.seq = Number(key.slice(2));
    for await (const key of db.keys({ gte: 'r!', lt: 'r!\xff', reverse: true, limit: 1 })) box.seq = Math.max(box.seq, Number(key.slice(2)));
    for await (const _ of db.keys({ gte: 'o!', lt: 'o!\xff' })) box.waiting++;
    return box;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** Write records (the ward's write path), in order. */
  async add(records: PublishableRecord[]): Promise<void> {
    const ops = records.flatMap((r) => {
      const seq = ++this.seq;
      return [
        { type: 'put' as const, key: `r!${pad(seq)}`, value: JSON.stringify(r) },
        { type: 'put' as const, key: `o!${pad(seq)}`, value: r.id },
        { type: 'put' as const, key: `i!${r.id.toLowerCase()}`, value: String(seq) },
      ];
    });
    await this.db.batch(ops, { sync: true });
    this.waiting += records.length;
  }

  async next(after: number, limit: number): Promise<OutboxEntry[]> {
    const seqs: number[] = [];
    for await (const key of this.db.keys({ gt: `o!${pad(after)}`, lt: 'o!\xff', limit })) seqs.push(Number(key.slice(2)));
    const bodies = await this.db.getMany(seqs.map((seq) => `r!${pad(seq)}`));
    return seqs.map((seq, i) => ({ seq, record: JSON.parse(bodies[i]!) as PublishableRecord }));
  }

  async count(): Promise<number> {
    return this.waiting;
  }

  async markPublished(ids: string[], place: PublishedPlace): Promise<void> {
    const seqs = new Map<string, number>();
    const positions = await this.db.getMany(ids.map((id) => `i!${id.toLowerCase()}`));
    const waiting = await this.db.getMany(positions.map((p) => (p === undefined ? 'o!none' : `o!${pad(Number(p))}`)));
    ids.forEach((id, i) => {
      if (waiting[i] !== undefined) seqs.set(id.toLowerCase(), Number(positions[i]));
    });
    const { records, shares: _shares, ...where } = place;
    const ops = [];
    for (const r of records) {
      const raw = await this.db.get(`p!${r.id.toLowerCase()}`);
      const prior = raw ? (JSON.parse(raw) as PublishedMark) : null;
      const changed = !!prior && (prior.changed || prior.batchId !== where.batchId || JSON.stringify(prior.place) !== JSON.stringify(r));
      const mark: PublishedMark = prior ? { ...prior, marks: prior.marks + 1, changed } : { ...where, place: r, marks: 1, changed: false };
      ops.push({ type: 'put' as const, key: `p!${r.id.toLowerCase()}`, value: JSON.stringify(mark) });
      const seq = seqs.get(r.id.toLowerCase());
      if (seq !== undefined) ops.push({ type: 'del' as const, key: `o!${pad(seq)}` });
    }
    await this.db.batch(ops, { sync: true });
    this.waiting -= seqs.size;
  }

  credentialOf(author: string): AuthorCredential | undefined {
    return this.credentials.find((c) => c.member.toLowerCase() === author.toLowerCase());
  }

  recipientsOf(patient: string): ShareRecipient[] {
    return this.recipients(patient);
  }

  /** Every record written, in order. */
  async all(): Promise<PublishableRecord[]> {
    const out: PublishableRecord[] = [];
    for await (const value of this.db.values({ gte: 'r!', lt: 'r!\xff' })) out.push(JSON.parse(value) as PublishableRecord);
    return out;
  }

  /** What markPublished said about each record, by id (lowercase). */
  async published(): Promise<Map<string, PublishedMark>> {
    const out = new Map<string, PublishedMark>();
    for await (const [key, value] of this.db.iterator({ gte: 'p!', lt: 'p!\xff' })) out.set(key.slice(2), JSON.parse(value) as PublishedMark);
    return out;
  }
}
