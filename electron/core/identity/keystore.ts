/**
 * Per-user keystores (Web3 Secret Storage v3, as ethers writes it) under <dataDir>/keystores.
 * The decrypted key lives only in memory for the length of a session; it is never written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { writeFileDurable } from '../platform/atomicFile';
import { WardError } from '../model/errors';

export type Progress = (fraction: number) => void;

export class KeystoreStore {
  constructor(
    private readonly dir: string,
    /** scrypt N; ethers' default is 2^17 (about a second). */
    private readonly scryptN: number,
  ) {}

  private pathOf(address: string): string {
    return join(this.dir, `${ethers.getAddress(address).toLowerCase()}.json`);
  }

  /** Create a key, encrypt it with the password and store it durably. */
  async create(password: string, progress?: Progress): Promise<ethers.Wallet> {
    const wallet = ethers.Wallet.createRandom();
    const json = await ethers.encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, password, {
      scrypt: { N: this.scryptN },
      progressCallback: progress,
    });
    writeFileDurable(this.pathOf(wallet.address), json);
    return new ethers.Wallet(wallet.privateKey);
  }

  exists(address: string): boolean {
    return existsSync(this.pathOf(address));
  }

  /** Decrypt; a wrong password gives WRONG_PASSWORD with a message that does not say which part was wrong. */
  async unlock(address: string, password: string, progress?: Progress): Promise<ethers.Wallet> {
    const path = this.pathOf(address);
    if (!existsSync(path)) throw new WardError('WRONG_PASSWORD', 'Name or password is incorrect.');
    const json = readFileSync(path, 'utf8');
    try {
      const w = await ethers.Wallet.fromEncryptedJson(json, password, progress);
      return new ethers.Wallet(w.privateKey);
    } catch (e) {
      if (/password/i.test((e as Error).message)) throw new WardError('WRONG_PASSWORD', 'Name or password is incorrect.');
      throw new WardError('INTEGRITY', 'This account\'s keystore file is damaged and cannot be opened.');
    }
  }
}
