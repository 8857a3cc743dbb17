/** A record's provenance in words: the badge word and the checks behind it. */
import type { ConsortiumBadge, Provenance, ProvenanceStatus } from '../api/contract';

export const provenanceLabels: Record<ProvenanceStatus, string> = {
  verified: 'Verified',
  pending: 'Pending anchor',
  tampered: 'Tampered',
  unverifiable: 'Unverifiable',
};

/**
 * "Verified" only when the core says so AND every check it reports passed: a verified status
 * that contradicts its own checks is shown as unverifiable, so tampering is never shown as verified.
 */
export function shownStatus(p: Provenance): ProvenanceStatus {
  if (p.status === 'verified' && !(p.signatureValid && p.contentMatchesAnchor && p.anchored)) return 'unverifiable';
  return p.status;
}

export interface ProvenanceCheck {
  label: string;
  value: string;
  ok: boolean | null;
  mono?: boolean;
}

/** Each check in words, for the details the badge opens. */
export function provenanceChecks(p: Provenance): ProvenanceCheck[] {
  const out: ProvenanceCheck[] = [
    { label: 'Signature', value: p.signatureValid ? 'Valid: signed by the author shown' : 'Not valid', ok: p.signatureValid },
    {
      label: 'Anchor',
      value: !p.anchored ? 'Not yet anchored on the ward chain' : p.contentMatchesAnchor ? 'Content matches its anchor on the ward chain' : 'Content does not match its anchor',
      ok: p.anchored ? p.contentMatchesAnchor : null,
    },
  ];
  if (p.wardBlock !== null) out.push({ label: 'Ward chain block', value: String(p.wardBlock), ok: null });
  if (p.wardTx) out.push({ label: 'Transaction', value: p.wardTx, ok: null, mono: true });
  if (p.batchRoot) out.push({ label: 'Batch proof root', value: p.batchRoot, ok: null, mono: true });
  return out;
}

/**
 * The record's place on the hospital consortium chain in words (only for records published there,
 * or received from another ward). "Inclusion verified" needs both: the proof reaches the batch root,
 * and the consortium ledger holds that root; offline, the second is said to be unchecked.
 */
export function consortiumChecks(b: ConsortiumBadge): ProvenanceCheck[] {
  const out: ProvenanceCheck[] = [];
  if (b.from) out.push({ label: 'From', value: `${b.from.name} (received through the consortium)`, ok: null });
  const inclusion = !b.included
    ? { value: 'Not verified: the proof does not reach the batch root', ok: false }
    : b.rootOnChain === true
      ? { value: 'Verified: included in a batch the consortium ledger holds', ok: true }
      : b.rootOnChain === false
        ? { value: 'Not verified: the consortium ledger holds another root for this batch', ok: false }
        : { value: 'Proof holds; the ledger could not be asked now (offline)', ok: null };
  out.push({ label: 'Inclusion', ...inclusion });
  out.push({ label: 'Consortium block', value: String(b.block), ok: null });
  // A receiving ward learns the block of another ward's batch, not its transaction.
  const noTx = b.from ? `Published by ${b.from.name} in that block` : 'Found on chain after a retry';
  out.push({ label: 'Consortium transaction', value: b.tx ?? noTx, ok: null, mono: !!b.tx });
  out.push({ label: 'Batch', value: b.batchId, ok: null, mono: true });
  return out;
}

/**
 * A verification report's records with those that failed first (an export of a thousand readings
 * must not hide its one failure below the fold), each group in the report's order.
 */
export function failedFirst<T extends { ok: boolean }>(items: readonly T[]): T[] {
  return [...items.filter((i) => !i.ok), ...items.filter((i) => i.ok)];
}
