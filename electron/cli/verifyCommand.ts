/**
 * `wardledger verify FILE`: check a FHIR export — signatures, integrity, and anchors on a chain
 * reachable over JSON-RPC (--rpc, e.g. a consortium node) or in a ward data directory
 * (--data-dir). Prints a per-record report; exits 1 if anything fails to verify.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WardError } from '../core/model/errors';
import { verifyExportOffline } from '../core/offlineVerify';
import { fail, parse } from './io';

export const verifyUsage = `  wardledger verify FILE [--rpc URL | --data-dir DIR] [--json]
      Verify a WardLedger FHIR export: each record's signature, that its values are the signed
      values, and its Merkle anchor on the chain at URL (JSON-RPC) or in the ward data directory.
      Exit status 0 only when every record verifies.`;

export async function verify(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { rpc: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } }, verifyUsage, true);
  if (positionals.length !== 1) fail(`give exactly one FILE.\n\n${verifyUsage}`, 2);
  let bundle: unknown;
  try {
    bundle = JSON.parse(readFileSync(positionals[0]!, 'utf8'));
  } catch (e) {
    fail(`cannot read ${positionals[0]} as JSON: ${(e as Error).message}`, 2);
  }

  const source = values.rpc ? { rpcUrl: values.rpc } : values['data-dir'] ? { dataDir: resolve(values['data-dir']) } : null;
  let report;
  try {
    report = await verifyExportOffline(bundle, source);
  } catch (e) {
    if (!(e instanceof WardError)) throw e;
    fail(e.code === 'DATA_DIR_LOCKED' ? `${e.message} (or verify with --rpc against a running node)` : e.message, 2);
  }

  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    for (const p of report.fileProblems) process.stdout.write(`FILE  ${p}\n`);
    for (const i of report.items) {
      const mark = (b: boolean) => (b ? 'ok' : 'FAIL');
      process.stdout.write(
        `${i.ok ? 'OK  ' : 'FAIL'}  ${i.recordId.slice(0, 12)}…  ${i.kind.padEnd(10)} by ${i.authorName ?? i.author}  signature ${mark(i.signature)}  integrity ${mark(i.integrity)}  anchor ${mark(i.anchor)}${i.problems.length ? '  — ' + i.problems.join(' ') : ''}\n`,
      );
    }
    if (!source) process.stdout.write('Anchors were not checked against a chain: give --rpc URL or --data-dir DIR.\n');
    process.stdout.write(report.ok ? `All ${report.checked} records verified.\n` : `${report.failed} of ${report.checked} records failed verification.\n`);
  }
  process.exitCode = report.ok ? 0 : 1;
}
