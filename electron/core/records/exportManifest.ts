/**
 * The signed manifest of a FHIR export: who the patient is, which records the export contains and
 * which it could not export (a damaged record is named, never silently left out), for which ward,
 * when and by whom. The ward's workstation key signs it (EIP-191 over its canonical JSON), so the
 * Patient resource and the list of records are bound to a signature as the records are; a
 * verifier accepts it only when the signer is an anchoring station of the ward it pinned.
 *
 * It travels as Bundle.signature (FHIR R4 Bundle.signature: "Digital Signature - base64 encoded",
 * a Signature whose type is ASTM E1762 "Source Signature", 1.2.840.10065.1.12.1.14).
 */
import { ethers } from 'ethers';
import { canonicalString } from '../crypto/canonical';
import { HL7, SID } from '../clinical/fhirModel';

export const MANIFEST_SIG_FORMAT = 'application/vnd.wardledger.export-manifest+json';
export const SOURCE_SIGNATURE_CODE = '1.2.840.10065.1.12.1.14';

/** A record as the manifest names it. */
export interface ManifestRecord {
  recordId: string;
  kind: string;
  /** When it was signed (ISO-8601). */
  recordedAt: string;
}

export interface MissingRecord extends ManifestRecord {
  /** Why it could not be exported, e.g. "it failed verification (…)". */
  reason: string;
}

export interface ExportManifest {
  v: 1;
  ward: { chainId: number; registry: string; anchors: string };
  /** The pseudonymous patient reference every exported record signs. */
  patientRef: string;
  /** The patient's name as the ward knows it; null for a pseudonymous export. */
  patientName: string | null;
  /** Every exported record, in bundle order. */
  records: ManifestRecord[];
  /** Records of the patient the export could not include. */
  missing: MissingRecord[];
  /** Bundle.timestamp. */
  exportedAt: string;
  /** The account that asked for the export. */
  exportedBy: string;
}

export interface SignedManifest {
  manifest: ExportManifest;
  /** EIP-191 signature of the manifest's canonical JSON. */
  signature: string;
  signer: string;
}

/** Sign `manifest` with the ward's workstation key. */
export async function signManifest(station: ethers.Signer, manifest: ExportManifest): Promise<SignedManifest> {
  return { manifest, signature: await station.signMessage(canonicalString(manifest)), signer: await station.getAddress() };
}

/** The Bundle.signature element carrying a signed manifest (the export writes it, a verifier rebuilds it). */
export function manifestElement({ manifest, signature, signer }: SignedManifest): Record<string, unknown> {
  return {
    type: [{ system: HL7.signatureType, code: SOURCE_SIGNATURE_CODE, display: 'Source Signature' }],
    when: manifest.exportedAt,
    who: { identifier: { system: SID.ethereumAddress, value: signer } },
    sigFormat: MANIFEST_SIG_FORMAT,
    data: Buffer.from(JSON.stringify({ manifest, signature })).toString('base64'),
  };
}

/** The signed manifest a bundle carries, with its signer recovered, or why it cannot be read. */
export function readManifest(bundle: unknown): SignedManifest | { problem: string } {
  const sig = (bundle as { signature?: unknown })?.signature;
  if (sig === undefined) return { problem: 'The export carries no signed manifest: nothing says which records it should contain, or who the patient is.' };
  try {
    const element = sig as { sigFormat?: unknown; data?: unknown };
    if (element.sigFormat !== MANIFEST_SIG_FORMAT || typeof element.data !== 'string') throw new Error('format');
    const data = JSON.parse(Buffer.from(element.data, 'base64').toString('utf8')) as { manifest: ExportManifest; signature: string };
    const signer = ethers.verifyMessage(canonicalString(data.manifest), data.signature);
    return { manifest: data.manifest, signature: data.signature, signer };
  } catch {
    return { problem: "The export's manifest (Bundle.signature) is unreadable or its signature is malformed." };
  }
}
