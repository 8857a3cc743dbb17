/**
 * `wardledger verify FILE`: check a FHIR export against a ward the verifier pins — a ward data
 * directory (--data-dir), or a ward registry (--registry) on a chain reached over JSON-RPC (--rpc).
 * Prints which ward was trusted and a per-record report naming each record (id, kind, date) and
 * what failed; exits 1 if anything fails to verify or the export is incomplete.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WardError } from '../core/model/errors';
import type { VerificationReport } from '../core/model/records';
import { verifyExportOffline, type WardSource } from '../core/offlineVerify';
import { fail, parse } from './io';

export const verifyUsage = `  wardledger verify FILE (--data-dir DIR | --rpc URL --registry ADDRESS) [--json]
      Verify a WardLedger FHIR export against a ward you trust: each record's signature, that the
      author was a member of the ward in the role they signed with, that every element of the file
      says what was signed, its anchor on the ward's chain, and the export's signed manifest (who
      the patient is, which records it holds or could not export). The ward is the one of the data
      directory DIR, or the one whose registry is ADDRESS on the chain at URL (JSON-RPC); never the
      one the file names. Exit status 0 only when every record verifies and the export is complete.`;

export async function verify(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    { rpc: { type: 'string' }, registry: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
    verifyUsage,
    true,
  );
  if (positionals.length !== 1) fail(`give exactly one FILE.\n\n${verifyUsage}`, 2);
  if (values.rpc && values['data-dir']) fail(`give either --data-dir or --rpc, not both.\n\n${verifyUsage}`, 2);
  if (values.rpc && !values.registry) {
    fail(`--rpc needs --registry ADDRESS: the ward registry you trust (ask the ward's IT admin). The file's own contract addresses are never trusted.\n\n${verifyUsage}`, 2);
  }
  let bundle: unknown;
  try {
    bundle = JSON.parse(readFileSync(positionals[0]!, 'utf8'));
  } catch (e) {
    fail(`cannot read ${positionals[0]} as JSON: ${(e as Error).message}`, 2);
  }

  const source: WardSource = values.rpc ? { rpcUrl: values.rpc, registry: values.registry! } : values['data-dir'] ? { dataDir: resolve(values['data-dir']) } : null;
  let report: VerificationReport;
  try {
    report = await verifyExportOffline(bundle, source);
  } catch (e) {
    if (!(e instanceof WardError)) throw e;
    fail(e.message, 2);
  }

  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(describeReport(report));
  process.exitCode = report.ok ? 0 : 1;
}

/** The report as text: the trusted ward, file problems, one line per record, what is not covered, the verdict. */
export function describeReport(report: VerificationReport): string {
  const lines: string[] = [];
  const w = report.ward;
  lines.push(w ? `Ward: registry ${w.registry} on chain ${w.chainId} (pinned by ${w.pinnedBy}).` : 'Ward: none given — anchors and authors were not checked against a chain: give --data-dir DIR or --rpc URL --registry ADDRESS.');
  for (const p of report.fileProblems) lines.push(`FILE  ${p}`);
  const mark = (b: boolean) => (b ? 'ok' : 'FAIL');
  for (const i of report.items) {
    const by = i.authorName ? `${i.authorName}${i.authorRole ? ` (${i.authorRole})` : ''}` : `${i.author}${i.authorRole ? ` (${i.authorRole})` : ' (not a known member)'}`;
    lines.push(
      `${i.ok ? 'OK  ' : 'FAIL'}  ${i.recordId.slice(0, 12)}…  ${i.kind.padEnd(10)} ${i.recordedAt ?? 'no date'}  by ${by}  signature ${mark(i.signature)}  member ${mark(i.member)}  integrity ${mark(i.integrity)}  anchor ${mark(i.anchor)}${i.problems.length ? '  — ' + i.problems.join(' ') : ''}`,
    );
  }
  for (const n of report.notCovered) lines.push(`NOT COVERED  ${n}`);
  if (report.manifest && !report.manifest.complete) lines.push(`Incomplete export: ${report.manifest.missing.length} record(s) could not be exported.`);
  lines.push(report.ok ? `All ${report.checked} records verified; the export is complete.` : `${report.failed} of ${report.checked} records failed verification${report.fileProblems.length ? `; ${report.fileProblems.length} problem(s) with the file` : ''}.`);
  return lines.join('\n') + '\n';
}
