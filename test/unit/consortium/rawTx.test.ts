/**
 * The publisher's own legacy-transaction signer (consortium/rawTx.ts) against two independent
 * references: the worked example of EIP-155 (eips.ethereum.org/EIPS/eip-155, "Example": nonce 9,
 * 20 gwei, 21000 gas, to 0x3535…35, 1 ether, key 0x4646…46, chain 1), and ethers'
 * Wallet.signTransaction on random transactions, payload sizes across every RLP length form up to
 * a full 128 KiB batch.
 */
import fc from 'fast-check';
import { ethers } from 'ethers';
import { describe, expect, it } from 'vitest';
import { signLegacyTx } from '../../../electron/core/consortium/rawTx';

const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');

describe('signing a legacy transaction on bytes', () => {
  it("gives EIP-155's worked example byte for byte", () => {
    const key = new ethers.SigningKey('0x' + '46'.repeat(32));
    const { raw, hash } = signLegacyTx(key, { nonce: 9, gasPrice: 20_000_000_000n, gasLimit: 21_000n, to: '0x' + '35'.repeat(20), value: 10n ** 18n, data: new Uint8Array(0), chainId: 1 });
    expect(hex(raw)).toBe(
      '0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83',
    );
    expect(hash).toBe(ethers.keccak256(raw));
  });

  // The client keeps a batch's nonce, hash and gas limit in flight, not its bytes, and signs the
  // prepared batch again after a restart (consortium/nonceStore.ts): that relies on RFC 6979
  // (deterministic k, section 3.2), as the EIP-155 example above also shows with a fixed signature.
  it('signs the same transaction into the same bytes again, with another key object for the same key', () => {
    const data = new Uint8Array(130_000).map((_, i) => (i * 7) & 0xff);
    const tx = { nonce: 41, gasPrice: 0n, gasLimit: 3_456_789n, to: '0x' + '42'.repeat(20), value: 0n, data, chainId: 4242 };
    const first = signLegacyTx(new ethers.SigningKey('0x' + '17'.repeat(32)), tx);
    const again = signLegacyTx(new ethers.SigningKey('0x' + '17'.repeat(32)), { ...tx, data: Uint8Array.from(data) });
    expect(hex(again.raw)).toBe(hex(first.raw));
    expect(again.hash).toBe(first.hash);
    expect(signLegacyTx(new ethers.SigningKey('0x' + '17'.repeat(32)), { ...tx, gasLimit: tx.gasLimit + 1n }).hash).not.toBe(first.hash);
  });

  it("equals ethers' signTransaction for any nonce, gas, recipient, chain and payload size", async () => {
    const sizes = fc.oneof(fc.constantFrom(0, 1, 55, 56, 255, 256, 65_535, 65_536, 131_000), fc.integer({ min: 0, max: 2000 }));
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          key: fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => k.some((b) => b !== 0)),
          nonce: fc.integer({ min: 0, max: 2 ** 40 }),
          gasLimit: fc.bigInt({ min: 0n, max: 2n ** 63n }),
          to: fc.option(fc.uint8Array({ minLength: 20, maxLength: 20 })),
          chainId: fc.integer({ min: 1, max: 2 ** 31 }),
          size: sizes,
          fill: fc.integer({ min: 0, max: 255 }),
        }),
        async ({ key, nonce, gasLimit, to, chainId, size, fill }) => {
          let wallet: ethers.Wallet;
          try {
            wallet = new ethers.Wallet(hex(key));
          } catch {
            return; // not a valid secp256k1 key (≥ n): no wallet either way
          }
          const data = new Uint8Array(size).fill(fill);
          if (size > 0) data[0] = (fill + 1) % 256; // a single byte above and below 0x80 both occur
          const toAddress = to ? ethers.getAddress(hex(to)) : null;
          const ours = signLegacyTx(wallet.signingKey, { nonce, gasPrice: 0n, gasLimit, to: toAddress, value: 0n, data, chainId });
          const theirs = await wallet.signTransaction({ type: 0, nonce, gasPrice: 0n, gasLimit, to: toAddress, value: 0n, data: hex(data), chainId });
          expect(hex(ours.raw)).toBe(theirs);
          expect(ours.hash).toBe(ethers.keccak256(theirs));
        },
      ),
      { numRuns: 60 },
    );
  });
});
