/**
 * The parts of an opened block that need no ward (records/openedBlocks.ts): a sealed block opens
 * only at its own place (patient, hour, memo family) under its own family's key, and a block may be
 * written only for an hour every record of which is in a page. What a block vouches for at a ward's
 * read is tested in test/integration/records/openedBlocks.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { gcmEncrypt, GCM_NONCE_BYTES } from '../../../electron/core/crypto/aesGcm';
import { describe, expect, it } from 'vitest';
import { BLOCK_MS, BlockFamily, BlockSeal, blockDigest, blockHours, blockMembers, groupForBlocks, hourOf, type OpenedBlock } from '../../../electron/core/records/openedBlocks';

const patient = '0x' + 'ab'.repeat(20);
const other = '0x' + 'cd'.repeat(20);
const hour = hourOf(Date.UTC(2026, 10, 29, 9, 30));
const block: OpenedBlock = { ids: ['0x' + '01'.repeat(32)], digest: 'ZGlnZXN0', sealed: [{ v: 1, id: '0x' + '01'.repeat(32), patient, kind: 'note', author: other, createdAt: hour + 1, nonce: '0x00', authorName: 'N', content: { note: 'x' } }], fields: [['nurse', '0x' + '00'.repeat(32), 1, '0x' + '22'.repeat(16), '0x' + '33'.repeat(12)]] };

describe('a sealed opened block', () => {
  const team = new BlockSeal(BlockFamily.team, randomBytes(32));
  const at = { patient, hour, family: BlockFamily.team };
  const sealed = team.seal(at, block);

  it('opens at its place under its key, and nowhere else', () => {
    expect(team.open(at, sealed)).toEqual(block);
    expect(team.open({ ...at, hour: hour + BLOCK_MS }, sealed)).toBeNull();
    expect(team.open({ ...at, patient: other }, sealed)).toBeNull();
    expect(team.open({ ...at, family: BlockFamily.station }, sealed)).toBeNull();
    expect(new BlockSeal(BlockFamily.team, randomBytes(32)).open(at, sealed)).toBeNull();
  });

  it('does not open with any byte changed, cut short, or in another format', () => {
    for (const i of [0, 1, 13, 30, sealed.length - 1]) {
      const edited = Uint8Array.from(sealed);
      edited[i]! ^= 1;
      expect(team.open(at, edited)).toBeNull();
    }
    expect(team.open(at, sealed.subarray(0, 20))).toBeNull();
    expect(team.open(at, new Uint8Array())).toBeNull();
  });

  it('seals the same block differently each time (a fresh nonce)', () => {
    expect(Buffer.from(team.seal(at, block)).equals(Buffer.from(sealed))).toBe(false);
  });

  it('packs what members share once (format 3), and opens to exactly the block sealed', () => {
    const id = (n: number) => '0x' + n.toString(16).padStart(64, '0');
    const scope = (n: number) => '0x' + String(n).repeat(32);
    const hourOfReadings: OpenedBlock = {
      ids: [1, 2, 3, 4].map(id),
      digest: 'ZGlnZXN0',
      sealed: [1, 2, 3, 4].map((n) => ({ v: 1 as const, id: id(n), patient, kind: n === 4 ? ('amendment' as const) : ('vitals' as const), author: n === 4 ? other : patient, createdAt: hour + n, nonce: '0x' + String(n).repeat(32), authorName: n === 4 ? 'Nurse N' : 'CMS50E', content: n === 4 ? { note: 'every 4–6 hours' } : { vitals: { spo2: 90 + n } } })),
      fields: [1, 2, 3, 4].map((n) => [n === 4 ? 'nurse' : 'station', n === 4 ? id(1) : '0x' + '00'.repeat(32), 1, scope(n === 4 ? 2 : 1), '0x' + String(n).repeat(24)] as OpenedBlock['fields'][number]),
    };
    const bytes = team.seal(at, hourOfReadings);
    expect(bytes[0]).toBe(3);
    expect(team.open(at, bytes)).toEqual(hourOfReadings);
    // Content that does not name its member as the block does is not packed: sealed as it is.
    const odd = { ...hourOfReadings, sealed: [{ ...hourOfReadings.sealed[0]!, id: id(9) }, ...hourOfReadings.sealed.slice(1)] };
    const asIs = team.seal(at, odd);
    expect(asIs[0]).toBe(2);
    expect(team.open(at, asIs)).toEqual(odd);
  });

  it('opens a block of format 2, as the build before sealed it', () => {
    const key = randomBytes(32);
    const aad = Buffer.concat([Buffer.from('WardLedger/opened-block/v1', 'utf8'), Buffer.from(patient.toLowerCase(), 'utf8'), Buffer.from([...Buffer.from(BigInt(hour).toString(16).padStart(16, '0'), 'hex'), BlockFamily.team])]);
    const nonce = randomBytes(GCM_NONCE_BYTES);
    const body = gcmEncrypt(key, nonce, deflateRawSync(Buffer.from(JSON.stringify(block), 'utf8')), aad);
    const bytes = Uint8Array.from([2, ...nonce, ...body]);
    expect(new BlockSeal(BlockFamily.team, key).open(at, bytes)).toEqual(block);
    expect(new BlockSeal(BlockFamily.team, key).open(at, Uint8Array.from([1, ...nonce, ...body]))).toBeNull();
  });
});

describe('the digest a block binds its members by', () => {
  const member = (body: number[]) => ({
    stored: { id: '0x' + '01'.repeat(32), patient, body: Uint8Array.from(body), signedBy: null },
    anchor: { root: '0x' + '11'.repeat(32), batchId: 3, block: 40, tx: '0x', proof: [] },
  });

  it('changes with any member’s bytes, its anchor, or the members’ order', () => {
    const a = member([1, 2, 3]);
    const b = member([4, 5]);
    const d = blockDigest([a, b]);
    expect(blockDigest([a, b])).toBe(d);
    expect(blockDigest([b, a])).not.toBe(d);
    expect(blockDigest([a, member([4, 6])])).not.toBe(d);
    expect(blockDigest([a, { ...b, anchor: { ...b.anchor, block: 41 } }])).not.toBe(d);
    // Member boundaries cannot shift: [1,2,3],[4,5] is not [1,2],[3,4,5].
    expect(blockDigest([member([1, 2]), member([3, 4, 5])])).not.toBe(d);
  });
});

describe('which hours of a page a block may be written for', () => {
  const seal = new BlockSeal(BlockFamily.station, randomBytes(32));
  const entry = (at: number, seq: number, opts: { anchored?: boolean; stored?: boolean } = {}) => {
    const id = '0x' + seq.toString(16).padStart(64, '0');
    return {
      at,
      seq,
      stored: opts.stored === false ? undefined : { id, patient, body: new Uint8Array([seq]), signedBy: null },
      anchor: opts.anchored === false ? undefined : { root: '0x' + '11'.repeat(32), batchId: 1, block: 1, tx: '0x', proof: [] },
      record: () => ({ id, patient }),
    };
  };
  const h0 = hour;
  // A page from the middle of h0 to the middle of h0 + 3 hours, newest first as a page is read.
  const page = [entry(h0 + 3 * BLOCK_MS + 60_000, 9), entry(h0 + 2 * BLOCK_MS + 5, 8), entry(h0 + 2 * BLOCK_MS + 4, 7), entry(h0 + BLOCK_MS + 10, 6), entry(h0 + 1800_000, 5)];

  it('only hours strictly inside a contiguous page, members in the store’s order', () => {
    const groups = groupForBlocks(page, () => seal, 'page');
    const byHour = new Map(groups.map((g) => [g.at.hour, g]));
    expect(byHour.get(h0)!.writable).toBe(false); // the page starts inside it
    expect(byHour.get(h0 + 3 * BLOCK_MS)!.writable).toBe(false); // the newest, still filling
    expect(byHour.get(h0 + BLOCK_MS)!.writable).toBe(true);
    expect(byHour.get(h0 + 2 * BLOCK_MS)!.writable).toBe(true);
    expect(byHour.get(h0 + 2 * BLOCK_MS)!.members).toEqual([2, 1]);
    expect(groups.every((g) => g.at.family === BlockFamily.station && g.at.patient === patient)).toBe(true);
  });

  it('none for a list that is not a page, and none for an hour with a record left out', () => {
    expect(groupForBlocks(page, () => seal, 'none').some((g) => g.writable)).toBe(false);
    const pending = [...page.slice(0, 3), entry(h0 + BLOCK_MS + 20, 10, { anchored: false }), ...page.slice(3)];
    const byHour = new Map(groupForBlocks(pending, () => seal, 'page').map((g) => [g.at.hour, g]));
    expect(byHour.get(h0 + BLOCK_MS)!.writable).toBe(false);
    expect(byHour.get(h0 + 2 * BLOCK_MS)!.writable).toBe(true);
    const unsealed = groupForBlocks(page, () => null, 'page');
    expect(unsealed).toEqual([]);
  });

  it('every hour inside a period read whole, and a record left out only holds back its own family', () => {
    const team = new BlockSeal(BlockFamily.team, randomBytes(32));
    // seq 11: a nurse's set (the team's family) not anchored yet, in the hour of 6; seq 12: one the
    // sealing caller does not write (no seal), in the hour of 7 and 8.
    const nurse = { ...entry(h0 + BLOCK_MS + 30, 11, { anchored: false }), record: () => ({ id: 'nurse', patient }) };
    const other = { ...entry(h0 + 2 * BLOCK_MS + 6, 12), record: () => ({ id: 'other', patient }) };
    const entries = [...page, nurse, other];
    const sealOf = (r: { id: string }) => (r.id === 'nurse' ? team : r.id === 'other' ? null : seal);
    const byPlace = new Map(groupForBlocks(entries, sealOf, { from: h0, to: h0 + 3 * BLOCK_MS }).map((g) => [`${g.at.hour}|${g.at.family}`, g]));
    expect(byPlace.get(`${h0}|${BlockFamily.station}`)!.writable).toBe(true); // the period starts with it: whole
    expect(byPlace.get(`${h0 + BLOCK_MS}|${BlockFamily.station}`)!.writable).toBe(true); // the team's record held back no station block
    expect(byPlace.has(`${h0 + BLOCK_MS}|${BlockFamily.team}`)).toBe(false); // its only record is not anchored
    expect(byPlace.get(`${h0 + 2 * BLOCK_MS}|${BlockFamily.station}`)!.members).toEqual([2, 1]); // the record with no seal is no member
    expect(byPlace.get(`${h0 + 3 * BLOCK_MS}|${BlockFamily.station}`)!.writable).toBe(false); // past the period's end
  });
});

describe('which records of an hour a block vouches for', () => {
  const anchor = { root: '0x' + '11'.repeat(32), batchId: 1, block: 1, tx: '0x', proof: [] };
  const entry = (seq: number, id = seq) => ({ at: hour + seq * 1000, seq, anchor, stored: { id: '0x' + id.toString(16).padStart(64, '0'), patient, body: Uint8Array.from([seq, 7]), signedBy: null } });
  const blockOf = (entries: ReturnType<typeof entry>[]): OpenedBlock => ({ ids: entries.map((e) => e.stored.id), digest: blockDigest(entries), sealed: [], fields: [] });

  it('its members read now, in order, with the same bytes — beside records of the hour it does not name', () => {
    const [a, b, c] = [entry(1), entry(2), entry(3)];
    const page = [c, entry(4), b, a]; // newest first, a reading filed later (4) among them
    const [h] = blockHours(page);
    expect(blockMembers(blockOf([a, b, c]), h!, page)).toEqual([3, 2, 0]);
  });

  it('none when a member is missing, edited, out of order or stored twice', () => {
    const [a, b, c] = [entry(1), entry(2), entry(3)];
    const block = blockOf([a, b, c]);
    const check = (page: ReturnType<typeof entry>[]) => blockMembers(block, blockHours(page)[0]!, page);
    expect(check([c, a])).toBeNull();
    expect(check([c, { ...b, stored: { ...b.stored, body: Uint8Array.from([2, 8]) } }, a])).toBeNull();
    expect(check([c, { ...b, anchor: { ...anchor, block: 2 } }, a])).toBeNull();
    expect(check([c, { ...a, at: hour + 2500 }, { ...b, at: hour + 1500 }].reverse())).toBeNull();
    expect(check([c, b, a, { ...entry(5, 2) }])).toBeNull();
  });
});
