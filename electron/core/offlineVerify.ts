/**
 * Verifying a FHIR export without a running core (`wardledger verify`). The ward the records must
 * come from is pinned here, never by the file:
 *  - `{ dataDir }`: the ward of that data directory (its settings name the registry and the anchor
 *    contract, its staff directory the authors' names), on its own chain (opened under the
 *    data-directory lock, as a core would; while the ward runs, a snapshot of it);
 *  - `{ rpcUrl, registry }`: the ward whose registry the user names, on the chain at the URL (a
 *    consortium node, or a ward's chain served over JSON-RPC); the anchor contract the file names
 *    counts only if it is the genuine anchor contract of that registry;
 *  - null: nothing is checked against a chain, and the report says so.
 * And, when asked, the consortium the records' consortium places are checked on: a node URL and
 * the ledger the user names (--ledger), or else the one in the data directory's consortium
 * settings (ConsortiumSource).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ethers } from 'ethers';
import { identityOn, trustedWardOn, type TrustedWard } from './chain/trustedWard';
import { WardNode } from './chain/wardNode';
import { useFastKeccak } from './crypto/keccak';
import { Directory } from './identity/directory';
import { WardConfigStore } from './identity/wardConfig';
import { WardError } from './model/errors';
import type { VerificationReport } from './model/records';
import { lockDataDir } from './platform/dataDirLock';
import { LedgerReader } from './consortium/ledgerReader';
import { NodeUnreachable } from './consortium/rpc';
import { consortiumSettingsIn } from './records/consortiumSync';
import { ConsortiumPlaceCheck } from './records/exportConsortium';
import { verifyExport } from './records/exportVerification';

/** Which ward to verify against: a data directory, a registry on a JSON-RPC chain, or none. */
export type WardSource = { rpcUrl: string; registry: string } | { dataDir: string } | null;

/** Which consortium to check consortium places on: a node, and the ledger named or the data directory's settings'. */
export interface ConsortiumSource {
  rpcUrl: string;
  ledger?: string;
  dataDir?: string;
}

/**
 * @throws WardError('CHAIN' | 'NOT_FOUND' | 'BAD_INPUT') when the pinned ward cannot be reached or found;
 *   WardError('CHAIN', details.consortiumUnreachable) when the consortium node does not answer
 */
export async function verifyExportOffline(bundle: unknown, source: WardSource, consortiumSource: ConsortiumSource | null = null): Promise<VerificationReport> {
  await useFastKeccak(); // a large export has thousands of Merkle proofs and commitments to check
  const consortium = consortiumSource ? await openConsortium(consortiumSource) : null;
  if (!source) return verifyExport(bundle, null, consortium);
  if ('rpcUrl' in source) {
    const provider = new ethers.JsonRpcProvider(source.rpcUrl, undefined, { staticNetwork: false });
    try {
      const identity = await identityOn(provider, source.registry, 'the --registry flag');
      return await verifyExport(bundle, trustedWardOn(provider, identity), consortium);
    } finally {
      provider.destroy();
    }
  }
  return withDataDirWard(source.dataDir, (ward) => verifyExport(bundle, ward, consortium));
}

/** The consortium to check places on, its node asked once and a ledger found at the address. */
async function openConsortium(c: ConsortiumSource): Promise<ConsortiumPlaceCheck> {
  let ledger = c.ledger;
  let chainId: number | undefined;
  let pinnedBy = 'the --ledger flag';
  if (!ledger) {
    const settings = c.dataDir ? consortiumSettingsIn(c.dataDir) : null;
    if (!settings) throw new WardError('BAD_INPUT', `Give --ledger ADDRESS: the consortium ledger to check the records' consortium places on (ask the hospital's IT)${c.dataDir ? `; the data directory ${c.dataDir} has no consortium settings` : ''}. The file's own ledger address is never trusted.`);
    ({ ledger, chainId } = settings);
    pinnedBy = `the consortium settings of the data directory ${c.dataDir}`;
  }
  let reader: LedgerReader;
  try {
    reader = new LedgerReader({ url: c.rpcUrl, ledger, ...(chainId !== undefined ? { expectedChainId: chainId } : {}) });
  } catch (e) {
    if (e instanceof WardError) throw new WardError('BAD_INPUT', e.message.replace('consortium endpoint', '--rpc URL'));
    throw e;
  }
  const check = new ConsortiumPlaceCheck(reader, { url: c.rpcUrl, ledger: reader.ledger, pinnedBy, ...(chainId !== undefined ? { chainId } : {}) });
  try {
    await check.open();
  } catch (e) {
    if (e instanceof NodeUnreachable) throw consortiumUnreachable(c.rpcUrl, e.reason);
    throw e;
  }
  return check;
}

const CHECK_THE_NODE = 'Check the URL and that this machine can reach it, then verify again.';

/** The error a verifier gets when the consortium node does not answer (never a pass, never "verification failed"). */
export function consortiumUnreachable(url: string, reason: string): WardError {
  return new WardError('CHAIN', `The consortium node at ${url} does not answer (${reason}): the records' consortium places could not be checked. ${CHECK_THE_NODE}`, { consortiumUnreachable: true });
}

/** What a verifier says when the consortium stopped answering part-way (`why`: the report's words). */
export function consortiumNotChecked(url: string, why: string): string {
  return `The consortium at ${url} could not be checked (${why}): the records' consortium places are unchecked. ${CHECK_THE_NODE}`;
}

/**
 * The ward of a data directory, on its own chain, while `use` runs. While a WardLedger instance
 * runs on the directory (it holds the lock and the chain database), the chain is read from a
 * private snapshot of the database instead: the verifier only reads, and a snapshot holds every
 * block the running ward had written when it was taken.
 */
export async function withDataDirWard<T>(dataDir: string, use: (ward: TrustedWard) => Promise<T>): Promise<T> {
  const config = new WardConfigStore(dataDir).load();
  if (!config) throw new WardError('NOT_FOUND', `${dataDir} is not a ward data directory (it has no ward.json): give the ward's data directory.`);
  let release: (() => Promise<void>) | null = null;
  let snapshot: string | null = null;
  try {
    release = await lockDataDir(dataDir);
  } catch (e) {
    if (!(e instanceof WardError && e.code === 'DATA_DIR_LOCKED')) throw e;
    snapshot = snapshotChain(dataDir);
  }
  const node = new WardNode(snapshot ?? join(dataDir, 'chain'));
  try {
    await node.start();
    const directory = new Directory(dataDir, config.nameIndexKey);
    const pinnedBy = `the data directory ${dataDir}${snapshot ? ' (the ward is running: its chain was read from a snapshot)' : ''}`;
    const ward = trustedWardOn(
      node.provider,
      { chainId: node.options.chainId, registry: ethers.getAddress(config.registryAddress), pinnedBy },
      { anchors: config.contracts.anchors, staffName: (a) => directory.staffName(a)?.name ?? null },
    );
    return await use(ward);
  } finally {
    await node.stop();
    await release?.();
    if (snapshot) rmSync(dirname(snapshot), { recursive: true, force: true });
  }
}

/** A private copy of a running ward's chain database (without its lock file), in a temporary directory. */
function snapshotChain(dataDir: string): string {
  const parent = mkdtempSync(join(tmpdir(), 'wardledger-verify-'));
  const copy = join(parent, 'chain');
  try {
    cpSync(join(dataDir, 'chain'), copy, { recursive: true, filter: (src) => basename(src) !== 'LOCK' });
  } catch (e) {
    rmSync(parent, { recursive: true, force: true });
    throw new WardError('CHAIN', `The running ward's chain in ${dataDir} could not be read: ${(e as Error).message}`);
  }
  return copy;
}
