/**
 * Per-user keystores (Web3 Secret Storage v3, interchangeable with ethers') under <dataDir>/keystores.
 * The decrypted key lives only in memory for the length of a session; it is never written.
 * Key derivation runs natively off the event loop, a bounded number at a time (keyDerivation.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { writeFileDurable } from '../platform/atomicFile';
import { WardError } from '../model/errors';
import { KeyDerivationQueue } from './keyDerivation';
import { decryptKeystore, encryptKeystore, parseKeystore, type ParsedKeystore, type ScryptStrength } from './keystoreV3';

export class KeystoreStore {
  private readonly strength: ScryptStrength;
  private dummy: ParsedKeystore | null = null;

  constructor(
    private readonly dir: string,
    /** scrypt N; the keystore standard's recommended 2^17 (r = 8, p = 1) unless a test lowers it. */
    scryptN: number,
    private readonly kdf: KeyDerivationQueue = new KeyDerivationQueue(),
  ) {
    this.strength = { n: scryptN, r: 8, p: 1 };
  }

  private pathOf(address: string): string {
    return join(this.dir, `${ethers.getAddress(address).toLowerCase()}.json`);
  }

  private readonly derive = (password: Uint8Array, params: Parameters<KeyDerivationQueue['derive']>[1]) => this.kdf.derive(password, params);

  /** Create a key, encrypt it with the password and store it durably. */
  async create(password: string): Promise<ethers.Wallet> {
    const privateKey = ethers.Wallet.createRandom().privateKey;
    const wallet = new ethers.Wallet(privateKey);
    const json = await encryptKeystore(privateKey, password, this.strength, this.derive);
    writeFileDurable(this.pathOf(wallet.address), json);
    return wallet;
  }

  exists(address: string): boolean {
    return existsSync(this.pathOf(address));
  }

  /** Decrypt; a wrong password gives WRONG_PASSWORD with a message that does not say which part was wrong. */
  async unlock(address: string, password: string): Promise<ethers.Wallet> {
    const path = this.pathOf(address);
    if (!existsSync(path)) return this.refuseUnknown(password);
    const keystore = parseKeystore(readFileSync(path, 'utf8'));
    const { privateKey, address: owner } = await decryptKeystore(keystore, password, this.derive);
    if (owner !== ethers.getAddress(address)) throw new WardError('INTEGRITY', 'This account\'s keystore file holds another account\'s key.');
    return new ethers.Wallet(privateKey);
  }

  /**
   * For a name nobody registered: the same key derivation and MAC check against a keystore
   * nobody can open, then the same WRONG_PASSWORD — so the answer's time does not tell which
   * names exist.
   */
  async refuseUnknown(password: string): Promise<never> {
    // Random salt, ciphertext and MAC: no password matches (2^-256), and building it costs no derivation.
    this.dummy ??= {
      address: null,
      kdf: { kdf: 'scrypt', salt: randomBytes(32), dklen: 32, ...this.strength },
      iv: randomBytes(16),
      ciphertext: randomBytes(32),
      mac: randomBytes(32),
    };
    await decryptKeystore(this.dummy, password, this.derive);
    throw new WardError('WRONG_PASSWORD', 'Name or password is incorrect.');
  }
}
