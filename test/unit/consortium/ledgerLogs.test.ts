/**
 * The puller decodes the ledger's logs from their hex itself (ledgerReader.ts decodeBatchPublished,
 * decodeKeyGranted). Held to ethers' ABI decoder (an independent implementation) on logs encoded by
 * ethers, and strict where the Solidity ABI specification is ("Formal Specification of the
 * Encoding", docs.soliditylang.org/en/latest/abi-spec.html: a dynamic `bytes` is its length as a
 * uint256 word, then the bytes padded with zero bytes to a multiple of 32; the head holds its offset).
 */
import { ethers } from 'ethers';
import { describe, expect, it } from 'vitest';
import { ledgerInterface } from '../../../electron/core/consortium/ledgerAbi';
import { decodeBatchPublished, decodeKeyGranted } from '../../../electron/core/consortium/ledgerReader';

const ward = ethers.Wallet.createRandom().address;

function batchLog(root: string, count: number, records: Uint8Array) {
  return ledgerInterface.encodeEventLog('BatchPublished', [ward, ethers.hexlify(ethers.randomBytes(32)), root, count, records]);
}

describe('ledger logs decoded from hex', () => {
  it('reads BatchPublished and KeyGranted as ethers does, for payloads of every length modulo 32', () => {
    for (const size of [0, 1, 31, 32, 33, 63, 64, 65, 1000, 128 * 1024 - 7]) {
      const records = ethers.randomBytes(size);
      const root = ethers.hexlify(ethers.randomBytes(32));
      const log = batchLog(root, 0xfffffff0 - size, records);
      const byEthers = ledgerInterface.decodeEventLog('BatchPublished', log.data, log.topics);
      const mine = decodeBatchPublished(log.data);
      expect(mine.root).toBe(byEthers.root);
      expect(mine.count).toBe(Number(byEthers.count));
      expect(ethers.hexlify(mine.records)).toBe(byEthers.records);

      const grant = ledgerInterface.encodeEventLog('KeyGranted', [ward, records]);
      expect(ethers.hexlify(decodeKeyGranted(grant.data))).toBe(ledgerInterface.decodeEventLog('KeyGranted', grant.data, grant.topics).grant);
    }
  });

  it('refuses data that is not exactly what the ABI encodes, with a clear error', () => {
    const records = ethers.randomBytes(40);
    const { data } = batchLog(ethers.hexlify(ethers.randomBytes(32)), 3, records);
    const word = (i: number) => 2 + 64 * i;
    const set = (at: number, hex: string) => data.slice(0, at) + hex + data.slice(at + hex.length);
    const damaged = {
      'odd length': data + '0',
      'not hex': set(word(4) + 2, 'zz'),
      'no 0x': data.slice(2),
      'offset not 0x60': set(word(2), (0x80).toString(16).padStart(64, '0')),
      'count wider than uint32': set(word(1), '01'.padStart(56, '0') + '00000003'),
      'length past the data': set(word(3), (41 + 64).toString(16).padStart(64, '0')),
      'length short of the data': set(word(3), (8).toString(16).padStart(64, '0')),
      'padding not zero': data.slice(0, -2) + '01',
      'a word more': data + '00'.repeat(32),
      'truncated': data.slice(0, -64),
    };
    for (const [name, bad] of Object.entries(damaged)) {
      expect(() => decodeBatchPublished(bad), name).toThrow(expect.objectContaining({ code: 'INTEGRITY', message: 'The batch payload cannot be read.' }));
    }
    const grant = ledgerInterface.encodeEventLog('KeyGranted', [ward, records]).data;
    const badGrants = { truncated: grant.slice(0, -64), 'padding not zero': grant.slice(0, -2) + '01', 'offset not 0x20': '0x' + (0x40).toString(16).padStart(64, '0') + grant.slice(66) };
    for (const [name, bad] of Object.entries(badGrants)) {
      expect(() => decodeKeyGranted(bad), name).toThrow(expect.objectContaining({ code: 'INTEGRITY', message: 'The key grant cannot be read.' }));
    }
  });
});
