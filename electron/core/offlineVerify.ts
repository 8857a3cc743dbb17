/**
 * Verifying a FHIR export without a running core (`wardledger verify`): signatures and values
 * from the file, anchors on a chain reached over JSON-RPC (e.g. a consortium node) or in a ward
 * data directory's own chain (locked while it is read, as a core would).
 */
import { join } from 'node:path';
import { ethers } from 'ethers';
import { RecordAnchors } from '../../contracts/generated/artifacts';
import { WardNode } from './chain/wardNode';
import { useFastKeccak } from './crypto/keccak';
import type { VerificationReport } from './model/records';
import { lockDataDir } from './platform/dataDirLock';
import { verifyExport } from './records/fhirExchange';

/** Where anchors are looked up: a JSON-RPC node, a ward data directory, or nowhere (not checked). */
export type AnchorSource = { rpcUrl: string } | { dataDir: string } | null;

/**
 * @throws WardError('DATA_DIR_LOCKED') when a running WardLedger holds the data directory
 */
export async function verifyExportOffline(bundle: unknown, source: AnchorSource): Promise<VerificationReport> {
  let provider: ethers.Provider | null = null;
  let cleanup = async () => {};
  if (source && 'rpcUrl' in source) {
    provider = new ethers.JsonRpcProvider(source.rpcUrl, undefined, { staticNetwork: false });
  } else if (source) {
    const release = await lockDataDir(source.dataDir);
    const node = new WardNode(join(source.dataDir, 'chain'));
    try {
      await node.start();
    } catch (e) {
      await release();
      throw e;
    }
    provider = node.provider;
    cleanup = async () => {
      await node.stop();
      await release();
    };
  }
  try {
    let chainId: number | null = null;
    try {
      if (provider) chainId = Number((await provider.getNetwork()).chainId);
    } catch {
      chainId = null;
    }
    await useFastKeccak(); // a large export has thousands of Merkle proofs and commitments to check
    return await verifyExport(bundle, async (anchorChainId, contract, root) => {
      if (!provider || chainId === null || anchorChainId !== chainId) return null;
      const anchors = new ethers.Contract(contract, RecordAnchors.abi as unknown as ethers.InterfaceAbi, provider);
      const a = await anchors.getFunction('anchorOf')(root);
      return Number(a.batchId) !== 0;
    });
  } finally {
    await cleanup();
  }
}
