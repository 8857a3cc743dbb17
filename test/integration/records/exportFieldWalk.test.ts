/**
 * Issue 8, "Verification must cover what the export claims": an insurer edits an export by hand.
 * This walks EVERY element of a real export (vitals on oxygen with its NEWS2 score, an escalation,
 * a note, its amendment, a diagnosis; the Patient; the bundle and its signed manifest; inside the
 * anchor and signature data too), edits each one and asserts that verification fails naming the
 * record the element belongs to (or, for the Patient and the bundle's own elements, says what is
 * wrong with the file) — an element no signature covers would have to be listed in `notCovered`,
 * and a complete export lists none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedWard } from '../../../electron/core/chain/trustedWard';
import type { VerificationReport } from '../../../electron/core/model/records';
import { withDataDirWard } from '../../../electron/core/offlineVerify';
import { verifyExport } from '../../../electron/core/records/exportVerification';
import type { VitalsInput } from '../../../electron/core/model/vitals';
import type { WardCore } from '../../../electron/core/shellContract';
import { removeDir, staffedWard, startCore, tempDir, type Caller } from '../../support/tempCore';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Bundle = { entry: Array<{ fullUrl: string; resource: { [key: string]: Json } }>; [key: string]: Json | unknown };

const high: VitalsInput = { respiratoryRate: 26, spo2: 90, supplementalOxygen: true, oxygenDevice: 'simple-mask', oxygenFlow: 5, systolic: 95, diastolic: 60, pulse: 125, consciousness: 'A', temperature: { value: 101.3, unit: '[degF]' } };

const FHIR_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A plausible hand edit of one value: a time a day later, another hex digit, another number, the other boolean, other text. */
function edited(value: Json): Json {
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (value === null) return 'edited';
  if (typeof value !== 'string') throw new Error('not a leaf');
  if (FHIR_INSTANT.test(value)) return new Date(Date.parse(value) + 86_400_000).toISOString();
  if (/^0x[0-9a-fA-F]+$/.test(value)) return value.slice(0, -1) + (value.endsWith('0') ? '1' : '0');
  return value + ' (edited)';
}

interface Edit {
  /** Where, for the failure message: "entry[3].resource.effectiveDateTime". */
  path: string;
  /** The entry it is in (null: the bundle's own elements). */
  entry: number | null;
  apply(bundle: Bundle): void;
}

/** Text that is itself JSON (the anchor extension) or base64 JSON (signature data): its elements are walked too. */
function nested(value: string): { parse: () => Json; encode: (j: Json) => string } | null {
  if (value.startsWith('{')) return { parse: () => JSON.parse(value) as Json, encode: (j) => JSON.stringify(j) };
  if (/^[A-Za-z0-9+/]{40,}={0,2}$/.test(value)) {
    try {
      const text = Buffer.from(value, 'base64').toString('utf8');
      if (text.startsWith('{')) return { parse: () => JSON.parse(text) as Json, encode: (j) => Buffer.from(JSON.stringify(j)).toString('base64') };
    } catch {
      return null;
    }
  }
  return null;
}

/** Every leaf of `value` as [path, set(bundleCopy, newLeaf)]. */
function leaves(value: Json, path: string, get: (b: Bundle) => Json, set: (b: Bundle, v: Json) => void, entry: number | null, out: Edit[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => leaves(v, `${path}[${i}]`, (b) => (get(b) as Json[])[i]!, (b, nv) => ((get(b) as Json[])[i] = nv), entry, out));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      leaves(value[k]!, `${path}.${k}`, (b) => (get(b) as { [key: string]: Json })[k]!, (b, nv) => ((get(b) as { [key: string]: Json })[k] = nv), entry, out);
    }
    return;
  }
  out.push({ path, entry, apply: (b) => set(b, edited(value)) });
  if (typeof value === 'string') {
    const inner = nested(value);
    if (!inner) return;
    const innerEdits: Edit[] = [];
    leaves(inner.parse(), `${path}⟨decoded⟩`, () => inner.parse(), () => undefined, entry, innerEdits);
    // Re-walk the decoded JSON on a fresh copy per edit, then encode it back into the string.
    const decodedLeaves: Array<{ path: string; edit: (j: Json) => void }> = [];
    collect(inner.parse(), '', decodedLeaves);
    for (const d of decodedLeaves) {
      out.push({
        path: `${path}⟨${d.path}⟩`,
        entry,
        apply: (b) => {
          const j = inner.parse();
          d.edit(j);
          set(b, inner.encode(j));
        },
      });
    }
  }
}

/** Leaves of plain JSON as in-place edits. */
function collect(value: Json, path: string, out: Array<{ path: string; edit: (root: Json) => void }>, get: (root: Json) => Json = (r) => r): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => collect(v, `${path}[${i}]`, out, (r) => (get(r) as Json[])[i]!));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) collect(value[k]!, path ? `${path}.${k}` : k, out, (r) => (get(r) as { [key: string]: Json })[k]!);
    return;
  }
  const parentPath = path;
  out.push({
    path: parentPath,
    edit: (root) => {
      // Walk to the parent and replace this leaf.
      const keys = parentPath.match(/[^.[\]]+/g)!;
      let node = root as { [key: string]: Json } | Json[];
      for (const k of keys.slice(0, -1)) node = (Array.isArray(node) ? node[Number(k)] : node[k]) as { [key: string]: Json } | Json[];
      const last = keys[keys.length - 1]!;
      if (Array.isArray(node)) node[Number(last)] = edited(node[Number(last)]!);
      else node[last] = edited(node[last]!);
    },
  });
}

function allEdits(bundle: Bundle): Edit[] {
  const out: Edit[] = [];
  for (const key of Object.keys(bundle)) {
    if (key === 'entry') continue;
    leaves(bundle[key] as Json, `Bundle.${key}`, (b) => b[key] as Json, (b, v) => (b[key] = v), null, out);
  }
  bundle.entry.forEach((e, i) => {
    leaves(e.fullUrl, `entry[${i}].fullUrl`, (b) => b.entry[i]!.fullUrl, (b, v) => (b.entry[i]!.fullUrl = v as string), i, out);
    for (const k of Object.keys(e.resource)) {
      leaves(e.resource[k]!, `entry[${i}].resource.${k}`, (b) => b.entry[i]!.resource[k]!, (b, v) => (b.entry[i]!.resource[k] = v), i, out);
    }
  });
  return out;
}

describe('every element of an export is covered by verification (issue 8)', () => {
  let dir: string;
  let core: WardCore;
  let insurer: Caller;
  let bundle: Bundle;
  /** Which record each entry shows (by fullUrl): the Provenance, its targets, its device. */
  const ownerOf = new Map<number, string[]>();

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    const w = await staffedWard(core);
    const { nurse, doctor, patient } = w.callers;
    const p = w.addresses.patient;
    await nurse.ok('ward/admit', { patient: p, bed: '7', responsibleDoctor: w.addresses.doctor });
    const set = await nurse.ok('records/addVitals', { patient: p, vitals: high });
    await nurse.ok('records/addEscalation', { patient: p, forRecord: set.id, informed: { name: 'Grace Hopper', role: 'Doctor', address: w.addresses.doctor }, informedAt: new Date(Date.now() - 60_000).toISOString(), response: 'Reviewing now' });
    const note = await doctor.ok('records/addNote', { patient: p, text: 'Chest clear.' });
    await doctor.ok('records/amend', { recordId: note.id, reason: 'Wrong side', note: 'Left basal crackles.' });
    await doctor.ok('records/addDiagnosis', { patient: p, text: 'Community-acquired pneumonia', code: 'J18.9' });
    await patient.ok('consent/grant', { grantee: w.addresses.insurer });
    insurer = w.callers.insurer;
    bundle = (await insurer.ok('export/fhir', { patient: p })).bundle as Bundle;

    const recordOfUrl = new Map<string, string>();
    for (const e of bundle.entry) {
      if (e.resource.resourceType !== 'Provenance') continue;
      const id = ((e.resource.extension as Array<{ url: string; valueString?: string }>).find((x) => x.url.endsWith('/record-id'))!.valueString)!;
      recordOfUrl.set(e.fullUrl, id);
      for (const t of e.resource.target as Array<{ reference: string }>) recordOfUrl.set(t.reference, id);
      for (const x of (e.resource.entity as Array<{ what: { reference?: string } }> | undefined) ?? []) if (x.what.reference) recordOfUrl.set(x.what.reference, id);
    }
    bundle.entry.forEach((e, i) => ownerOf.set(i, recordOfUrl.has(e.fullUrl) ? [recordOfUrl.get(e.fullUrl)!] : []));
  }, 120_000);
  afterAll(async () => {
    await core?.stop().catch(() => undefined);
    removeDir(dir);
  });

  it('verifies the export as made: complete, every record verified, nothing listed as not covered', async () => {
    const report = await insurer.ok('verify/fhir', { bundle });
    await core.stop(); // the walk below verifies against the data directory's chain, as `wardledger verify --data-dir` does
    expect(report, JSON.stringify(report, null, 1)).toMatchObject({ ok: true, failed: 0, fileProblems: [], notCovered: [], manifest: { complete: true } });
    expect(report.items.map((i) => i.kind).sort()).toEqual(['amendment', 'diagnosis', 'escalation', 'note', 'vitals']);
  });

  it('fails every single-element edit, naming the record it belongs to (or the file problem for the Patient and bundle)', async () => {
    const edits = allEdits(bundle);
    expect(edits.length).toBeGreaterThan(300);
    const uncaught: string[] = [];
    await withDataDirWard(dir, async (ward: TrustedWard) => {
      for (const edit of edits) {
        const copy = structuredClone(bundle);
        edit.apply(copy);
        let report: VerificationReport;
        try {
          report = await verifyExport(copy, ward);
        } catch (e) {
          uncaught.push(`${edit.path}: verification crashed (${(e as Error).stack})`);
          continue;
        }
        // The record is named: its item fails with its kind and date, or (when the edit removed it
        // from the file, e.g. its Provenance's type) the file problem names it with its kind and date.
        const owners = edit.entry === null ? [] : (ownerOf.get(edit.entry) ?? []);
        const named =
          owners.length > 0
            ? owners.every(
                (id) =>
                  report.items.some((i) => i.recordId === id && !i.ok && i.problems.length > 0 && i.recordedAt !== null && i.kind !== 'unknown') ||
                  report.fileProblems.some((p) => p.includes(id) && FHIR_INSTANT.test(p.match(/\d{4}-\d{2}-\d{2}T[^ ,)]+/)?.[0] ?? '')),
              )
            : report.fileProblems.length > 0;
        if (report.ok || !named) {
          uncaught.push(`${edit.path}: ok=${report.ok} fileProblems=${JSON.stringify(report.fileProblems).slice(0, 300)} failed=${report.items.filter((i) => !i.ok).map((i) => i.recordId.slice(0, 10)).join(',')}`);
        }
      }
    });
    expect(uncaught, `${uncaught.length} of ${edits.length} edits not caught:\n${uncaught.join('\n')}`).toEqual([]);
  }, 900_000);
});
