/** The consortium contracts' interfaces and the calldata of a batch (shared by the client and sizing). */
import { ethers } from 'ethers';
import { ConsortiumDirectory, ConsortiumLedger } from '../../../contracts/generated/artifacts';
import type { PreparedBatch } from './batch';

export const ledgerInterface = new ethers.Interface(ConsortiumLedger.abi as unknown as ethers.InterfaceAbi);
export const directoryInterface = new ethers.Interface(ConsortiumDirectory.abi as unknown as ethers.InterfaceAbi);

/** geth's txMaxSize (4 × 32 KiB), which the consortium node is held to. */
export const MAX_TX_BYTES = 128 * 1024;
/** Besu's default --rpc-max-logs-range. */
export const MAX_LOGS_RANGE = 5000;

/** Calldata of publishBatch for a prepared batch, 0x hex. */
export function publishData(b: PreparedBatch): string {
  return ledgerInterface.encodeFunctionData('publishBatch', [b.batchId, b.root, b.count, b.records, b.grants]);
}
