/**
 * FHIR R4 export of a patient's records (verification: exportVerification.ts).
 *
 * Each exported record carries, in its Provenance signature, the author's EIP-712 signature, the
 * signed fields and the exact signed plaintext; and in its anchor extension the salted commitment,
 * the Merkle proof and where the root was anchored; and, for a record on the hospital consortium,
 * its consortium place (exportConsortium.ts). Everything the export shows of a record is
 * built from those signed parts by exportRecordOf, so a verifier that checked them rebuilds the
 * same resources and compares. The bundle carries a manifest signed by the ward's workstation
 * (exportManifest.ts): who the patient is, which records it holds and which it could not export.
 */
import type { ethers } from 'ethers';
import { buildFhirBundle } from '../clinical/fhir';
import type { ExportRecord, FhirBundle, JsonValue } from '../clinical/fhirModel';
import { WardError } from '../model/errors';
import { canonicalize } from '../crypto/canonical';
import type { RecordFields } from '../crypto/recordSignature';
import { consortiumDataOf, type ConsortiumData } from './exportConsortium';
import { manifestElement, signManifest, type ExportManifest, type MissingRecord } from './exportManifest';
import type { AnchorRef, StoredRecord } from '../storage/storedRecord';
import type { ConsortiumPlace } from '../storage/storeTypes';
import type { OpenedRecord, OpenedStored } from './provenance';
import { fieldsOf, isNoAmends, type SealedContent } from './recordCodec';

/** What a record's Provenance signature carries (base64 JSON): everything a verifier needs to re-check it. */
export interface SignatureData {
  v: 1;
  signature: string;
  /** The signed fields; with authorRole, the record was signed with its role (typed data version 2). */
  fields: Omit<RecordFields, 'createdAt'> & { createdAt: number };
  /** Base64 of the canonical signed plaintext. */
  plaintext: string;
  /** For readings signed as a batch (bound devices): the signed root and this record's proof under it. */
  batch?: { root: string; count: number; createdAt: number; signature: string; proof: string[] };
}

export interface AnchorData {
  chainId: number;
  contract: string;
  root: string;
  proof: string[];
  batchId: number;
  block: number;
  tx: string | null;
  commitment: string;
  salt: string;
}

/** A signed record as an export carries it: its signature data, decrypted content and anchor. */
export interface SignedRecordParts {
  sig: SignatureData;
  sealed: SealedContent;
  anchor: AnchorData | undefined;
  /** Where the record is on the hospital consortium chain, for a published (or received) record. */
  consortium?: ConsortiumData;
  /** The author's role for records signed before roles were signed (typed data version 1). */
  unsignedRole?: string;
}

/**
 * The signature data in one fixed layout, whatever order the store or a file gave its fields in:
 * the export writes it, and a verifier rebuilds it from what it checked, byte for byte.
 */
export function signatureDataOf(sig: SignatureData): SignatureData {
  const f = sig.fields;
  const b = sig.batch;
  return {
    v: 1,
    signature: sig.signature,
    fields: {
      recordId: f.recordId,
      patientRef: f.patientRef,
      contentHash: f.contentHash,
      amends: f.amends,
      kind: f.kind,
      author: f.author,
      ...(f.authorRole !== undefined ? { authorRole: f.authorRole } : {}),
      createdAt: f.createdAt,
    },
    plaintext: sig.plaintext,
    ...(b ? { batch: { root: b.root, count: b.count, createdAt: b.createdAt, signature: b.signature, proof: b.proof } } : {}),
  };
}

function signedPartsOf(
  r: StoredRecord,
  sealed: SealedContent,
  anchor: AnchorRef | undefined,
  chain: { chainId: number; contract: string },
  consortium: { place: ConsortiumPlace; chainId: number; ledger: string } | undefined,
): SignedRecordParts {
  return {
    ...(consortium ? { consortium: consortiumDataOf(consortium.place, consortium) } : {}),
    sig: signatureDataOf({
      v: 1,
      signature: r.signature,
      fields: { ...fieldsOf(r), createdAt: r.createdAt },
      plaintext: Buffer.from(canonicalize(sealed)).toString('base64'),
      ...(r.batchSignature ? { batch: r.batchSignature } : {}),
    }),
    sealed,
    unsignedRole: r.authorRole,
    anchor: anchor && {
      ...chain,
      root: anchor.root,
      proof: anchor.proof,
      batchId: anchor.batchId,
      block: anchor.block,
      tx: anchor.tx || null,
      commitment: r.commitment,
      salt: r.salt,
    },
  };
}

/** Whether a record has content an export shows (vitals, a note, a diagnosis or an escalation). */
export function isExportable(sealed: SealedContent): boolean {
  const c = sealed.content;
  return !!(c.vitals || c.note || c.diagnosis || c.escalation);
}

/**
 * The FHIR export form of a signed record. Everything in it comes from the signed record (the
 * author's display is the name they signed with), so a verifier that checked the signature
 * rebuilds exactly what the file must say.
 */
export function exportRecordOf({ sig, sealed, anchor, consortium, unsignedRole }: SignedRecordParts): ExportRecord {
  const c = sealed.content;
  const f = sig.fields;
  const at = new Date(f.createdAt).toISOString();
  return {
    recordId: f.recordId,
    kind: f.kind as ExportRecord['kind'],
    // The signed measured time (a set taken earlier, a meter's reading corrected for its clock).
    effective: c.measuredAt ?? at,
    recorded: at,
    author: { address: f.author, role: f.authorRole ?? unsignedRole ?? 'unknown', display: sealed.authorName },
    ...(c.vitals ? { vitals: c.vitals } : {}),
    ...(c.news2?.complete && c.news2.aggregate !== null ? { news2: { aggregate: c.news2.aggregate, scale: c.news2.scale } } : {}),
    ...(c.escalation ? { escalation: c.escalation } : {}),
    ...(c.note ? { note: c.note } : {}),
    ...(c.diagnosis ? { diagnosis: { text: c.diagnosis.text, ...(c.diagnosis.code ? { code: c.diagnosis.code } : {}) } } : {}),
    ...(!isNoAmends(f.amends) ? { amends: f.amends } : {}),
    ...(c.device ? { device: { model: c.device.model, serial: c.device.serial } } : {}),
    signature: { sigFormat: 'application/eip712+json', data: Buffer.from(JSON.stringify(signatureDataOf(sig))).toString('base64') },
    ...(anchor ? { anchor: anchor as unknown as { [key: string]: JsonValue } } : {}),
    ...(consortium ? { consortium: consortium as unknown as { [key: string]: JsonValue } } : {}),
  };
}

export interface ExportInput {
  patientRef: string;
  /** The patient's name, for an export that names them; omitted for a pseudonymous one. */
  patientName?: string;
  /** Opened with the stored records as read (with their proofs): an opened record's own fields may be a held copy without them. */
  opened: OpenedStored[];
  anchors: (id: string) => AnchorRef | undefined;
  /** The record's place on the hospital consortium and that consortium, for a record that is there. */
  consortiumPlaces?: (id: string) => { place: ConsortiumPlace; chainId: number; ledger: string } | undefined;
  ward: ExportManifest['ward'];
  /** The ward's workstation key, which signs the manifest. */
  station: ethers.Signer;
  exportedBy: string;
}

/** Why a record of the patient is not in an export, or null when it is exported. */
function notExported(o: OpenedRecord): string | null {
  const p = o.provenance;
  if (p.status === 'unverifiable') return null; // not readable with the exporter's access: not theirs to export
  if (p.status === 'tampered') return `it failed verification (${p.problems.join(' ') || 'tampered'})`;
  if (p.status === 'pending') return 'it is not yet anchored on the ward chain; export again in a minute';
  return null;
}

/**
 * Build the FHIR Bundle of a patient's readable records, with its signed manifest: every record
 * that verified is exported, and every record that could not be (damaged, not yet anchored) is
 * named in the manifest, so the export says it is incomplete.
 */
export async function exportBundle(input: ExportInput): Promise<FhirBundle> {
  const { opened, anchors, ward } = input;
  const missing: MissingRecord[] = [];
  const records: ExportRecord[] = [];
  for (const o of opened) {
    const reason = notExported(o);
    if (reason) missing.push({ recordId: o.record.id, kind: o.record.kind, recordedAt: new Date(o.record.createdAt).toISOString(), reason });
    else if (o.sealed && o.provenance.status === 'verified' && isExportable(o.sealed)) {
      records.push(exportRecordOf(signedPartsOf(o.record, o.sealed, anchors(o.record.id), { chainId: ward.chainId, contract: ward.anchors }, input.consortiumPlaces?.(o.record.id))));
    }
  }
  if (records.length === 0 && missing.length === 0) throw new WardError('NOT_FOUND', 'There are no records to export yet.');
  if (records.length === 0) throw new WardError('INTEGRITY', `None of this patient's records can be exported: ${missing.length} failed verification or are not yet anchored.`);
  const exportedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const bundle = buildFhirBundle({ id: input.patientRef, ...(input.patientName ? { display: input.patientName } : {}) }, records, { timestamp: exportedAt });
  const manifest: ExportManifest = {
    v: 1,
    ward,
    patientRef: input.patientRef,
    patientName: input.patientName ?? null,
    records: records.map((r) => ({ recordId: r.recordId, kind: r.kind, recordedAt: r.recorded })),
    missing,
    exportedAt,
    exportedBy: input.exportedBy,
  };
  return { ...bundle, signature: manifestElement(await signManifest(input.station, manifest)) };
}
