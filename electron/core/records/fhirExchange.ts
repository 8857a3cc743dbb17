/**
 * FHIR R4 export of a patient's records and verification of such an export — by an insurer in
 * the app, or by anyone with `wardledger verify FILE`.
 *
 * Each exported record carries, in its Provenance signature, the author's EIP-712 signature, the
 * signed fields and the exact signed plaintext; and in its anchor extension the salted commitment,
 * the Merkle proof and where the root was anchored. A verifier therefore checks, without trusting
 * the exporter: the signature recovers the author; the plaintext hashes to the signed content
 * hash and says exactly what the FHIR resources say; the commitment opens to that hash; the proof
 * puts the record's leaf under the root; and the root is anchored on the chain.
 */
import { ethers } from 'ethers';
import type { NormalisedVitals } from '../model/vitals';
import type { RecordContent, VerificationItem, VerificationReport } from '../model/records';
import { buildFhirBundle, parseFhirExport, validateFhirR4 } from '../clinical/fhir';
import type { ExportRecord, JsonValue } from '../clinical/fhirModel';
import { WardError } from '../model/errors';
import { canonicalize, canonicalString } from '../crypto/canonical';
import { checkHashCommitment } from '../crypto/commitment';
import { verifyInclusion } from '../crypto/merkle';
import { contentHashOf, verifyBatchSignature, verifyRecordSignature, type RecordFields } from '../crypto/recordSignature';
import type { AnchorRef, StoredRecord } from '../storage/storedRecord';
import type { OpenedRecord } from './provenance';
import { fieldsOf, isNoAmends, type SealedContent } from './recordCodec';

interface SignatureData {
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

function exportRecordOf(r: StoredRecord, sealed: SealedContent, anchor: AnchorRef | undefined, chain: { chainId: number; contract: string }): ExportRecord {
  const c = sealed.content;
  const sig: SignatureData = {
    v: 1,
    signature: r.signature,
    fields: { ...fieldsOf(r), createdAt: r.createdAt },
    plaintext: Buffer.from(canonicalize(sealed)).toString('base64'),
    ...(r.batchSignature ? { batch: r.batchSignature } : {}),
  };
  const at = new Date(r.createdAt).toISOString();
  const anchorData: AnchorData | undefined = anchor && {
    ...chain,
    root: anchor.root,
    proof: anchor.proof,
    batchId: anchor.batchId,
    block: anchor.block,
    tx: anchor.tx || null,
    commitment: r.commitment,
    salt: r.salt,
  };
  return {
    recordId: r.id,
    kind: r.kind,
    effective: c.device?.deviceTime && /Z|[+-]\d\d:\d\d$/.test(c.device.deviceTime) ? c.device.deviceTime : at,
    recorded: at,
    author: { address: r.author, role: r.authorRole, display: sealed.authorName },
    ...(c.vitals ? { vitals: c.vitals } : {}),
    ...(c.note ? { note: c.note } : {}),
    ...(c.diagnosis ? { diagnosis: { text: c.diagnosis.text, ...(c.diagnosis.code ? { code: c.diagnosis.code } : {}) } } : {}),
    ...(!isNoAmends(r.amends) ? { amends: r.amends } : {}),
    ...(c.device ? { device: { model: c.device.model, serial: c.device.serial } } : {}),
    signature: { sigFormat: 'application/eip712+json', data: Buffer.from(JSON.stringify(sig)).toString('base64') },
    ...(anchorData ? { anchor: anchorData as unknown as { [key: string]: JsonValue } } : {}),
  };
}

/** Build the FHIR Bundle of a patient's readable records. */
export function exportBundle(
  patientRef: string,
  patientDisplay: string | undefined,
  opened: OpenedRecord[],
  anchors: (id: string) => AnchorRef | undefined,
  chain: { chainId: number; contract: string },
): unknown {
  const records = opened
    .filter((o) => o.sealed && (o.sealed.content.vitals || o.sealed.content.note || o.sealed.content.diagnosis))
    .map((o) => exportRecordOf(o.record, o.sealed!, anchors(o.record.id), chain));
  if (records.length === 0) throw new WardError('NOT_FOUND', 'There are no records to export yet.');
  return buildFhirBundle({ id: patientRef, ...(patientDisplay ? { display: patientDisplay } : {}) }, records, { timestamp: new Date().toISOString() });
}

/** The clinical content a FHIR record states, in a comparable canonical form. */
function comparable(content: { vitals?: NormalisedVitals; note?: string; diagnosis?: { text: string; code?: string } }): string {
  const v = content.vitals;
  return canonicalString({
    vitals: v
      ? {
          respiratoryRate: v.respiratoryRate ?? null,
          spo2: v.spo2 ?? null,
          supplementalOxygen: v.supplementalOxygen ?? null,
          systolic: v.systolic ?? null,
          diastolic: v.diastolic ?? null,
          pulse: v.pulse ?? null,
          consciousness: v.consciousness ?? null,
          temperature: v.temperature ? v.temperature.celsius : null,
          glucose: v.bloodGlucose ? v.bloodGlucose.mmolPerL : null,
        }
      : null,
    note: content.note ?? null,
    diagnosis: content.diagnosis ? { text: content.diagnosis.text, code: content.diagnosis.code ?? null } : null,
  });
}

/** Whether a root is anchored at (chainId, contract); null when it cannot be checked. */
export type AnchorLookup = (chainId: number, contract: string, root: string) => Promise<boolean | null>;

export async function verifyExport(bundle: unknown, lookup: AnchorLookup): Promise<VerificationReport> {
  const fileProblems: string[] = [];
  const schema = validateFhirR4(bundle);
  if (!schema.valid) fileProblems.push(`The file is not a valid FHIR R4 resource: ${schema.errors.slice(0, 3).join('; ')}`);
  let parsed;
  try {
    parsed = parseFhirExport(bundle);
  } catch (e) {
    fileProblems.push(e instanceof WardError ? e.message : 'The file is not a WardLedger FHIR export.');
    return { ok: false, checked: 0, failed: 0, items: [], fileProblems };
  }
  const items: VerificationItem[] = [];
  for (const rec of parsed.records) items.push(await verifyOne(rec, parsed.patient.id, lookup));
  const failed = items.filter((i) => !i.ok).length;
  return { ok: failed === 0 && fileProblems.length === 0, checked: items.length, failed, items, fileProblems };
}

async function verifyOne(rec: ExportRecord, patientId: string, lookup: AnchorLookup): Promise<VerificationItem> {
  const problems: string[] = [];
  let sig: SignatureData | null = null;
  try {
    sig = JSON.parse(Buffer.from(rec.signature.data, 'base64').toString('utf8')) as SignatureData;
  } catch {
    problems.push('The signature data is unreadable.');
  }
  let signature = false;
  let integrity = false;
  let anchorOk = false;
  let authorName: string | null = null;
  if (sig && sig.fields && typeof sig.signature === 'string') {
    const f = sig.fields;
    const authorMatches = f.recordId === rec.recordId && typeof f.author === 'string' && f.author.toLowerCase() === rec.author.address.toLowerCase();
    const b = sig.batch;
    signature =
      authorMatches &&
      (b
        ? typeof b.root === 'string' &&
          verifyInclusion(b.root, { recordId: f.recordId, patientRef: f.patientRef, commitment: (rec.anchor as unknown as AnchorData | undefined)?.commitment ?? '', author: f.author, createdAt: f.createdAt }, b.proof) &&
          verifyBatchSignature({ root: b.root, count: b.count, author: f.author, ...(f.authorRole === undefined ? {} : { authorRole: f.authorRole }), createdAt: b.createdAt }, b.signature, f.author)
        : verifyRecordSignature(f, sig.signature, rec.author.address));
    if (!signature) problems.push('The signature does not verify for the stated author and record.');
    // Records signed with their role: the role the file states must be the signed one.
    const roleMatches = f.authorRole === undefined || f.authorRole === rec.author.role;
    if (!roleMatches) problems.push("The author's role in the file differs from the role the author signed.");
    signature &&= roleMatches;

    let sealed: SealedContent | null = null;
    let plaintext: Uint8Array | null = null;
    try {
      plaintext = new Uint8Array(Buffer.from(sig.plaintext, 'base64'));
      sealed = JSON.parse(new TextDecoder().decode(plaintext)) as SealedContent;
    } catch {
      problems.push('The signed content is unreadable.');
    }
    if (sealed && plaintext) {
      authorName = typeof sealed.authorName === 'string' ? sealed.authorName : null;
      const hashOk = contentHashOf(plaintext) === f.contentHash;
      const bound = sealed.id === rec.recordId && sealed.kind === f.kind && sealed.author === f.author && sealed.createdAt === f.createdAt;
      const sameContent = comparable(sealed.content as RecordContent) === comparable(rec);
      const samePatient = f.patientRef === patientId;
      if (!hashOk) problems.push('The signed content does not match its hash.');
      if (!bound) problems.push('The signed content belongs to another record.');
      if (!sameContent) problems.push('The values in the file differ from the values the author signed.');
      if (!samePatient) problems.push('The record belongs to another patient.');
      integrity = hashOk && bound && sameContent && samePatient;
    }

    const a = rec.anchor as unknown as AnchorData | undefined;
    if (!a) problems.push('The record carries no anchor.');
    else {
      const committed = checkHashCommitment(f.contentHash, a.salt, a.commitment);
      const included = verifyInclusion(a.root, { recordId: f.recordId, patientRef: f.patientRef, commitment: a.commitment, author: f.author, createdAt: f.createdAt }, a.proof);
      if (!committed) problems.push('The anchored commitment does not match the content.');
      if (!included) problems.push('The record is not included under the anchored root.');
      let onChain: boolean | null = null;
      if (committed && included) {
        try {
          onChain = await lookup(a.chainId, ethers.getAddress(a.contract), a.root);
        } catch {
          onChain = null;
        }
        if (onChain === null) problems.push('The anchor could not be checked: the chain is not reachable.');
        else if (!onChain) problems.push('The root is not anchored on the chain.');
      }
      anchorOk = committed && included && onChain === true;
    }
  }
  return { recordId: rec.recordId, kind: rec.kind, author: rec.author.address, authorName, ok: signature && integrity && anchorOk, signature, integrity, anchor: anchorOk, problems };
}
