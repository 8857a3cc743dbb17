/**
 * The ward's consortium identity on its workstation: the sync account key (signs consortium
 * transactions unattended, like a Besu node key) and the share secret (from which the keys of the
 * ward's published shares derive). Both live in <dataDir>/consortium-account.json, readable by the
 * owner only (0600), created on first use. Losing the file means the ward can no longer grant its
 * already published shares; the consortium admin registers a new sync account for it.
 *
 * Also: the "ward card" an IT admin hands to the consortium admin (name, sync account and public
 * key, care team public key), read from the ward's data directory.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { z } from 'zod';
import { damagedFile, readJson, writeJsonDurable } from '../platform/atomicFile';
import { WardError } from '../model/errors';
import { normalizePublicKey } from '../crypto/envelope';
import { hexToBytes } from '../crypto/hex';

export interface SyncAccount {
  wallet: ethers.Wallet;
  publicKey: string;
  shareSecret: Uint8Array;
}

interface SyncAccountFile {
  v: 1;
  privateKey: string;
  shareSecret: string;
}

const syncAccountFile = z.object({ v: z.literal(1), privateKey: z.string(), shareSecret: z.string() });
const SYNC_ACCOUNT_WHAT = "The ward's consortium account (consortium-account.json: its sync key and share secret)";
const SYNC_ACCOUNT_REMEDY = 'Restore it from a backup of the data directory, or the consortium admin can register a new sync account for this ward.';
/** What a ward card needs of ward.json (identity/wardConfig.ts checks the whole file at the ward's start). */
const wardSettingsForCard = z.object({ wardName: z.string().min(1), team: z.object({ publicKey: z.string() }) });

export interface WardCard {
  name: string;
  account: string;
  syncPublicKey: string;
  teamPublicKey: string;
}

export function syncAccountPath(dataDir: string): string {
  return join(dataDir, 'consortium-account.json');
}

/** The ward's sync account, or null when none was created yet. */
export function loadSyncAccount(dataDir: string): SyncAccount | null {
  const path = syncAccountPath(dataDir);
  if (!existsSync(path)) return null;
  const file = readJson<SyncAccountFile>(path, syncAccountFile, SYNC_ACCOUNT_WHAT, SYNC_ACCOUNT_REMEDY)!;
  try {
    const wallet = new ethers.Wallet(file.privateKey);
    return { wallet, publicKey: publicKeyOf(wallet), shareSecret: hexToBytes(file.shareSecret, 32, 'share secret') };
  } catch {
    throw damagedFile(path, SYNC_ACCOUNT_WHAT, 'its key or share secret is malformed', SYNC_ACCOUNT_REMEDY);
  }
}

export function loadOrCreateSyncAccount(dataDir: string): SyncAccount {
  const existing = loadSyncAccount(dataDir);
  if (existing) return existing;
  const wallet = new ethers.Wallet(ethers.hexlify(randomBytes(32)));
  const file: SyncAccountFile = { v: 1, privateKey: wallet.privateKey, shareSecret: '0x' + randomBytes(32).toString('hex') };
  writeJsonDurable(syncAccountPath(dataDir), file);
  chmodSync(syncAccountPath(dataDir), 0o600);
  return loadSyncAccount(dataDir)!;
}

export function publicKeyOf(wallet: ethers.Wallet): string {
  return '0x' + wallet.signingKey.publicKey.slice(4);
}

/** The ward card of a ward data directory (creates the sync account if needed). */
export function wardCardFromDataDir(dataDir: string): WardCard {
  const config = readJson<z.infer<typeof wardSettingsForCard>>(join(dataDir, 'ward.json'), wardSettingsForCard, "The ward's settings file (ward.json, which names the ward and its care team key)");
  if (!config) throw new WardError('NOT_FOUND', `${dataDir} is not a set-up WardLedger ward (no ward.json). Run the ward's first-run setup first.`);
  const account = loadOrCreateSyncAccount(dataDir);
  return { name: config.wardName, account: account.wallet.address, syncPublicKey: account.publicKey, teamPublicKey: normalizePublicKey(config.team.publicKey) };
}

/** A ward card as given by hand or in a file, checked: the sync key must be the account's own. */
export function checkedWardCard(card: Partial<WardCard>): WardCard {
  if (typeof card.name !== 'string' || card.name.trim().length === 0) throw new WardError('BAD_INPUT', 'The ward needs a name.');
  if (new TextEncoder().encode(card.name).length > 96) throw new WardError('BAD_INPUT', 'The ward name is longer than 96 bytes.');
  let account: string;
  try {
    account = ethers.getAddress(String(card.account));
  } catch {
    throw new WardError('BAD_INPUT', 'The ward\'s sync account is not a valid address.');
  }
  const syncPublicKey = normalizePublicKey(String(card.syncPublicKey ?? ''));
  const teamPublicKey = normalizePublicKey(String(card.teamPublicKey ?? ''));
  if (ethers.computeAddress('0x04' + syncPublicKey.slice(2)) !== account) throw new WardError('BAD_INPUT', 'The sync public key does not belong to the sync account.');
  return { name: card.name.trim(), account, syncPublicKey, teamPublicKey };
}
