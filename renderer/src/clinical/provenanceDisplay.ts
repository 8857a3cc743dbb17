/** A record's provenance in words: the badge word and the checks behind it. */
import type { Provenance, ProvenanceStatus } from '../api/contract';

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
 * A verification report's records with those that failed first (an export of a thousand readings
 * must not hide its one failure below the fold), each group in the report's order.
 */
export function failedFirst<T extends { ok: boolean }>(items: readonly T[]): T[] {
  return [...items.filter((i) => !i.ok), ...items.filter((i) => i.ok)];
}
