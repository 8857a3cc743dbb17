import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import { bytesToHex, hexToBytes } from '../../../electron/core/crypto/hex';

const isStrictHex = (s: string) => /^(0[xX])?([0-9a-fA-F]{2})*$/.test(s);

describe('strict hex decoding', () => {
  it('round-trips any bytes, with or without the 0x prefix, in either case', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const hex = bytesToHex(bytes);
        expect(hex).toMatch(/^0x[0-9a-f]*$/);
        expect(hexToBytes(hex)).toEqual(bytes);
        expect(hexToBytes(hex.slice(2).toUpperCase())).toEqual(bytes);
      }),
    );
  });

  it('accepts exactly the well-formed hex strings and rejects everything else with a clear error', () => {
    const hexish = fc.stringMatching(/^(0x)?[0-9a-fA-Fg-zG-Z \n.é-]{0,40}$/);
    fc.assert(
      fc.property(fc.oneof(hexish, fc.string({ maxLength: 40 })), (s) => {
        if (isStrictHex(s)) expect(() => hexToBytes(s)).not.toThrow();
        else expect(() => hexToBytes(s, undefined, 'ciphertext')).toThrow(/The ciphertext is not valid hex/);
      }),
      { numRuns: 2000 },
    );
    // A bad character late in a long string is still caught (not silently truncated).
    expect(() => hexToBytes('0x' + 'ab'.repeat(500) + 'zz')).toThrow(WardError);
    expect(() => hexToBytes('0x' + 'ab'.repeat(500) + 'a')).toThrow(WardError);
  });

  it('checks the length when one is expected, and the type', () => {
    expect(() => hexToBytes('0x' + '00'.repeat(31), 32, 'salt')).toThrow(/The salt must be 32 bytes long/);
    expect(hexToBytes('0x' + '00'.repeat(32), 32)).toHaveLength(32);
    expect(() => hexToBytes(42 as unknown as string, undefined, 'root')).toThrow(/The root is not a hex string/);
  });
});
