/**
 * Keystore v3 read and written natively must be the files of the standard and of ethers, both ways.
 * Test vectors: Web3 Secret Storage Definition, "Test Vectors" (PBKDF2-SHA-256 and Scrypt),
 * https://ethereum.org/en/developers/docs/data-structures-and-encoding/web3-secret-storage/
 */
import { ethers } from 'ethers';
import { describe, expect, it } from 'vitest';
import { KeyDerivationQueue } from '../../../electron/core/identity/keyDerivation';
import { decryptKeystore, encryptKeystore, parseKeystore } from '../../../electron/core/identity/keystoreV3';

const kdf = new KeyDerivationQueue(1);
const derive = kdf.derive.bind(kdf);

const standard = {
  password: 'testpassword',
  secret: '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d',
  address: ethers.getAddress('0x008aeeda4d805471df9b2a5b0f38a0c3bcba786b'),
  pbkdf2: {
    crypto: {
      cipher: 'aes-128-ctr',
      cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
      ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
      kdf: 'pbkdf2',
      kdfparams: { c: 262144, dklen: 32, prf: 'hmac-sha256', salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd' },
      mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
    },
    id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
    version: 3,
  },
};

describe('keystore v3: the standard test vectors', () => {
  it('opens the PBKDF2-SHA-256 vector with its password and refuses another', async () => {
    const file = parseKeystore(JSON.stringify(standard.pbkdf2));
    const opened = await decryptKeystore(file, standard.password, derive);
    expect(opened.privateKey).toBe(standard.secret);
    expect(opened.address).toBe(standard.address);
    await expect(decryptKeystore(file, 'testpassworD', derive)).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
  });

  it('derives the scrypt key of the standard\'s scrypt vector parameters (N = 2^18, r = 8, p = 1)', async () => {
    // The published scrypt vector is internally inconsistent: its listed derived key (7446f59e…)
    // is not scrypt over its stated salt, so its MAC fails with its own password in ethers 6 and in
    // foundry's cast ("Mac Mismatch") alike (ethereum-org-website PR #10825 re-generated it). The
    // KDF itself is checked against the answer OpenSSL gives for that salt (Python hashlib.scrypt).
    const salt = Buffer.from('25710c2ccd7c610b24d068af83b959b7a0e5f40641f0c82daeb1345766191034', 'hex');
    const key = await derive(new TextEncoder().encode('testpassword'), { kdf: 'scrypt', salt, n: 2 ** 18, r: 8, p: 1, dklen: 32 });
    expect(Buffer.from(key).toString('hex')).toBe('b4130dc81619f55f01a84b16c68f54fc0a166a2ca5903d9b24d2262dbd0420ec');
  });
});

describe('keystore v3: interchangeable with ethers', () => {
  it('ethers opens what WardLedger writes (at the recommended N = 2^17, r = 8, p = 1)', async () => {
    const wallet = ethers.Wallet.createRandom();
    const json = await encryptKeystore(wallet.privateKey, 'correct horse 1', { n: 2 ** 17, r: 8, p: 1 }, derive);
    const data = JSON.parse(json);
    expect(data).toMatchObject({ version: 3, address: wallet.address.slice(2).toLowerCase(), crypto: { kdf: 'scrypt', kdfparams: { n: 131072, r: 8, p: 1, dklen: 32 } } });
    expect(data.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const account = await ethers.decryptKeystoreJson(json, 'correct horse 1');
    expect(account.privateKey).toBe(wallet.privateKey);
    await expect(ethers.decryptKeystoreJson(json, 'correct horse 2')).rejects.toThrow(/password/);
  });

  it('WardLedger opens what ethers writes, with ethers\' NFKC password normalisation', async () => {
    const wallet = ethers.Wallet.createRandom();
    // U+FB01 (ﬁ ligature) and U+FF21 (fullwidth A) are NFKC-equal to "fi" and "A".
    const json = await ethers.encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, '\uFB01le-\uFF21-7', { scrypt: { N: 1024 } });
    expect(JSON.parse(json).Crypto).toBeDefined(); // ethers capitalises the section
    const opened = await decryptKeystore(parseKeystore(json), 'file-A-7', derive);
    expect(opened).toEqual({ privateKey: wallet.privateKey, address: wallet.address });
    await expect(decryptKeystore(parseKeystore(json), 'file-A-8', derive)).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
  });

  it('round-trips many random keys and passwords both ways at a low N', async () => {
    for (let i = 0; i < 6; i++) {
      const wallet = ethers.Wallet.createRandom();
      const password = ethers.hexlify(ethers.randomBytes(6)) + ' ü ' + i;
      const ours = await encryptKeystore(wallet.privateKey, password, { n: 1024, r: 8, p: 1 }, derive);
      expect((await ethers.decryptKeystoreJson(ours, password)).privateKey).toBe(wallet.privateKey);
      const theirs = await ethers.encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, password, { scrypt: { N: 1024 } });
      expect((await decryptKeystore(parseKeystore(theirs), password, derive)).privateKey).toBe(wallet.privateKey);
    }
  });
});

describe('keystore v3: damaged files are named, never mistaken for a wrong password', () => {
  const good = () => JSON.parse(JSON.stringify(standard.pbkdf2));
  const cases: Array<[string, (d: ReturnType<typeof good>) => unknown, RegExp]> = [
    ['not JSON', () => '{', /not JSON/],
    ['another version', (d) => ({ ...d, version: 1 }), /version 3/],
    ['an unknown cipher', (d) => ((d.crypto.cipher = 'aes-128-cbc'), d), /cipher/],
    ['an unknown kdf', (d) => ((d.crypto.kdf = 'argon2'), d), /kdf/],
    ['a truncated ciphertext', (d) => ((d.crypto.ciphertext = d.crypto.ciphertext.slice(0, 40)), d), /ciphertext/],
    ['a non-hex mac', (d) => ((d.crypto.mac = 'zz' + d.crypto.mac.slice(2)), d), /mac/],
    ['a malformed address', (d) => ({ ...d, address: 'not-an-address' }), /address/],
  ];
  for (const [what, mutate, message] of cases) {
    it(what, () => {
      const mutated = mutate(good());
      const text = typeof mutated === 'string' ? mutated : JSON.stringify(mutated);
      let error: unknown;
      try {
        parseKeystore(text);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(message) });
    });
  }

  it('a keystore whose key does not belong to its recorded address', async () => {
    const file = parseKeystore(JSON.stringify({ ...standard.pbkdf2, address: ethers.Wallet.createRandom().address.slice(2) }));
    await expect(decryptKeystore(file, standard.password, derive)).rejects.toMatchObject({ code: 'INTEGRITY' });
  });

  it('hostile key-derivation parameters are refused before any work', async () => {
    const json = await encryptKeystore(ethers.Wallet.createRandom().privateKey, 'pw-12345678', { n: 1024, r: 8, p: 1 }, derive);
    const withScrypt = (n: number, r: number, p: number) => {
      const d = JSON.parse(json);
      Object.assign(d.crypto.kdfparams, { n, r, p });
      return parseKeystore(JSON.stringify(d));
    };
    const before = kdf.completed;
    for (const [n, r, p] of [
      [2 ** 24, 8, 1], // 16 GiB
      [1000, 8, 1], // N not a power of two
      [4, 2 ** 20, 16], // tiny N, huge r: 2 GiB of blocks
      [2 ** 18, 8, 16], // within memory, 16 times the standard's work
    ]) {
      await expect(decryptKeystore(withScrypt(n!, r!, p!), 'pw-12345678', derive)).rejects.toMatchObject({ code: 'INTEGRITY' });
    }
    const pbkdf2 = JSON.parse(JSON.stringify(standard.pbkdf2));
    pbkdf2.crypto.kdfparams.c = 20_000_000;
    await expect(decryptKeystore(parseKeystore(JSON.stringify(pbkdf2)), standard.password, derive)).rejects.toMatchObject({ code: 'INTEGRITY' });
    expect(kdf.completed).toBe(before);
  });
});
