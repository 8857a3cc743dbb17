/**
 * `wardledger verify FILE`: check a FHIR export — signatures, integrity, and anchors on a chain
 * reachable over JSON-RPC (--rpc, e.g. a consortium node) or in a ward data directory
 * (--data-dir). Prints a per-record report; exits 1 if anything fails to verify.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ethers } from 'ethers';
import { RecordAnchors } from '../../contracts/generated/artifacts';
import { WardNode } from '../core/chain/wardNode';
import { lockDataDir } from '../core/platform/dataDirLock';
import { WardError } from '../core/model/errors';
import { useFastKeccak } from '../core/crypto/keccak';
import { verifyExport } from '../core/records/fhirExchange';
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

  let provider: ethers.Provider | null = null;
  let cleanup = async () => {};
  if (values.rpc) {
    provider = new ethers.JsonRpcProvider(values.rpc, undefined, { staticNetwork: false });
  } else if (values['data-dir']) {
    const dir = resolve(values['data-dir']);
    let release;
    try {
      release = await lockDataDir(dir);
    } catch (e) {
      fail(e instanceof WardError ? `${e.message} (or verify with --rpc against a running node)` : String(e), 2);
    }
    const node = new WardNode(join(dir, 'chain'));
    await node.start();
    provider = node.provider;
    cleanup = async () => {
      await node.stop();
      await release();
    };
  }

  let chainId: number | null = null;
  try {
    if (provider) chainId = Number((await provider.getNetwork()).chainId);
  } catch {
    chainId = null;
  }
  await useFastKeccak(); // a large export has thousands of Merkle proofs and commitments to check
  const report = await verifyExport(bundle, async (anchorChainId, contract, root) => {
    if (!provider || chainId === null || anchorChainId !== chainId) return null;
    const anchors = new ethers.Contract(contract, RecordAnchors.abi as unknown as ethers.InterfaceAbi, provider);
    const a = await anchors.getFunction('anchorOf')(root);
    return Number(a.batchId) !== 0;
  });
  await cleanup();

  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    for (const p of report.fileProblems) process.stdout.write(`FILE  ${p}\n`);
    for (const i of report.items) {
      const mark = (b: boolean) => (b ? 'ok' : 'FAIL');
      process.stdout.write(
        `${i.ok ? 'OK  ' : 'FAIL'}  ${i.recordId.slice(0, 12)}…  ${i.kind.padEnd(10)} by ${i.authorName ?? i.author}  signature ${mark(i.signature)}  integrity ${mark(i.integrity)}  anchor ${mark(i.anchor)}${i.problems.length ? '  — ' + i.problems.join(' ') : ''}\n`,
      );
    }
    if (!provider) process.stdout.write('Anchors were not checked against a chain: give --rpc URL or --data-dir DIR.\n');
    process.stdout.write(report.ok ? `All ${report.checked} records verified.\n` : `${report.failed} of ${report.checked} records failed verification.\n`);
  }
  process.exitCode = report.ok ? 0 : 1;
}
