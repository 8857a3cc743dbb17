/**
 * `wardledger verify FILE`: check a FHIR export against a ward the verifier pins — a ward data
 * directory (--data-dir), or a ward registry (--registry) on a chain reached over JSON-RPC (--rpc)
 * — and, with --rpc and a consortium ledger (--ledger, or the data directory's consortium
 * settings), each published record's place on the hospital consortium chain.
 * Prints which ward was trusted and a per-record report naming each record (id, kind, date) and
 * what failed. Exit status: 0 verified and complete, 1 verification failed or incomplete, 2 bad
 * input (usage, unreadable file, no ward or ledger there), 3 a node did not answer.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WardError } from '../core/model/errors';
import type { VerificationReport } from '../core/model/records';
import { consortiumNotChecked, verifyExportOffline, type ConsortiumSource, type WardSource } from '../core/offlineVerify';
import { fail, parse } from './io';

export const verifyUsage = `  wardledger verify FILE (--data-dir DIR | --rpc URL --registry ADDRESS) [--rpc URL] [--ledger ADDRESS] [--json]
      Verify a WardLedger FHIR export against a ward you trust: each record's signature, that the
      author was a member of the ward in the role they signed with, that every element of the file
      says what was signed, its anchor on the ward's chain, and the export's signed manifest (who
      the patient is, which records it holds or could not export). The ward is the one of the data
      directory DIR, or the one whose registry is ADDRESS on the chain at URL (JSON-RPC); never the
      one the file names.
      With --rpc URL and a consortium ledger (--ledger ADDRESS, or the consortium settings of the
      data directory DIR), also each published record's place on the hospital consortium chain at
      URL: its inclusion under the batch root the ledger holds for the publishing ward, the block
      and transaction, and the ward's membership of the consortium at that block. Records not
      published are reported as "not on the consortium" (not a failure).
      Exit status: 0 every record verifies and the export is complete; 1 verification failed or
      the export is incomplete; 2 bad input; 3 a node did not answer (nothing was passed).`;

export async function verify(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    { rpc: { type: 'string' }, registry: { type: 'string' }, ledger: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
    verifyUsage,
    true,
  );
  if (positionals.length !== 1) fail(`give exactly one FILE.\n\n${verifyUsage}`, 2);
  if (values.registry && values['data-dir']) fail(`give either --data-dir or --registry, not both.\n\n${verifyUsage}`, 2);
  if ((values.registry || values.ledger) && !values.rpc) fail(`--registry and --ledger need --rpc URL: the node to ask.\n\n${verifyUsage}`, 2);
  if (values.rpc && !values.registry && !values.ledger && !values['data-dir']) {
    fail(
      `--rpc needs --registry ADDRESS (the ward registry you trust, on that chain) or --ledger ADDRESS (the hospital consortium ledger), or --data-dir DIR with consortium settings. The file's own contract addresses are never trusted.\n\n${verifyUsage}`,
      2,
    );
  }
  let bundle: unknown;
  try {
    bundle = JSON.parse(readFileSync(positionals[0]!, 'utf8'));
  } catch (e) {
    fail(`cannot read ${positionals[0]} as JSON: ${(e as Error).message}`, 2);
  }

  const dataDir = values['data-dir'] ? resolve(values['data-dir']) : undefined;
  const source: WardSource = values.registry ? { rpcUrl: values.rpc!, registry: values.registry } : dataDir ? { dataDir } : null;
  // --rpc is the consortium's node unless it only names the ward's chain (--registry without --ledger).
  const consortium: ConsortiumSource | null = values.rpc && (values.ledger || !values.registry) ? { rpcUrl: values.rpc, ...(values.ledger ? { ledger: values.ledger } : {}), ...(dataDir ? { dataDir } : {}) } : null;
  let report: VerificationReport;
  try {
    report = await verifyExportOffline(bundle, source, consortium);
  } catch (e) {
    if (!(e instanceof WardError)) throw e;
    fail(e.message, e.details?.consortiumUnreachable ? NODE_DOWN : 2);
  }

  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(describeReport(report));
  if (report.consortium?.unreachable) {
    // Asked but not answered part-way (the file was read): the report says why in its own words.
    process.stderr.write(`wardledger: ${consortiumNotChecked(report.consortium.url, report.consortium.unreachable)}\n`);
    process.exitCode = NODE_DOWN;
    return;
  }
  process.exitCode = report.ok ? 0 : 1;
}

/** Exit status when a node did not answer: neither a pass nor "verification failed". */
const NODE_DOWN = 3;

/** A record's consortium column in words. */
function consortiumWords(c: VerificationReport['items'][number]['consortium']): string {
  if (c.status === 'not-published') return 'consortium: not published';
  if (c.status === 'included') return `consortium: included (block ${c.block}${c.wardName ? `, ${c.wardName}` : ''})`;
  if (c.status === 'unchecked') return 'consortium: NOT CHECKED';
  return 'consortium: FAIL';
}

/** The report as text: the trusted ward, file problems, one line per record, what is not covered, the verdict. */
export function describeReport(report: VerificationReport): string {
  const lines: string[] = [];
  const w = report.ward;
  lines.push(w ? `Ward: registry ${w.registry} on chain ${w.chainId} (pinned by ${w.pinnedBy}).` : 'Ward: none given — anchors and authors were not checked against a chain: give --data-dir DIR or --rpc URL --registry ADDRESS.');
  const c = report.consortium;
  if (c) {
    lines.push(`Consortium: ledger ${c.ledger} on chain ${c.chainId} at ${c.url} (pinned by ${c.pinnedBy}).`);
    lines.push(`  Covers: ${c.covers}`);
    for (const n of c.notCovered) lines.push(`  Does not cover: ${n}`);
  }
  for (const p of report.fileProblems) lines.push(`FILE  ${p}`);
  const mark = (b: boolean) => (b ? 'ok' : 'FAIL');
  for (const i of report.items) {
    const by = i.authorName ? `${i.authorName}${i.authorRole ? ` (${i.authorRole})` : ''}` : `${i.author}${i.authorRole ? ` (${i.authorRole})` : ' (not a known member)'}`;
    lines.push(
      `${i.ok ? 'OK  ' : 'FAIL'}  ${i.recordId.slice(0, 12)}…  ${i.kind.padEnd(10)} ${i.recordedAt ?? 'no date'}  by ${by}  signature ${mark(i.signature)}  member ${mark(i.member)}  integrity ${mark(i.integrity)}  anchor ${mark(i.anchor)}  ${consortiumWords(i.consortium)}${i.problems.length ? '  — ' + i.problems.join(' ') : ''}`,
    );
  }
  for (const n of report.notCovered) lines.push(`NOT COVERED  ${n}`);
  if (c) lines.push(c.unreachable ? `Consortium: NOT CHECKED — ${c.unreachable}.` : `Consortium: ${c.included} of ${c.published} published record(s) included; ${report.checked - c.published} not on the consortium.`);
  if (report.manifest && !report.manifest.complete) lines.push(`Incomplete export: ${report.manifest.missing.length} record(s) could not be exported.`);
  lines.push(report.ok ? `All ${report.checked} records verified; the export is complete.` : `${report.failed} of ${report.checked} records failed verification${report.fileProblems.length ? `; ${report.fileProblems.length} problem(s) with the file` : ''}.`);
  return lines.join('\n') + '\n';
}
