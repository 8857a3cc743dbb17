/**
 * Encrypted backup archives: one file holding a consistent snapshot of the ward store and copies of
 * the data directory's other files (chain database, keystores, settings), encrypted with a
 * passphrase or to a recovery key (crypto/recoveryKey.ts), written and read as streams (a ward's
 * year does not fit in memory).
 *
 * Cryptography: key = scrypt(passphrase, 32-byte random salt; N = 2^17, r = 8, p = 1 by default,
 * stored in the header), or (format 2) derived from an X25519 exchange between an ephemeral key,
 * whose public half the header keeps, and the recovery key; the plaintext is cut into 64 KiB
 * chunks, each sealed with AES-256-GCM
 * under a nonce of 8 random bytes and the chunk's index, with additional data binding the header's
 * SHA-256, the index and whether it is the last chunk — so chunks cannot be altered, reordered,
 * dropped or cut off at the end without the restore noticing. A key check value (HMAC of a fixed
 * label) tells a wrong passphrase from a damaged archive.
 *
 * Plaintext: a sequence of items — files (path, mode, bytes), the store's entries (length-prefixed
 * key/value pairs from one LevelDB snapshot, so writes may continue during the backup) — then a
 * manifest with every item's size and SHA-256, checked again after restoring.
 *
 * Restoring writes into a fresh directory beside the target and moves it into place only when
 * every chunk authenticated and every item matched the manifest: a failed restore leaves nothing.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual, createCipheriv, createDecipheriv } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { archiveKeyFor, archiveKeyWith, parseRecoveryPublicKey, recoveryKeyFingerprint, recoveryKeyText, type RecoveryPrivateKey, type RecoveryPublicKey } from '../crypto/recoveryKey';
import { scryptKey } from '../crypto/scryptKey';
import { WardError } from '../model/errors';
import { MIN_BACKUP_PASSPHRASE } from '../model/storeStatus';
import { fsyncDir } from '../platform/atomicFile';
import { WardStore } from './wardStore';

const MAGIC = Buffer.from('WARDLEDGER-BACKUP\n', 'utf8');
/** 1: keyed by a passphrase; 2: encrypted to a recovery key (older versions say it is another version's). */
const FORMAT = 1;
const FORMAT_RECOVERY_KEY = 2;
const CHUNK = 64 * 1024;
const CHECK_LABEL = 'wardledger/backup/key-check/v1';
/** Where the store's entries go in the archive (they are restored into a new store there). */
const STORE_ITEM = 'records/store';

export interface KdfParams {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
}

/** How a format 2 archive's key is derived: the ephemeral X25519 public key, and the recovery key it was encrypted to. */
export interface RecipientParams {
  name: 'x25519-hkdf-sha256';
  ephemeral: string;
  recoveryKey: string;
}

interface Header {
  format: number;
  /** Format 1: the passphrase's scrypt settings. */
  kdf?: KdfParams;
  /** Format 2: the recovery key's exchange. */
  recipient?: RecipientParams;
  cipher: 'aes-256-gcm';
  chunkBytes: number;
  noncePrefix: string;
  keyCheck: string;
  createdAt: string;
}

export interface ManifestItem {
  path: string;
  kind: 'file' | 'store';
  /** Bytes for a file; entries for the store. */
  size: number;
  sha256: string;
}

export interface BackupManifest {
  createdAt: string;
  items: ManifestItem[];
}

export interface BackupProgress {
  item: string;
  bytes: number;
}

/** The store's entries from one snapshot (WardStore.snapshot). */
export type StoreSnapshot = AsyncIterable<Array<[Uint8Array, Uint8Array]>>;

/** What goes into a backup: the store (read from one snapshot) and files or whole directories, by their path in the archive. */
export interface BackupContents {
  store?: StoreSnapshot;
  files: Array<{ name: string; path: string }>;
}

/** What a backup is encrypted with: a passphrase, or a recovery key's public half. */
export type BackupLock = string | RecoveryPublicKey;
/** What opens one: its passphrase, or the recovery key's private half. */
export type BackupUnlock = string | RecoveryPrivateKey;

function keyCheck(key: Buffer): Buffer {
  return createHmac('sha256', key).update(CHECK_LABEL).digest();
}

function chunkAad(headerHash: Buffer, index: number, final: boolean): Buffer {
  const b = Buffer.alloc(headerHash.length + 5);
  headerHash.copy(b);
  b.writeUInt32BE(index, headerHash.length);
  b[headerHash.length + 4] = final ? 1 : 0;
  return b;
}

function chunkNonce(prefix: Buffer, index: number): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0, 0, 8);
  n.writeUInt32BE(index, 8);
  return n;
}

// ================================================================================= writing

/** Cuts plaintext into chunks and seals each one as it fills. */
class SealedWriter {
  private buf = Buffer.alloc(CHUNK);
  private used = 0;
  private index = 0;

  constructor(
    private readonly out: FileHandle,
    private readonly key: Buffer,
    private readonly prefix: Buffer,
    private readonly headerHash: Buffer,
  ) {}

  async write(data: Uint8Array): Promise<void> {
    let at = 0;
    while (at < data.length) {
      const n = Math.min(CHUNK - this.used, data.length - at);
      this.buf.set(data.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
      if (this.used === CHUNK) await this.seal(false);
    }
  }

  private async seal(final: boolean): Promise<void> {
    if (this.index === 0xffffffff) throw new WardError('INTERNAL', 'A backup this large is not supported.');
    const cipher = createCipheriv('aes-256-gcm', this.key, chunkNonce(this.prefix, this.index));
    cipher.setAAD(chunkAad(this.headerHash, this.index, final));
    const body = Buffer.concat([cipher.update(this.buf.subarray(0, this.used)), cipher.final(), cipher.getAuthTag()]);
    const frame = Buffer.alloc(5);
    frame.writeUInt32BE(body.length);
    frame[4] = final ? 1 : 0; // also in the additional data: a flipped flag fails authentication
    await this.out.write(Buffer.concat([frame, body]));
    this.index++;
    this.used = 0;
  }

  /** Seal what is left as the final chunk (possibly empty: the end is always marked). */
  finish(): Promise<void> {
    return this.seal(true);
  }
}

/** Item framing: b kind ('F' file, 'S' store, 'M' manifest), v path length, path, then the body. */
function itemHeader(kind: 'F' | 'S' | 'M', path: string, extra: Buffer = Buffer.alloc(0)): Buffer {
  const p = Buffer.from(path, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(p.length);
  return Buffer.concat([Buffer.from(kind), len, p, extra]);
}

/**
 * Write an encrypted backup to `out` (refuses to overwrite). Resolves with the manifest once the
 * archive is complete and synced.
 */
export async function writeBackup(out: string, lock: BackupLock, contents: BackupContents, options: { onProgress?: (p: BackupProgress) => void; kdf?: { N: number; r: number; p: number } } = {}): Promise<BackupManifest> {
  if (typeof lock === 'string' && lock.length < MIN_BACKUP_PASSPHRASE) throw new WardError('BAD_INPUT', `Choose a backup passphrase of at least ${MIN_BACKUP_PASSPHRASE} characters.`, { fields: { passphrase: `At least ${MIN_BACKUP_PASSPHRASE} characters.` } });
  if (existsSync(out)) throw new WardError('CONFLICT', 'A file with that name exists already; choose another name for the backup.');
  const { key, format, keying } = await archiveKeying(lock, options.kdf);
  const prefix = randomBytes(8);
  const header: Header = {
    format,
    ...keying,
    cipher: 'aes-256-gcm',
    chunkBytes: CHUNK,
    noncePrefix: prefix.toString('hex'),
    keyCheck: keyCheck(key).toString('hex'),
    createdAt: new Date().toISOString(),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const partial = `${out}.partial`;
  mkdirSync(dirname(out), { recursive: true });
  const fh = await open(partial, 'w', 0o600);
  const progress = options.onProgress ?? (() => undefined);
  try {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(headerBytes.length);
    await fh.write(Buffer.concat([MAGIC, Buffer.of(format), len, headerBytes]));
    const w = new SealedWriter(fh, key, prefix, createHash('sha256').update(headerBytes).digest());
    const items: ManifestItem[] = [];

    if (contents.store) {
      // One iterator = one LevelDB snapshot: writes during the backup are simply not in it.
      const hash = createHash('sha256');
      let entries = 0;
      await w.write(itemHeader('S', STORE_ITEM));
      for await (const chunk of contents.store) {
        for (const [k, v] of chunk) {
          const pair = Buffer.alloc(8 + k.length + v.length);
          pair.writeUInt32BE(k.length, 0);
          pair.set(k, 4);
          pair.writeUInt32BE(v.length, 4 + k.length);
          pair.set(v, 8 + k.length);
          hash.update(pair);
          await w.write(pair);
          entries++;
        }
        progress({ item: STORE_ITEM, bytes: entries });
      }
      await w.write(Buffer.alloc(4, 0xff)); // end of entries
      items.push({ path: STORE_ITEM, kind: 'store', size: entries, sha256: hash.digest('hex') });
    }

    for (const { name, path } of contents.files) {
      for (const file of walk(path)) {
        const archived = toArchivePath(join(name, relative(path, file)));
        const st = statSync(file);
        const meta = Buffer.alloc(12);
        meta.writeUInt32BE(st.mode & 0o777, 0);
        meta.writeBigUInt64BE(BigInt(st.size), 4);
        await w.write(itemHeader('F', archived, meta));
        const hash = createHash('sha256');
        let size = 0;
        for await (const data of createReadStream(file) as AsyncIterable<Buffer>) {
          hash.update(data);
          size += data.length;
          if (size > st.size) break;
          await w.write(data);
        }
        if (size !== st.size) throw new WardError('CONFLICT', `The file ${archived} changed while it was backed up; back up again when the ward is quiet.`);
        items.push({ path: archived, kind: 'file', size, sha256: hash.digest('hex') });
        progress({ item: archived, bytes: size });
      }
    }

    const manifest: BackupManifest = { createdAt: header.createdAt, items };
    const m = Buffer.from(JSON.stringify(manifest), 'utf8');
    const mlen = Buffer.alloc(4);
    mlen.writeUInt32BE(m.length);
    await w.write(Buffer.concat([itemHeader('M', ''), mlen, m]));
    await w.finish();
    await fh.sync();
    await fh.close();
    renameSync(partial, out);
    fsyncDir(dirname(out));
    return manifest;
  } catch (e) {
    await fh.close().catch(() => undefined);
    rmSync(partial, { force: true });
    throw e;
  }
}

/** A new archive's key, its format, and what its header keeps to derive the key again. */
async function archiveKeying(lock: BackupLock, kdf = { N: 2 ** 17, r: 8, p: 1 }): Promise<{ key: Buffer; format: number; keying: Pick<Header, 'kdf' | 'recipient'> }> {
  if (typeof lock !== 'string') {
    const { key, ephemeral } = archiveKeyFor(lock);
    return { key, format: FORMAT_RECOVERY_KEY, keying: { recipient: { name: 'x25519-hkdf-sha256', ephemeral: Buffer.from(ephemeral).toString('hex'), recoveryKey: recoveryKeyText(lock) } } };
  }
  const salt = randomBytes(32);
  return { key: await scryptKey(lock, salt, kdf), format: FORMAT, keying: { kdf: { name: 'scrypt', ...kdf, salt: salt.toString('hex') } } };
}

/** Files under a path (a file itself, or every file below a directory), in a stable order. */
function* walk(path: string): Generator<string> {
  const st = lstatSync(path);
  if (st.isFile()) yield path;
  else if (st.isDirectory()) for (const name of readdirSync(path).sort()) yield* walk(join(path, name));
  else throw new WardError('BAD_INPUT', `${path} is neither a file nor a folder (a link?); the data directory should hold neither.`);
}

function toArchivePath(p: string): string {
  return p.split(sep).join('/');
}

// ================================================================================= reading

/** Reads, authenticates and decrypts an archive's chunks in order, as a byte source. */
class OpenedReader {
  private buf: Buffer = Buffer.alloc(0);
  private index = 0;
  private ended = false;

  constructor(
    private readonly fh: FileHandle,
    private position: number,
    private readonly key: Buffer,
    private readonly prefix: Buffer,
    private readonly headerHash: Buffer,
  ) {}

  private async readExactly(n: number): Promise<Buffer> {
    const b = Buffer.alloc(n);
    const { bytesRead } = await this.fh.read(b, 0, n, this.position);
    if (bytesRead !== n) throw damaged('it ends too early');
    this.position += n;
    return b;
  }

  private async nextChunk(): Promise<void> {
    if (this.ended) throw damaged('it ends too early');
    const frame = await this.readExactly(5);
    const len = frame.readUInt32BE(0);
    const final = frame[4] === 1;
    if (len < 16 || len > CHUNK + 16 || frame[4]! > 1) throw damaged('a chunk has an impossible size');
    const body = await this.readExactly(len);
    let plain: Buffer;
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, chunkNonce(this.prefix, this.index));
      d.setAAD(chunkAad(this.headerHash, this.index, final));
      d.setAuthTag(body.subarray(len - 16));
      plain = Buffer.concat([d.update(body.subarray(0, len - 16)), d.final()]);
    } catch {
      throw damaged(`chunk ${this.index} does not authenticate`);
    }
    this.index++;
    this.ended = final;
    this.buf = this.buf.length ? Buffer.concat([this.buf, plain]) : plain;
  }

  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) await this.nextChunk();
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** The final chunk was read, nothing is left over, and nothing follows in the file. */
  async end(): Promise<void> {
    if (!this.ended || this.buf.length !== 0) throw damaged('data follows its manifest');
    const { size } = await this.fh.stat();
    if (size !== this.position) throw damaged('bytes follow its last chunk');
  }
}

function damaged(why: string): WardError {
  return new WardError('INTEGRITY', `The backup is damaged (${why}); nothing was restored.`);
}

/** How an archive is opened, read from its header alone: with a passphrase, or with the recovery key it names. */
export type ArchiveLock = { by: 'passphrase' } | { by: 'recovery-key'; recoveryKey: string; fingerprint: string };

/** An archive's magic, format and header (BAD_INPUT when it is no backup, INTEGRITY when damaged). */
async function readHeader(fh: FileHandle): Promise<{ header: Header; headerBytes: Buffer; bodyAt: number }> {
  const head = Buffer.alloc(MAGIC.length + 5);
  const { bytesRead } = await fh.read(head, 0, head.length, 0);
  if (bytesRead !== head.length || !head.subarray(0, MAGIC.length).equals(MAGIC)) throw new WardError('BAD_INPUT', 'That file is not a WardLedger backup.');
  const format = head[MAGIC.length];
  if (format !== FORMAT && format !== FORMAT_RECOVERY_KEY) throw new WardError('BAD_INPUT', 'That backup was written by another version of WardLedger.');
  const hlen = head.readUInt32BE(MAGIC.length + 1);
  if (hlen > 4096) throw damaged('its header is too long');
  const headerBytes = Buffer.alloc(hlen);
  if ((await fh.read(headerBytes, 0, hlen, head.length)).bytesRead !== hlen) throw damaged('it ends too early');
  let header: Header;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as Header;
  } catch {
    throw damaged('its header is unreadable');
  }
  // The header's format is bound to the one before it (the chunks authenticate the header's bytes).
  if (header?.format !== format) throw damaged('its header is not valid');
  return { header, headerBytes, bodyAt: head.length + hlen };
}

/** What opens the backup at `archive`, without opening it (the restore asks for the right secret). */
export async function archiveLock(archive: string): Promise<ArchiveLock> {
  const fh = await open(archive, 'r');
  try {
    const { header } = await readHeader(fh);
    if (header.format !== FORMAT_RECOVERY_KEY) return { by: 'passphrase' };
    const key = recipientKey(header);
    return { by: 'recovery-key', recoveryKey: recoveryKeyText(key), fingerprint: recoveryKeyFingerprint(key) };
  } finally {
    await fh.close();
  }
}

function recipientKey(header: Header): RecoveryPublicKey {
  const r = header.recipient;
  if (r?.name !== 'x25519-hkdf-sha256' || typeof r.recoveryKey !== 'string' || !/^[0-9a-f]{64}$/.test(r.ephemeral ?? '')) throw damaged('its key exchange settings are not valid');
  try {
    return parseRecoveryPublicKey(r.recoveryKey);
  } catch {
    throw damaged('its key exchange settings are not valid');
  }
}

/** The archive key from what unlocks it (WRONG_PASSWORD when it does not: another passphrase or recovery key). */
async function keyOf(header: Header, unlock: BackupUnlock): Promise<Buffer> {
  if (header.format === FORMAT_RECOVERY_KEY) {
    const to = recipientKey(header);
    if (typeof unlock === 'string') throw new WardError('WRONG_PASSWORD', `This backup was encrypted to a recovery key (${recoveryKeyFingerprint(to)}), not with a passphrase: open it with that recovery key.`);
    if (!Buffer.from(unlock.publicKey.bytes).equals(to.bytes)) throw new WardError('WRONG_PASSWORD', `That recovery key (${recoveryKeyFingerprint(unlock.publicKey)}) does not open this backup: it was encrypted to ${recoveryKeyFingerprint(to)}.`);
    return archiveKeyWith(unlock, Buffer.from(header.recipient!.ephemeral, 'hex'));
  }
  const { kdf } = header;
  if (kdf?.name !== 'scrypt' || ![kdf.N, kdf.r, kdf.p].every((x) => Number.isSafeInteger(x) && x > 0) || kdf.N > 2 ** 20 || kdf.r > 32 || kdf.p > 16) throw damaged('its key derivation settings are not valid');
  if (typeof unlock !== 'string') throw new WardError('WRONG_PASSWORD', 'This backup was written with a passphrase, not to a recovery key: open it with its passphrase.');
  return scryptKey(unlock, Buffer.from(kdf.salt, 'hex'), kdf);
}

/** Open an archive: header, key from the passphrase or recovery key (WRONG_PASSWORD when it does not match). */
async function openArchive(archive: string, unlock: BackupUnlock): Promise<{ fh: FileHandle; reader: OpenedReader; header: Header }> {
  const fh = await open(archive, 'r');
  try {
    const { header, headerBytes, bodyAt } = await readHeader(fh);
    const key = await keyOf(header, unlock);
    const check = Buffer.from(header.keyCheck ?? '', 'hex');
    if (check.length !== 32 || !timingSafeEqual(check, keyCheck(key))) {
      throw new WardError('WRONG_PASSWORD', typeof unlock === 'string' ? 'That passphrase does not open this backup.' : 'The recovery key does not open this backup (the backup is damaged).');
    }
    const prefix = Buffer.from(header.noncePrefix ?? '', 'hex');
    if (prefix.length !== 8) throw damaged('its header is not valid');
    const reader = new OpenedReader(fh, bodyAt, key, prefix, createHash('sha256').update(headerBytes).digest());
    return { fh, reader, header };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** A path from the archive, made safe: relative, inside the target, no '..'. */
function safeTarget(root: string, archived: string): string {
  const target = normalize(join(root, archived));
  if (archived === '' || isAbsolute(archived) || archived.split('/').includes('..') || relative(root, target).startsWith('..')) throw damaged('it names a path outside the data directory');
  return target;
}

/**
 * Restore an archive into `targetDir` (absent or empty). Everything is checked before the target
 * appears: every chunk authenticates, every file and the store match the manifest.
 */
export async function restoreBackup(archive: string, unlock: BackupUnlock, targetDir: string, options: { onProgress?: (p: BackupProgress) => void } = {}): Promise<BackupManifest> {
  if (existsSync(targetDir) && readdirSync(targetDir).length > 0) throw new WardError('CONFLICT', 'Restore into an empty directory: this one holds files already.');
  const staging = `${targetDir.replace(/[\\/]+$/, '')}.restoring`;
  // Opened first: a wrong passphrase or recovery key leaves no staging folder behind.
  const { fh, reader } = await openArchive(archive, unlock);
  const progress = options.onProgress ?? (() => undefined);
  try {
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const restored = new Map<string, { kind: 'file' | 'store'; size: number; sha256: string }>();
    let manifest: BackupManifest | null = null;
    while (!manifest) {
      const kind = String.fromCharCode((await reader.read(1))[0]!);
      const path = (await reader.read((await reader.read(2)).readUInt16BE())).toString('utf8');
      if (kind === 'M') {
        const m = await reader.read((await reader.read(4)).readUInt32BE());
        manifest = JSON.parse(m.toString('utf8')) as BackupManifest;
      } else if (kind === 'S') {
        if (path !== STORE_ITEM || restored.has(path)) throw damaged('its store item is misplaced');
        restored.set(path, await restoreStore(reader, join(staging, ...STORE_ITEM.split('/')), progress));
      } else if (kind === 'F') {
        const target = safeTarget(staging, path);
        if (restored.has(path)) throw damaged('it holds a file twice');
        const meta = await reader.read(12);
        const mode = meta.readUInt32BE(0) & 0o777;
        const size = Number(meta.readBigUInt64BE(4));
        mkdirSync(dirname(target), { recursive: true });
        const out = await open(target, 'wx', mode);
        const hash = createHash('sha256');
        try {
          for (let left = size; left > 0; ) {
            const data = await reader.read(Math.min(left, CHUNK));
            hash.update(data);
            await out.write(data);
            left -= data.length;
          }
          await out.sync();
        } finally {
          await out.close();
        }
        restored.set(path, { kind: 'file', size, sha256: hash.digest('hex') });
        progress({ item: path, bytes: size });
      } else throw damaged('it holds an item of an unknown kind');
    }
    await reader.end();
    if (manifest.items.length !== restored.size) throw damaged('its manifest lists other items than it holds');
    for (const item of manifest.items) {
      const got = restored.get(item.path);
      if (!got || got.kind !== item.kind || got.size !== item.size || got.sha256 !== item.sha256) throw damaged(`${item.path} does not match the manifest`);
    }
    if (existsSync(targetDir)) rmdirSync(targetDir);
    renameSync(staging, targetDir);
    fsyncDir(dirname(targetDir));
    return manifest;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    await fh.close();
  }
}

/** Load the store item's entries into a new store at `path`; its count and hash. */
async function restoreStore(reader: OpenedReader, path: string, progress: (p: BackupProgress) => void): Promise<{ kind: 'store'; size: number; sha256: string }> {
  mkdirSync(dirname(path), { recursive: true });
  const hash = createHash('sha256');
  let entries = 0;
  let done = false;
  async function* chunks(): AsyncGenerator<Array<[Uint8Array, Uint8Array]>> {
    let chunk: Array<[Uint8Array, Uint8Array]> = [];
    for (;;) {
      const klenBytes = await reader.read(4);
      if (klenBytes.equals(Buffer.alloc(4, 0xff))) break;
      const k = Buffer.from(await reader.read(klenBytes.readUInt32BE()));
      const vlenBytes = await reader.read(4);
      const v = Buffer.from(await reader.read(vlenBytes.readUInt32BE()));
      hash.update(klenBytes).update(k).update(vlenBytes).update(v);
      chunk.push([k, v]);
      entries++;
      if (chunk.length === 2000) {
        yield chunk;
        chunk = [];
        progress({ item: STORE_ITEM, bytes: entries });
      }
    }
    if (chunk.length) yield chunk;
    done = true;
  }
  const store = await WardStore.open(path);
  try {
    await store.load(chunks());
  } finally {
    await store.close();
  }
  if (!done) throw damaged('its store entries are cut short');
  return { kind: 'store', size: entries, sha256: hash.digest('hex') };
}
