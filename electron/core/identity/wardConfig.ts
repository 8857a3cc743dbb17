/**
 * <dataDir>/ward.json: the ward's name, settings, and local secrets that are not keys of people
 * (the name-index key and the pseudonym secret). Present once first-run setup has completed.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readJson, writeJsonDurable } from '../platform/atomicFile';
import type { SealedTeamKey } from './careTeam';

export interface WardConfig {
  v: 1;
  wardName: string;
  createdAt: string;
  registryAddress: string;
  registryBlock: number;
  /** The record contracts, deployed at setup. */
  contracts: { anchors: string; ledger: string };
  /** The care team key (public half, and private half sealed for its holders). */
  team: SealedTeamKey;
  /** The workstation's anchoring account (its key is in station.key). */
  stationAddress: string;
  lockTimeoutSeconds: number;
  nameIndexKey: string;
  pseudonymSecret: string;
}

export const defaultLockTimeoutSeconds = 300;

export class WardConfigStore {
  private cached: WardConfig | undefined;
  constructor(private readonly dataDir: string) {}

  private get path(): string {
    return join(this.dataDir, 'ward.json');
  }

  load(): WardConfig | undefined {
    this.cached = readJson<WardConfig>(this.path);
    return this.cached;
  }

  get(): WardConfig | undefined {
    return this.cached;
  }

  /** The ward's name ('' before setup). */
  get wardName(): string {
    return this.cached?.wardName ?? '';
  }

  get lockTimeoutSeconds(): number {
    return this.cached?.lockTimeoutSeconds ?? defaultLockTimeoutSeconds;
  }

  save(config: WardConfig): void {
    writeJsonDurable(this.path, config);
    this.cached = config;
  }

  update(patch: Partial<WardConfig>): WardConfig {
    const next = { ...this.cached!, ...patch };
    this.save(next);
    return next;
  }

  static newSecrets(): Pick<WardConfig, 'nameIndexKey' | 'pseudonymSecret'> {
    return { nameIndexKey: '0x' + randomBytes(32).toString('hex'), pseudonymSecret: '0x' + randomBytes(32).toString('hex') };
  }
}
