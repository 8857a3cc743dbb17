/**
 * The workstation's machine key ("station"): it submits Merkle-root anchors to the ward chain so
 * that many authors' records share one transaction and bound bedside monitors keep recording
 * when nobody is logged in. It can anchor and nothing else (RecordAnchors.addStation); it never
 * authors (authors sign with EIP-712) and never reads (it is no reader of any key scope).
 *
 * Like a Besu node key it must be usable unattended, so it is stored in station.key readable by
 * the owner only (0600). Losing it only means an IT admin registers a new station.
 */
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { writeFileDurable } from '../platform/atomicFile';
import { WardError } from '../model/errors';

export function stationKeyPath(dataDir: string): string {
  return join(dataDir, 'station.key');
}

export function createStationKey(dataDir: string): ethers.Wallet {
  const wallet = new ethers.Wallet(ethers.Wallet.createRandom().privateKey);
  writeFileDurable(stationKeyPath(dataDir), wallet.privateKey + '\n');
  chmodSync(stationKeyPath(dataDir), 0o600);
  return wallet;
}

export function loadStationKey(dataDir: string): ethers.Wallet | null {
  const path = stationKeyPath(dataDir);
  if (!existsSync(path)) return null;
  try {
    return new ethers.Wallet(readFileSync(path, 'utf8').trim());
  } catch {
    throw new WardError('INTEGRITY', `The workstation key file ${path} is damaged. An IT admin can register a new station.`);
  }
}
