/**
 * A record's sealed bytes (content format 2, records/recordCodec.ts): a 0 byte, then the canonical
 * plaintext as raw DEFLATE (RFC 1951); records sealed before hold the canonical JSON itself and
 * still open. What is signed and hashed stays the canonical plaintext.
 */
import { describe, expect, it } from 'vitest';
import { inflateRawSync } from 'node:zlib';
import { observationContent } from '../../../electron/core/clinical/vitalsAssessment';
import { Wallet } from 'ethers';
import { publicKeyOf } from '../../../electron/core/crypto/envelope';
import { createKeyScope, openKeyScope } from '../../../electron/core/crypto/keyScope';
import { contentHashOf } from '../../../electron/core/crypto/recordSignature';
import type { RecordContent } from '../../../electron/core/model/records';
import { encodeRecord, packForSealing, unpackSealed } from '../../../electron/core/records/recordCodec';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function stationReading() {
  const at = new Date('2026-11-27T03:12:00.000Z').toISOString();
  const device = { driver: 'contec-cms50e', model: 'CMS50E', serial: 'SIM-OX-7', deviceRecordId: '4711', receivedAt: at };
  return encodeRecord({
    patient: '0x8ba1f109551bD432803012645Ac136ddd64DBA72',
    patientRef: '0x' + '5c'.repeat(32),
    kind: 'vitals',
    author: '0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B',
    authorRole: 'station',
    authorName: 'CMS50E SIM-OX-7',
    content: observationContent({ vitals: { spo2: 96, pulse: 72 } }, 1, { kind: 'device', measuredAt: at, device }) as RecordContent,
  });
}

describe('sealed content (format 2: deflated)', () => {
  it('seals a station reading as a 0 byte and raw DEFLATE of its canonical plaintext, far smaller than the JSON', () => {
    const e = stationReading();
    expect(e.toSeal[0]).toBe(0);
    // Inflated by zlib's own raw inflater (RFC 1951), not by the code under test.
    expect(text(inflateRawSync(e.toSeal.subarray(1)))).toBe(text(e.plaintext));
    expect(e.plaintext[0]).toBe('{'.charCodeAt(0));
    expect(e.toSeal.length).toBeLessThan(e.plaintext.length * 0.7);
    // The signed hash is over the canonical plaintext, never over the packed bytes.
    expect(e.contentHash).toBe(contentHashOf(e.plaintext));
    expect(e.contentHash).not.toBe(contentHashOf(e.toSeal));
  });

  it('opens both forms: packed bytes inflate, a record sealed before (canonical JSON) is returned as it is', () => {
    const e = stationReading();
    expect(text(unpackSealed(e.toSeal))).toBe(text(e.plaintext));
    expect(unpackSealed(e.plaintext)).toEqual(e.plaintext);
    // RFC 1951 §3.2.6 by hand: BFINAL 1, fixed Huffman (01), literal 'a' (0x91, 8 bits), end of block (7 zero bits).
    expect(text(unpackSealed(Uint8Array.of(0, 0x4b, 0x04, 0x00)))).toBe('a');
  });

  it('round-trips through a key scope as the writers seal and the reader opens', () => {
    const e = stationReading();
    const nurse = Wallet.createRandom();
    const { scope, key } = createKeyScope([publicKeyOf(nurse.privateKey)], 'bed-7');
    const cipher = key.seal(e.toSeal, e.id);
    expect(text(unpackSealed(openKeyScope(scope, nurse.privateKey).open(cipher, e.id)))).toBe(text(e.plaintext));
  });

  it('refuses packed bytes that do not inflate, and a plaintext that would inflate past 16 MB', () => {
    expect(() => unpackSealed(Uint8Array.of(0, 0xff, 0xff, 0xff))).toThrow();
    expect(() => unpackSealed(packForSealing(new Uint8Array(17 * 1024 * 1024)))).toThrow();
  });
});
