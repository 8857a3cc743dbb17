/**
 * A station reading as the store holds it (checksummed addresses, lowercase hex, a 16-byte scope
 * id, a signature tree place), with random fields: what the memo tests (records/recordMemo.ts,
 * both forms) edit one field at a time.
 */
import { randomBytes } from 'node:crypto';
import { getAddress } from 'ethers';
import type { StoredRecord } from '../../electron/core/storage/storedRecord';

export const randomHex = (n: number) => '0x' + randomBytes(n).toString('hex');

/** One hex digit changed (at `at`, after the 0x by default). */
export const flipHex = (h: string, at = 5) => h.slice(0, at) + (h[at] === '0' ? '1' : '0') + h.slice(at + 1);

export function memoReading(): StoredRecord {
  const hex = randomHex;
  return {
    id: hex(32),
    patient: getAddress(hex(20)),
    patientRef: hex(32),
    kind: 'vitals',
    author: getAddress(hex(20)),
    authorRole: 'station',
    signedVersion: 2,
    createdAt: 1_764_000_000_000,
    amends: '0x' + '00'.repeat(32),
    contentHash: hex(32),
    salt: hex(32),
    commitment: hex(32),
    signature: '',
    batchSignature: { root: hex(32), count: 980, createdAt: 1_764_000_000_500, signature: hex(65), proof: [hex(32), hex(32)] },
    cipher: { v: 1, scopeId: hex(16), iv: hex(12), ct: hex(300) },
  } as StoredRecord;
}
