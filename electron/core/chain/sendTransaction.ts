/**
 * Sending a contract transaction the way both ganache and Besu accept: estimate first (which also
 * surfaces the revert reason as a custom error), pad the estimate (gas is free, and estimates run
 * against the latest block's state, which can under-count), send a legacy zero-price transaction
 * and wait for its receipt.
 */
import { ethers } from 'ethers';
import { WardError, type WardErrorCode } from '../model/errors';
import { txOverrides } from './wardNode';

export type RevertMessages = Record<string, [WardErrorCode, string]>;

/** The revert data of a failed call or estimate, wherever ethers or ganache put it. */
function revertData(e: unknown): string | null {
  const err = e as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown } };
  for (const candidate of [err.data, err.info?.error?.data, err.error?.data]) {
    if (typeof candidate === 'string' && candidate.startsWith('0x')) return candidate;
    const nested = (candidate as { result?: unknown; data?: unknown } | undefined) ?? undefined;
    if (nested && typeof nested.result === 'string') return nested.result;
    if (nested && typeof nested.data === 'string') return nested.data;
  }
  return null;
}

/** Map a revert to a clear WardError using the contract's custom errors. */
export function explainRevert(e: unknown, iface: ethers.Interface, messages: RevertMessages): WardError {
  if (e instanceof WardError) return e;
  const data = revertData(e);
  let parsed: ethers.ErrorDescription | null = null;
  try {
    parsed = data ? iface.parseError(data) : null;
  } catch {
    parsed = null;
  }
  const known = parsed ? messages[parsed.name] : undefined;
  if (known) return new WardError(known[0], known[1]);
  if (parsed) return new WardError('CHAIN', `The ward chain refused the transaction (${parsed.name}).`);
  return new WardError('CHAIN', 'The ward chain rejected the transaction.');
}

/**
 * Sends by one signer, one at a time until each is handed to the node: ethers takes the nonce
 * from the node's pending count, so two sends by the same person at once (two reads of a record
 * audited together) took the same nonce and one was refused.
 */
const sending = new Map<string, Promise<unknown>>();

function inTurn<T>(signer: string, send: () => Promise<T>): Promise<T> {
  const sent = (sending.get(signer) ?? Promise.resolve()).then(send, send);
  const settled = sent.then(
    () => undefined,
    () => undefined,
  );
  sending.set(signer, settled);
  void settled.then(() => {
    if (sending.get(signer) === settled) sending.delete(signer);
  });
  return sent;
}

/**
 * @param fixedGasLimit for calls of constant cost on the hot path (anchoring): skip the estimate
 *   (one EVM run instead of two); if the transaction fails, it is replayed as a call to decode why.
 */
export async function sendContractTx(
  contract: ethers.Contract,
  signer: ethers.Signer,
  method: string,
  args: unknown[],
  messages: RevertMessages,
  fixedGasLimit?: bigint,
): Promise<ethers.TransactionReceipt> {
  const fn = (contract.connect(signer) as ethers.Contract).getFunction(method);
  try {
    const tx = await inTurn(await signer.getAddress(), async () => {
      const gasLimit = fixedGasLimit ?? ((await fn.estimateGas(...args, txOverrides)) * 3n) / 2n + 20_000n;
      return (await fn(...args, { ...txOverrides, gasLimit })) as ethers.ContractTransactionResponse;
    });
    const receipt = await tx.wait().catch(async (e) => {
      if (fixedGasLimit === undefined) throw e;
      await fn.staticCall(...args, txOverrides); // throws the decodable revert
      throw e;
    });
    if (!receipt || receipt.status !== 1) throw new WardError('CHAIN', 'The ward chain did not confirm the transaction.');
    return receipt;
  } catch (e) {
    throw explainRevert(e, contract.interface, messages);
  }
}

/** Deploy a contract with a zero-price legacy transaction. */
export async function deployContract(
  abi: ethers.Interface | ethers.InterfaceAbi,
  bytecode: string,
  signer: ethers.Signer,
  args: unknown[],
  messages: RevertMessages = {},
): Promise<{ address: string; block: number }> {
  const factory = new ethers.ContractFactory(abi, bytecode, signer);
  try {
    const contract = await factory.deploy(...args, txOverrides);
    const receipt = await contract.deploymentTransaction()!.wait();
    return { address: await contract.getAddress(), block: receipt!.blockNumber };
  } catch (e) {
    throw explainRevert(e, factory.interface, messages);
  }
}
