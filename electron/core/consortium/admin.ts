/**
 * What the consortium admin (hospital IT) does: deploy the consortium contracts, add and remove
 * wards, and see the state of the consortium. Used by `wardledger consortium ...`.
 *
 * Each step checks the chain's state first (is the caller an admin? is the ward already there?) so
 * that the answer is a clear sentence even on a node that returns no revert reasons.
 */
import { ethers } from 'ethers';
import { ConsortiumDirectory, ConsortiumLedger } from '../../../contracts/generated/artifacts';
import { WardError } from '../model/errors';
import { ConsortiumClient, directoryInterface, ledgerInterface, type Outcome } from './client';
import type { WardCard } from './syncAccount';

export interface Deployment {
  chainId: number;
  directory: string;
  ledger: string;
  block: number;
}

export interface WardStatus {
  account: string;
  name: string;
  active: boolean;
  activeSince: number;
  removedAt: number | null;
  teamPublicKey: string;
  batches: number;
}

export interface ConsortiumStatus {
  chainId: number;
  head: number;
  directory: string;
  ledger: string;
  youAreAdmin: boolean;
  admins: number;
  wards: WardStatus[];
}

function unwrap<T>(o: Outcome<T>): T {
  if (o.status === 'offline') throw new WardError('CHAIN', `The consortium node is not reachable: ${o.reason}.`, { offline: true });
  if (o.status === 'failed') throw o.error;
  return o;
}

/** Deploy a directory (the caller becomes its first admin) and a ledger bound to it. */
export async function deployConsortium(client: ConsortiumClient): Promise<Deployment> {
  const stamp = Date.now();
  const dir = unwrap(await client.transact(`deploy-directory:${stamp}`, null, ConsortiumDirectory.bytecode));
  const directory = dir.receipt.contractAddress;
  if (!directory) throw new WardError('CHAIN', 'The consortium node did not report the directory\'s address.');
  const ledgerData = ConsortiumLedger.bytecode + ethers.AbiCoder.defaultAbiCoder().encode(['address'], [directory]).slice(2);
  const led = unwrap(await client.transact(`deploy-ledger:${stamp}`, null, ledgerData));
  const ledger = led.receipt.contractAddress;
  if (!ledger) throw new WardError('CHAIN', 'The consortium node did not report the ledger\'s address.');
  return { chainId: await client.chainId(), directory, ledger, block: led.receipt.blockNumber };
}

/** Check that the ledger address holds the consortium ledger, and return its directory. */
export async function checkDeployment(client: ConsortiumClient): Promise<string> {
  if (!(await client.hasCode(client.ledger))) throw new WardError('NOT_FOUND', `There is no contract at ${client.ledger} on this chain: check the ledger address and the node URL.`);
  let directory: string;
  try {
    directory = await client.directory();
  } catch {
    throw new WardError('NOT_FOUND', `The contract at ${client.ledger} is not a WardLedger consortium ledger.`);
  }
  if (!(await client.hasCode(directory))) throw new WardError('NOT_FOUND', 'The consortium ledger points to a directory that has no code.');
  return directory;
}

async function requireAdmin(client: ConsortiumClient, directory: string): Promise<void> {
  const [isAdmin] = await client.call(directory, directoryInterface, 'isAdmin', [client.account]);
  if (!isAdmin) throw new WardError('FORBIDDEN', `${client.account} is not a consortium admin: use the key the consortium was deployed with, or one an admin added.`);
}

async function wardEntry(client: ConsortiumClient, directory: string, account: string) {
  const [w] = await client.call(directory, directoryInterface, 'ward', [account]);
  return { name: String(w.name), teamPublicKey: String(w.teamPublicKey), activeSince: Number(w.activeSince), removedAt: Number(w.removedAt) };
}

export async function addWard(client: ConsortiumClient, card: WardCard): Promise<{ block: number; tx: string }> {
  const directory = await checkDeployment(client);
  await requireAdmin(client, directory);
  const existing = await wardEntry(client, directory, card.account);
  if (existing.activeSince !== 0 && existing.removedAt === 0) throw new WardError('CONFLICT', `The ward ${existing.name} (${card.account}) is already a member of the consortium.`);
  const data = directoryInterface.encodeFunctionData('addWard', [card.account, card.name, card.syncPublicKey, card.teamPublicKey]);
  const { receipt } = unwrap(await client.transact(`add-ward:${card.account}:${Date.now()}`, directory, data));
  return { block: receipt.blockNumber, tx: receipt.hash };
}

export async function removeWard(client: ConsortiumClient, account: string): Promise<{ name: string; block: number; tx: string }> {
  const directory = await checkDeployment(client);
  await requireAdmin(client, directory);
  const existing = await wardEntry(client, directory, account);
  if (existing.activeSince === 0 || existing.removedAt !== 0) throw new WardError('NOT_FOUND', `${account} is not an active ward of this consortium.`);
  const { receipt } = unwrap(await client.transact(`remove-ward:${account}:${Date.now()}`, directory, directoryInterface.encodeFunctionData('removeWard', [account])));
  return { name: existing.name, block: receipt.blockNumber, tx: receipt.hash };
}

export async function consortiumStatus(client: ConsortiumClient): Promise<ConsortiumStatus> {
  const directory = await checkDeployment(client);
  const count = Number((await client.call(directory, directoryInterface, 'wardCount', []))[0]);
  const wards: WardStatus[] = [];
  for (let i = 0; i < count; i++) {
    const account = String((await client.call(directory, directoryInterface, 'wardAt', [i]))[0]);
    const w = await wardEntry(client, directory, account);
    const batches = Number((await client.call(client.ledger, ledgerInterface, 'batchCount', [account]))[0]);
    wards.push({ account, name: w.name, active: w.removedAt === 0, activeSince: w.activeSince, removedAt: w.removedAt || null, teamPublicKey: w.teamPublicKey, batches });
  }
  return {
    chainId: await client.chainId(),
    head: await client.blockNumber(),
    directory,
    ledger: client.ledger,
    youAreAdmin: Boolean((await client.call(directory, directoryInterface, 'isAdmin', [client.account]))[0]),
    admins: Number((await client.call(directory, directoryInterface, 'adminCount', []))[0]),
    wards,
  };
}

/**
 * A ward registers one of its people (a clinician) in the directory, so that patients of other
 * wards can share their records with them: the person's public key and the name patients choose
 * them by. Signed by the ward's own sync account (the directory takes a ward's recipients from
 * the ward itself), so `client` holds that account's key.
 */
export async function addPerson(client: ConsortiumClient, publicKey: string, name: string): Promise<{ block: number; tx: string }> {
  const directory = await checkDeployment(client);
  const key = checkedPersonKey(publicKey);
  const shown = name.trim();
  const bytes = new TextEncoder().encode(shown).length;
  if (bytes === 0 || bytes > 96) throw new WardError('BAD_INPUT', 'The person\'s name must be 1 to 96 bytes long (e.g. "Grace Hopper (doctor)").', { fields: { name: 'Give a name of 1 to 96 bytes.' } });
  if (!(await client.isActiveWard(client.account))) throw new WardError('FORBIDDEN', `${client.account} is not an active ward of this consortium: a ward registers its people with its own sync account, once it is a member.`);
  const [owner] = await client.call(directory, directoryInterface, 'recipientWard', [ethers.keccak256(key)]);
  if (String(owner) !== ethers.ZeroAddress) throw new WardError('CONFLICT', `This person is already in the consortium directory (registered by ${String(owner)}).`);
  const data = directoryInterface.encodeFunctionData('addRecipient', [key, shown]);
  const { receipt } = unwrap(await client.transact(`add-person:${ethers.keccak256(key)}:${Date.now()}`, directory, data));
  return { block: receipt.blockNumber, tx: receipt.hash };
}

/** Withdraw a person from the directory (by the ward that registered them, or an admin): no new shares reach them. */
export async function removePerson(client: ConsortiumClient, publicKey: string): Promise<{ block: number; tx: string }> {
  const directory = await checkDeployment(client);
  const keyHash = ethers.keccak256(checkedPersonKey(publicKey));
  const [owner] = await client.call(directory, directoryInterface, 'recipientWard', [keyHash]);
  const [isAdmin] = await client.call(directory, directoryInterface, 'isAdmin', [client.account]);
  if (String(owner) === ethers.ZeroAddress) throw new WardError('NOT_FOUND', 'This person is not in the consortium directory (or their ward has left it).');
  if (String(owner).toLowerCase() !== client.account.toLowerCase() && !isAdmin) throw new WardError('FORBIDDEN', 'Only the ward that registered this person, or a consortium admin, can withdraw them.');
  const { receipt } = unwrap(await client.transact(`remove-person:${keyHash}:${Date.now()}`, directory, directoryInterface.encodeFunctionData('removeRecipient', [keyHash])));
  return { block: receipt.blockNumber, tx: receipt.hash };
}

function checkedPersonKey(publicKey: string): string {
  const k = publicKey.startsWith('0x') ? publicKey : `0x${publicKey}`;
  if (!/^0x[0-9a-fA-F]{128}$/.test(k)) throw new WardError('BAD_INPUT', 'The person\'s public key must be 64 bytes in hex (128 hex digits, without the 04 prefix).', { fields: { publicKey: 'Not a 64-byte public key.' } });
  return k.toLowerCase();
}
