/**
 * Throughput of the record cryptography on this machine. Prints numbers, asserts nothing.
 * Run: npx tsx test/unit/crypto/measure.ts
 */
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { createCipheriv } from 'node:crypto';
import { TypedDataEncoder, Wallet, hexlify, randomBytes, verifyTypedData } from 'ethers';
import { openEnvelope, publicKeyOf, sealEnvelope, unwrapDataKey, openWithDataKey } from '../../../electron/core/crypto/envelope';
import { createKeyScope } from '../../../electron/core/crypto/keyScope';
import { LEAF_ENCODING, buildBatch, computeRoot, verifyInclusion } from '../../../electron/core/crypto/merkle';
import { NO_AMENDS, RECORD_DOMAIN, RECORD_TYPES, recoverRecordSigner, signRecord, verifyRecordSignature } from '../../../electron/core/crypto/recordSignature';
import type { RecordFields } from '../../../electron/core/crypto/recordSignature';
import { VerifiedCache } from '../../../electron/core/crypto/verifiedCache';

/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns calls per second. */
function rate(fn: (i: number) => void, ms = 1500): number {
  for (let i = 0; i < 20; i++) fn(i);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) fn(n++);
  return Math.round((n * 1000) / (performance.now() - start));
}

function timeMs(fn: () => void, runs = 3): string {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.map((t) => t.toFixed(0)).join(' / ') + ' ms';
}

const wallets = Array.from({ length: 3 }, () => new Wallet(hexlify(randomBytes(32))));
const readers = wallets.map((w) => publicKeyOf(w.privateKey));
const payload = randomBytes(400);
const context = hexlify(randomBytes(32));

const sealed = sealEnvelope(payload, readers, context);
const results: Record<string, number | string> = {};
results['seal 400 B, 3 recipients /s'] = rate(() => sealEnvelope(payload, readers, context));
results['open (one reader) /s'] = rate(() => openEnvelope(sealed, wallets[1].privateKey, context));
results['seal+open /s'] = rate(() => openEnvelope(sealEnvelope(payload, readers, context), wallets[2].privateKey, context));
const key = unwrapDataKey(sealed, wallets[0].privateKey, context);
results['open with cached data key /s'] = rate(() => openWithDataKey(sealed, key, context));

const author = wallets[0];
const fields: RecordFields = { recordId: context, patientRef: hexlify(randomBytes(32)), contentHash: hexlify(randomBytes(32)), amends: NO_AMENDS, kind: 'vitals', author: author.address, createdAt: Date.now() };
const sig = signRecord(author, fields);
results['EIP-712 sign /s'] = rate(() => signRecord(author, fields));
results['EIP-712 recover /s'] = rate(() => recoverRecordSigner(fields, sig));
results['EIP-712 verify (recover+compare) /s'] = rate(() => verifyRecordSignature(fields, sig, author.address));

// Same-run baselines, measured on the reference machine in CHAIN.md (~1,750 / ~575 / ~69,000 per s):
// on a loaded machine, compare ratios rather than absolute numbers.
results['baseline: ethers EIP-712 sign (plain) /s'] = rate(() => author.signingKey.sign(TypedDataEncoder.hash(RECORD_DOMAIN, RECORD_TYPES, fields)));
results['baseline: ethers verifyTypedData /s'] = rate(() => verifyTypedData(RECORD_DOMAIN, RECORD_TYPES, fields, sig));
const aesKey = randomBytes(32);
results['baseline: node AES-256-GCM 400 B /s'] = rate(() => {
  const c = createCipheriv('aes-256-gcm', aesKey, randomBytes(12));
  c.update(payload);
  c.final();
  c.getAuthTag();
});

const cache = new VerifiedCache();
const facts = { recordId: context, signedFields: hexlify(randomBytes(32)), ciphertextHash: hexlify(randomBytes(32)), signature: sig, anchorRoot: hexlify(randomBytes(32)) };
cache.markVerified(facts);
results['verified-cache check /s'] = rate(() => cache.isStillVerified(facts));

const leaves = Array.from({ length: 5000 }, (_, i) => ({ recordId: hexlify(randomBytes(32)), patientRef: hexlify(randomBytes(32)), commitment: hexlify(randomBytes(32)), author: author.address, createdAt: 1_760_000_000_000 + i }));
results['merkle buildBatch 5,000 (root + all proofs)'] = timeMs(() => buildBatch(leaves));
results['merkle computeRoot 5,000'] = timeMs(() => computeRoot(leaves));
const batch = buildBatch(leaves);
results['merkle verifyInclusion /s'] = rate((i) => verifyInclusion(batch.root, leaves[i % 5000], batch.proofs.get(leaves[i % 5000].recordId)!));
const ozValues = leaves.map((l) => [l.recordId, l.patientRef, l.commitment, l.author, BigInt(l.createdAt)]);
results['OZ StandardMerkleTree.of 5,000 (root only)'] = timeMs(() => StandardMerkleTree.of(ozValues, LEAF_ENCODING), 2);
const oz = StandardMerkleTree.of(ozValues, LEAF_ENCODING);
results['OZ getProof x 5,000'] = timeMs(() => ozValues.forEach((_, i) => oz.getProof(i)), 1);

for (const [what, value] of Object.entries(results)) console.log(`${what.padEnd(48)} ${value}`);

const { key: scopeKey } = createKeyScope(readers, 'measure');
const scoped = scopeKey.seal(payload, context);
console.log(`${'scoped seal 400 B (key scope, 3 readers) /s'.padEnd(48)} ${rate(() => scopeKey.seal(payload, context))}`);
console.log(`${'scoped open /s'.padEnd(48)} ${rate(() => scopeKey.open(scoped, context))}`);
