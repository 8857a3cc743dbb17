/**
 * Verification of a FHIR export (by an insurer in the app, or by anyone with `wardledger verify`),
 * trusting nothing the file says about itself:
 *
 *  - each record's signature data (Provenance.signature) must verify: the signature recovers the
 *    author, the signed plaintext hashes to the signed content hash, the salted commitment opens to
 *    it, the Merkle proof puts the record's leaf under the anchored root;
 *  - against the ward the verifier pinned (TrustedWard): the anchor contract is the ward's, the
 *    root is anchored there with the batch id, block and transaction the file states, and the
 *    author held the role they signed with in the ward's registry at that block;
 *  - the export's signed manifest (Bundle.signature, signed by a workstation of that ward) says who
 *    the patient is and which records the export holds or could not export;
 *  - with a consortium the verifier pinned (ConsortiumPlaceCheck), each published record's place
 *    on the hospital consortium chain (exportConsortium.ts);
 *  - then the whole bundle is rebuilt from what was verified (the signed records, the manifest)
 *    with the same code that exports, and compared with the file element by element: every element
 *    of the file is either bound to a signature this way — a changed time, display text, unit,
 *    status or identifier fails and names the record and the field — or listed in `notCovered`.
 *    New signed content is covered without changes here, since both sides come from one builder.
 */
import { ethers } from 'ethers';
import type { TrustedWard } from '../chain/trustedWard';
import { buildFhirBundle, validateFhirR4 } from '../clinical/fhir';
import { deterministicUuid, EXT } from '../clinical/fhirModel';
import type { ExportPatient, ExportRecord, FhirBundle } from '../clinical/fhirModel';
import { checkHashCommitment } from '../crypto/commitment';
import { verifyInclusion } from '../crypto/merkle';
import { contentHashOf, verifyBatchSignature, verifyRecordSignature } from '../crypto/recordSignature';
import type { VerificationItem, VerificationReport } from '../model/records';
import { WardError } from '../model/errors';
import { exportRecordOf, isExportable, signatureDataOf, type AnchorData, type SignatureData } from './fhirExchange';
import { CONSORTIUM_COVERS, CONSORTIUM_NOT_COVERED, readConsortiumData, type ConsortiumData, type ConsortiumPlaceCheck } from './exportConsortium';
import { manifestElement, readManifest, type SignedManifest } from './exportManifest';
import type { SealedContent } from './recordCodec';

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

interface FileEntry {
  index: number;
  fullUrl: string | undefined;
  resource: Json;
}

/** One record as found in the file, and what verifying it established. */
interface RecordCheck {
  item: VerificationItem;
  /** The record rebuilt from its verified signature data; absent when that data is unusable. */
  rebuilt?: ExportRecord;
  /** The record id the file claims (Provenance extension), for records whose signature data is unusable. */
  claimedId: string;
}

export async function verifyExport(bundle: unknown, ward: TrustedWard | null, consortium: ConsortiumPlaceCheck | null = null): Promise<VerificationReport> {
  const fileProblems: string[] = [];
  const notCovered: string[] = [];
  const report = (items: VerificationItem[], manifest: VerificationReport['manifest']): VerificationReport => {
    const failed = items.filter((i) => !i.ok).length;
    const complete = manifest !== null && manifest.complete;
    const published = items.filter((i) => i.consortium.status !== 'not-published');
    if (!consortium && published.length > 0) {
      notCovered.push(`The consortium places of ${published.length} record${published.length === 1 ? '' : 's'} (batch, root, block, transaction, proofs): no consortium was given to check them against.`);
    }
    // A consortium that could not be asked matters only when the file places records there.
    const unreachable = published.length > 0 ? (consortium?.unreachable ?? null) : null;
    return {
      ok: failed === 0 && fileProblems.length === 0 && complete && ward !== null && unreachable === null,
      checked: items.length,
      failed,
      items,
      fileProblems,
      ward: ward ? { ...ward.identity } : null,
      notCovered,
      manifest,
      consortium: consortium && {
        chainId: consortium.chainId,
        ledger: consortium.pinned.ledger,
        url: consortium.pinned.url,
        pinnedBy: consortium.pinned.pinnedBy,
        unreachable,
        published: published.length,
        included: published.filter((i) => i.consortium.status === 'included').length,
        covers: CONSORTIUM_COVERS,
        notCovered: CONSORTIUM_NOT_COVERED,
      },
    };
  };

  const schema = validateFhirR4(bundle);
  if (!schema.valid) fileProblems.push(`The file is not a valid FHIR R4 resource: ${schema.errors.slice(0, 3).join('; ')}`);
  if (!isObject(bundle) || bundle.resourceType !== 'Bundle' || !Array.isArray(bundle.entry)) {
    fileProblems.push('The file is not a FHIR Bundle with entries: it is not a WardLedger export.');
    return report([], null);
  }
  const entries: FileEntry[] = bundle.entry.map((e, index) => ({
    index,
    fullUrl: isObject(e) && typeof e.fullUrl === 'string' ? e.fullUrl : undefined,
    resource: isObject(e) && isObject(e.resource) ? e.resource : {},
  }));

  // Who the patient is, and what the export holds: the manifest, if its signer is the ward's.
  const signed = readManifest(bundle);
  const manifest = 'problem' in signed ? null : signed;
  if ('problem' in signed) fileProblems.push(signed.problem);
  else fileProblems.push(...(await manifestProblems(signed, ward)));
  const filePatient = patientOfFile(entries);
  const patient: ExportPatient | null = manifest
    ? { id: manifest.manifest.patientRef, ...(manifest.manifest.patientName !== null ? { display: manifest.manifest.patientName } : {}) }
    : filePatient;
  if (!manifest) notCovered.push('The Patient resource (name and identifiers) and Bundle.timestamp: the export has no signed manifest.');
  if (!ward) notCovered.push("Anchors on the ward chain, the authors' membership of the ward, and who signed the manifest (who the patient is, what the export holds): no ward was given.");

  const checks: RecordCheck[] = [];
  for (const e of entries) {
    if (e.resource.resourceType !== 'Provenance') continue;
    checks.push(await checkRecord(e.resource, patient?.id ?? null, ward, consortium));
  }
  if (checks.length === 0) fileProblems.push('The file contains no signed record (Provenance).');

  // The manifest's list against the file's records: nothing dropped, nothing added.
  const byId = new Map(checks.map((c) => [c.item.recordId.toLowerCase(), c]));
  if (manifest) {
    const listed = new Set(manifest.manifest.records.map((r) => r.recordId.toLowerCase()));
    for (const r of manifest.manifest.records) {
      if (!byId.has(r.recordId.toLowerCase())) fileProblems.push(`Record ${r.recordId} (${r.kind}, ${r.recordedAt}) is listed in the export's signed manifest but is missing from the file.`);
    }
    for (const c of checks) if (!listed.has(c.item.recordId.toLowerCase())) fail(c.item, 'This record is not in the export\'s signed manifest: it was added to the file.');
    for (const m of manifest.manifest.missing) {
      fileProblems.push(`Incomplete export: record ${m.recordId} (${m.kind}, ${m.recordedAt}) could not be exported: ${m.reason}.`);
    }
  }

  // Rebuild the bundle from what was verified and compare it with the file, element by element.
  if (patient) {
    const rebuilt = checks.filter((c) => c.rebuilt).map((c) => c.rebuilt!);
    let expected: FhirBundle | null = null;
    try {
      expected = buildFhirBundle(patient, rebuilt, { timestamp: manifest ? manifest.manifest.exportedAt : typeof bundle.timestamp === 'string' ? bundle.timestamp : undefined });
    } catch (e) {
      fileProblems.push(`The export cannot be rebuilt from its signed records: ${e instanceof WardError ? e.message : 'unexpected content'}`);
    }
    if (expected) compareBundles(bundle, entries, expected, checks, manifest, fileProblems);
  } else {
    fileProblems.push('The file has no Patient with a WardLedger pseudonymous identifier, and no signed manifest naming the patient.');
  }

  return report(
    checks.map((c) => c.item),
    manifest ? { complete: manifest.manifest.missing.length === 0, records: manifest.manifest.records.length, missing: manifest.manifest.missing } : null,
  );
}

function fail(item: VerificationItem, problem: string): void {
  item.ok = false;
  item.integrity = false;
  item.problems.push(problem);
}

async function manifestProblems(m: SignedManifest, ward: TrustedWard | null): Promise<string[]> {
  if (!ward) return [];
  const w = m.manifest.ward;
  if (w?.chainId !== ward.identity.chainId || typeof w.registry !== 'string' || w.registry.toLowerCase() !== ward.identity.registry.toLowerCase()) {
    return [`The export's manifest names another ward (registry ${String(w?.registry)} on chain ${String(w?.chainId)}).`];
  }
  try {
    const contract = ethers.getAddress(w.anchors);
    const problem = await ward.anchorContractProblem(w.chainId, contract);
    if (problem) return [`The export's manifest: ${problem}`];
    if (!(await ward.isStation(contract, m.signer))) return [`The export's manifest is signed by ${m.signer}, which is not a workstation of this ward.`];
  } catch (e) {
    return [`The export's manifest could not be checked on the ward chain: ${chainError(e)}`];
  }
  return [];
}

function patientOfFile(entries: FileEntry[]): ExportPatient | null {
  const patients = entries.filter((e) => e.resource.resourceType === 'Patient');
  if (patients.length !== 1) return null;
  const p = patients[0]!.resource;
  const id = Array.isArray(p.identifier) ? p.identifier.find((i) => isObject(i) && typeof i.value === 'string') : undefined;
  if (!isObject(id)) return null;
  const name = Array.isArray(p.name) && isObject(p.name[0]) && typeof p.name[0].text === 'string' ? p.name[0].text : undefined;
  return { id: id.value as string, ...(name !== undefined ? { display: name } : {}) };
}

function chainError(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
}

function extensionValue(p: Json, url: string): string | undefined {
  const hit = (Array.isArray(p.extension) ? p.extension : []).find((x) => isObject(x) && x.url === url);
  if (!isObject(hit)) return undefined;
  const v = hit.valueString ?? hit.valueCode;
  return typeof v === 'string' ? v : undefined;
}

/** Verify one Provenance's record: signature, content, anchor and membership. */
async function checkRecord(p: Json, patientRef: string | null, ward: TrustedWard | null, consortium: ConsortiumPlaceCheck | null): Promise<RecordCheck> {
  const claimedId = extensionValue(p, EXT.recordId) ?? '(no record id)';
  const item: VerificationItem = {
    recordId: claimedId,
    kind: extensionValue(p, EXT.recordKind) ?? 'unknown',
    recordedAt: typeof p.recorded === 'string' ? p.recorded : null,
    author: '',
    authorName: null,
    authorRole: null,
    ok: false,
    signature: false,
    member: false,
    integrity: false,
    anchor: false,
    consortium: { status: 'not-published' },
    problems: [],
  };
  const problems = item.problems;
  let sig: SignatureData;
  try {
    const element = (p.signature as Json[])[0]!;
    sig = JSON.parse(Buffer.from(element.data as string, 'base64').toString('utf8')) as SignatureData;
    if (!isObject(sig) || !isObject(sig.fields) || typeof sig.signature !== 'string' || typeof sig.plaintext !== 'string') throw new Error('shape');
  } catch {
    problems.push('The signature data (Provenance.signature) is missing or unreadable, so nothing in this record can be verified.');
    return { item, claimedId };
  }
  const f = sig.fields;
  item.recordId = String(f.recordId);
  item.kind = String(f.kind);
  item.author = String(f.author);
  if (typeof f.createdAt === 'number' && Number.isFinite(f.createdAt)) item.recordedAt = new Date(f.createdAt).toISOString();

  let anchor: AnchorData | undefined;
  const anchorText = extensionValue(p, EXT.anchor);
  if (anchorText !== undefined) {
    try {
      anchor = JSON.parse(anchorText) as AnchorData;
      if (!isObject(anchor)) throw new Error('shape');
    } catch {
      problems.push('The anchor details are unreadable.');
      anchor = undefined;
    }
  }

  // The author's signature, over the record or over a batch that includes it.
  const b = sig.batch;
  try {
    item.signature = b
      ? verifyInclusion(b.root, { recordId: f.recordId, patientRef: f.patientRef, commitment: anchor?.commitment ?? '', author: f.author, createdAt: f.createdAt }, b.proof) &&
        verifyBatchSignature({ root: b.root, count: b.count, author: f.author, ...(f.authorRole === undefined ? {} : { authorRole: f.authorRole }), createdAt: b.createdAt }, b.signature, f.author)
      : verifyRecordSignature(f, sig.signature, f.author);
  } catch {
    item.signature = false;
  }
  if (!item.signature) problems.push('The signature does not verify for the signed author and record.');

  // The signed content: its hash, and that it belongs to this record and patient.
  let sealed: SealedContent | null = null;
  let plaintext: Uint8Array | null = null;
  try {
    plaintext = new Uint8Array(Buffer.from(sig.plaintext, 'base64'));
    sealed = JSON.parse(new TextDecoder().decode(plaintext)) as SealedContent;
    if (!isObject(sealed) || !isObject(sealed.content)) throw new Error('shape');
  } catch {
    sealed = null;
    problems.push('The signed content is unreadable.');
  }
  let contentOk = false;
  if (sealed && plaintext) {
    const hashOk = contentHashOf(plaintext) === f.contentHash;
    const bound = sealed.id === f.recordId && sealed.kind === f.kind && sealed.author === f.author && sealed.createdAt === f.createdAt;
    const samePatient = patientRef !== null && f.patientRef === patientRef;
    if (!hashOk) problems.push('The signed content does not match its hash.');
    if (!bound) problems.push('The signed content belongs to another record.');
    if (!samePatient) problems.push("The record is signed for another patient than the export's.");
    if (!isExportable(sealed)) problems.push('The signed record has nothing an export shows.');
    contentOk = hashOk && bound && samePatient && isExportable(sealed);
  }

  // The anchor, against the pinned ward; and the author's role there when it was anchored.
  let anchorBlock: number | null = null;
  if (!anchor) problems.push('The record carries no anchor.');
  else {
    const committed = checkHashCommitment(f.contentHash, anchor.salt, anchor.commitment);
    const included = verifyInclusion(anchor.root, { recordId: f.recordId, patientRef: f.patientRef, commitment: anchor.commitment, author: f.author, createdAt: f.createdAt }, anchor.proof);
    if (!committed) problems.push('The anchored commitment does not match the content.');
    if (!included) problems.push('The record is not included under the anchored root.');
    if (!ward) problems.push('The anchor was not checked: no ward chain was given.');
    else if (committed && included) anchorBlock = await checkAnchorOnChain(anchor, ward, problems);
    item.anchor = committed && included && anchorBlock !== null;
  }
  if (ward) {
    // At the anchor block when the anchor holds; otherwise the author is at least named as a member or not.
    const contract = anchorBlock !== null ? ethers.getAddress(anchor!.contract) : null;
    item.authorName = ward.nameOf(f.author);
    try {
      const role = await ward.roleAt(f.author, contract, anchorBlock ?? 'latest');
      item.authorRole = role;
      if (role === null && anchorBlock === null) problems.push(`The author ${f.author} is not a member of the ward.`);
      else if (role === null) problems.push(`The author ${f.author} was not a member of the ward when the record was anchored (block ${anchorBlock}).`);
      else if (f.authorRole !== undefined && f.authorRole !== role) problems.push(`The author signed as ${f.authorRole}, but the ward's registry lists them as ${role} at block ${anchorBlock}.`);
      else item.member = anchorBlock !== null;
      if (role === 'station') item.authorName ??= 'Ward workstation';
    } catch (e) {
      problems.push(`The author's membership could not be checked on the ward chain: ${chainError(e)}`);
    }
  }

  // The record's place on the consortium chain, when the file says it is there.
  let place: ConsortiumData | undefined;
  const placeText = extensionValue(p, EXT.consortium);
  if (placeText !== undefined) {
    const read = readConsortiumData(placeText);
    if ('problem' in read) problems.push(read.problem);
    else {
      place = read;
      const leaf = { recordId: f.recordId, patientRef: f.patientRef, commitment: anchor?.commitment ?? '', author: f.author, createdAt: f.createdAt };
      item.consortium = consortium
        ? await consortium.check(place, leaf)
        : { status: 'unchecked', ward: ethers.getAddress(place.ward), wardName: null, batchId: place.batchId, block: place.block, tx: place.tx, problems: ['No consortium was given to check it against.'] };
      if (item.consortium.status === 'failed') problems.push(...item.consortium.problems);
    }
  }

  let rebuilt: ExportRecord | undefined;
  if (sealed && contentOk) {
    try {
      // The signed plaintext as the bytes that were checked (base64 decoding skips stray characters).
      const checked = { ...sig, plaintext: Buffer.from(plaintext!).toString('base64') };
      rebuilt = exportRecordOf({ sig: signatureDataOf(checked), sealed, anchor, ...(place ? { consortium: place } : {}), unsignedRole: item.authorRole ?? fileRole(p) });
      buildFhirBundle({ id: f.patientRef }, [rebuilt]); // refuses signed content no export could show
    } catch (e) {
      rebuilt = undefined;
      contentOk = false;
      problems.push(`The signed content cannot be shown as FHIR: ${e instanceof WardError ? e.message : 'unexpected content'}`);
    }
  }
  item.integrity = contentOk;
  item.ok = problems.length === 0 && item.signature && item.member && item.integrity && item.anchor;
  return { item, rebuilt, claimedId };
}

/** Role the file states (only used for records signed before roles were signed, when no chain says it). */
function fileRole(p: Json): string | undefined {
  const agent = Array.isArray(p.agent) && isObject(p.agent[0]) ? p.agent[0] : undefined;
  const role = agent && Array.isArray(agent.role) && isObject(agent.role[0]) ? agent.role[0] : undefined;
  const coding = role && Array.isArray(role.coding) && isObject(role.coding[0]) ? role.coding[0] : undefined;
  return typeof coding?.code === 'string' ? coding.code : undefined;
}

/** The whole anchor location against the ward's chain; the anchor block, or null with the problems said. */
async function checkAnchorOnChain(a: AnchorData, ward: TrustedWard, problems: string[]): Promise<number | null> {
  let contract: string;
  try {
    contract = ethers.getAddress(a.contract);
  } catch {
    problems.push('The anchor contract is not an address.');
    return null;
  }
  try {
    const notOurs = await ward.anchorContractProblem(a.chainId, contract);
    if (notOurs) {
      problems.push(notOurs);
      return null;
    }
    const at = await ward.anchorOf(contract, a.root);
    if (!at) {
      problems.push(`The root ${a.root} is not anchored on the ward chain.`);
      return null;
    }
    let ok = true;
    if (a.batchId !== at.batchId) {
      problems.push(`Anchor batch id: the file says ${String(a.batchId)}, the ward chain says ${at.batchId}.`);
      ok = false;
    }
    if (a.block !== at.block) {
      problems.push(`Anchor block: the file says ${String(a.block)}, the ward chain says ${at.block}.`);
      ok = false;
    }
    if (a.tx !== null && !(await ward.anchoredBy(String(a.tx), contract, at, a.root))) {
      problems.push(`Anchor transaction: ${String(a.tx)} is not the transaction that anchored this root in block ${at.block}.`);
      ok = false;
    }
    return ok ? at.block : null;
  } catch (e) {
    problems.push(`The anchor could not be checked on the ward chain: ${chainError(e)}`);
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// The file against the bundle rebuilt from what was verified
// ---------------------------------------------------------------------------------------------

function compareBundles(file: Json, entries: FileEntry[], expected: FhirBundle, checks: RecordCheck[], manifest: SignedManifest | null, fileProblems: string[]): void {
  const itemOf = new Map<string, VerificationItem>();
  for (const c of checks) {
    itemOf.set(c.item.recordId.toLowerCase(), c.item);
    itemOf.set(c.claimedId.toLowerCase(), c.item);
  }
  // Which record each rebuilt entry shows (the Provenance and its targets; a Device its first user).
  const owner = new Map<string, VerificationItem | 'patient'>();
  for (const e of expected.entry) {
    if (e.resource.resourceType === 'Patient') owner.set(e.fullUrl, 'patient');
    if (e.resource.resourceType !== 'Provenance') continue;
    const item = itemOf.get(String(extensionValue(e.resource as Json, EXT.recordId)).toLowerCase());
    if (!item) continue;
    owner.set(e.fullUrl, item);
    for (const t of e.resource.target as Array<{ reference: string }>) owner.set(t.reference, item);
    for (const x of (e.resource.entity as Array<{ role: string; what: { reference?: string } }> | undefined) ?? []) {
      if (x.what.reference && !owner.has(x.what.reference)) owner.set(x.what.reference, item);
    }
  }
  const problemFor = (who: VerificationItem | 'patient' | undefined, text: string): void => {
    if (who === undefined || who === 'patient') fileProblems.push(who === 'patient' ? `Patient: ${text}` : text);
    else fail(who, text);
  };

  const fileByUrl = new Map<string, FileEntry>();
  for (const e of entries) {
    if (e.fullUrl === undefined || fileByUrl.has(e.fullUrl)) {
      const who = ownerByIdentifier(e.resource, itemOf);
      problemFor(who, `Entry ${e.index + 1} (${describe(e.resource)}) has no fullUrl of its own.`);
      continue;
    }
    fileByUrl.set(e.fullUrl, e);
  }
  for (const x of expected.entry) {
    const who = owner.get(x.fullUrl);
    const found = fileByUrl.get(x.fullUrl);
    if (!found) {
      problemFor(who, `Its ${describe(x.resource)} (${x.fullUrl}) is missing from the file, or was changed beyond recognition.`);
      continue;
    }
    fileByUrl.delete(x.fullUrl);
    for (const d of differences(x.resource, found.resource, '').slice(0, 5)) {
      problemFor(who, `${describe(x.resource)} ${d}`);
    }
  }
  for (const e of fileByUrl.values()) {
    const who = ownerByIdentifier(e.resource, itemOf);
    const text = `Entry ${e.index + 1} (${describe(e.resource)}) is not part of any signed record.`;
    if (who) fail(who, text);
    else fileProblems.push(text);
  }

  // The bundle's own elements: type, id (derived from the patient and the records), timestamp, the manifest.
  const claimedIds = checks.map((c) => c.item.recordId);
  const expectedTop: Json = {
    resourceType: 'Bundle',
    id: deterministicUuid(`bundle:${expected.entry.find((e) => e.resource.resourceType === 'Patient') ? patientIdOf(expected) : ''}:${claimedIds.join(',')}`),
    type: 'collection',
    ...(expected.timestamp !== undefined ? { timestamp: expected.timestamp } : {}),
    ...(manifest ? { signature: manifestElement(manifest) } : {}),
  };
  const fileTop: Json = { ...file };
  delete fileTop.entry;
  if (!manifest) delete fileTop.signature;
  for (const d of differences(expectedTop, fileTop, 'Bundle')) fileProblems.push(d);
}

function patientIdOf(b: FhirBundle): string {
  const p = b.entry.find((e) => e.resource.resourceType === 'Patient')!.resource as unknown as { identifier: Array<{ value: string }> };
  return p.identifier[0]!.value;
}

/** The record a resource of the file names in its identifier or Provenance extension. */
function ownerByIdentifier(resource: Json, itemOf: Map<string, VerificationItem>): VerificationItem | undefined {
  const ids: string[] = [];
  const ext = extensionValue(resource, EXT.recordId);
  if (ext) ids.push(ext);
  for (const i of Array.isArray(resource.identifier) ? resource.identifier : []) if (isObject(i) && typeof i.value === 'string') ids.push(i.value);
  for (const id of ids) {
    const hit = itemOf.get(id.toLowerCase());
    if (hit) return hit;
  }
  return undefined;
}

/** A resource as a reader would call it: "Observation 'Oxygen saturation…'", "Provenance", "Condition". */
function describe(resource: Json | { resourceType: string }): string {
  const r = resource as Json;
  const type = typeof r.resourceType === 'string' ? r.resourceType : 'resource';
  const text = isObject(r.code) && typeof r.code.text === 'string' ? r.code.text : undefined;
  return text ? `${type} '${text}'` : type;
}

const shown = (v: unknown): string => {
  if (v === undefined) return 'absent';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
};

/** Where `actual` differs from `expected`: "<path>: the file says X, signed: Y". */
function differences(expected: unknown, actual: unknown, path: string): string[] {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) out.push(...differences(expected[i], actual[i], `${path}[${i}]`));
    return out;
  }
  if (isObject(expected) && isObject(actual)) {
    const out: string[] = [];
    for (const k of new Set([...Object.keys(expected), ...Object.keys(actual)])) out.push(...differences(expected[k], actual[k], path ? `${path}.${k}` : k));
    return out;
  }
  if (Object.is(expected, actual)) return [];
  return [`${path || '(whole)'}: the file says ${shown(actual)}, the signed record says ${shown(expected)}.`];
}
