/**
 * <dataDir>/ward.json: the ward's name, settings, and local secrets that are not keys of people
 * (the name-index key and the pseudonym secret). Present once first-run setup has completed.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
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

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'not an account address');
const secret = z.string().regex(/^0x[0-9a-f]{64}$/, 'not a 32-byte secret');

/** What ward.json must hold to be usable (checked at start; unknown fields are kept). */
const wardConfigFile = z.object({
  v: z.literal(1),
  wardName: z.string().min(1),
  createdAt: z.string(),
  registryAddress: address,
  registryBlock: z.number().int().nonnegative(),
  contracts: z.object({ anchors: address, ledger: address }),
  team: z.object({ publicKey: z.string().regex(/^0x[0-9a-f]+$/), sealed: z.object({ recipients: z.array(z.unknown()) }) }),
  stationAddress: address,
  lockTimeoutSeconds: z.number().int().positive(),
  nameIndexKey: secret,
  pseudonymSecret: secret,
});

export class WardConfigStore {
  private cached: WardConfig | undefined;
  constructor(private readonly dataDir: string) {}

  private get path(): string {
    return join(this.dataDir, 'ward.json');
  }

  load(): WardConfig | undefined {
    this.cached = readJson<WardConfig>(
      this.path,
      wardConfigFile,
      "The ward's settings file (ward.json, which names the ward's contracts and keys)",
    );
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
