/**
 * Encrypted backup archives: one file holding a consistent snapshot of the ward store and copies of
 * the data directory's other files (chain database, keystores, settings), encrypted with a
 * passphrase, written and read as streams (a ward's year does not fit in memory).
 *
 * Cryptography: key = scrypt(passphrase, 32-byte random salt; N = 2^17, r = 8, p = 1 by default,
 * stored in the header); the plaintext is cut into 64 KiB chunks, each sealed with AES-256-GCM
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
import { createHash, createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, createCipheriv, createDecipheriv } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { WardError } from '../model/errors';
import { fsyncDir } from '../platform/atomicFile';
import { WardStore } from './wardStore';

const MAGIC = Buffer.from('WARDLEDGER-BACKUP\n', 'utf8');
const FORMAT = 1;
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

interface Header {
  format: number;
  kdf: KdfParams;
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

function scrypt(passphrase: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(passphrase.normalize('NFKC'), salt, 32, { N, r, p, maxmem: 256 * N * r + 2 ** 20 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

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
export async function writeBackup(out: string, passphrase: string, contents: BackupContents, options: { onProgress?: (p: BackupProgress) => void; kdf?: { N: number; r: number; p: number } } = {}): Promise<BackupManifest> {
  if (passphrase.length < 12) throw new WardError('BAD_INPUT', 'Choose a backup passphrase of at least 12 characters.', { fields: { passphrase: 'At least 12 characters.' } });
  if (existsSync(out)) throw new WardError('CONFLICT', 'A file with that name exists already; choose another name for the backup.');
  const { N, r, p } = options.kdf ?? { N: 2 ** 17, r: 8, p: 1 };
  const salt = randomBytes(32);
  const key = await scrypt(passphrase, salt, N, r, p);
  const prefix = randomBytes(8);
  const header: Header = {
    format: FORMAT,
    kdf: { name: 'scrypt', N, r, p, salt: salt.toString('hex') },
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
    await fh.write(Buffer.concat([MAGIC, Buffer.of(FORMAT), len, headerBytes]));
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

/** Open an archive: header, key from the passphrase (WRONG_PASSWORD when it does not match). */
async function openArchive(archive: string, passphrase: string): Promise<{ fh: FileHandle; reader: OpenedReader; header: Header }> {
  const fh = await open(archive, 'r');
  try {
    const head = Buffer.alloc(MAGIC.length + 5);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    if (bytesRead !== head.length || !head.subarray(0, MAGIC.length).equals(MAGIC)) throw new WardError('BAD_INPUT', 'That file is not a WardLedger backup.');
    if (head[MAGIC.length] !== FORMAT) throw new WardError('BAD_INPUT', 'That backup was written by another version of WardLedger.');
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
    const { kdf } = header;
    if (kdf?.name !== 'scrypt' || ![kdf.N, kdf.r, kdf.p].every((x) => Number.isSafeInteger(x) && x > 0) || kdf.N > 2 ** 20 || kdf.r > 32 || kdf.p > 16) throw damaged('its key derivation settings are not valid');
    const key = await scrypt(passphrase, Buffer.from(kdf.salt, 'hex'), kdf.N, kdf.r, kdf.p);
    const check = Buffer.from(header.keyCheck ?? '', 'hex');
    if (check.length !== 32 || !timingSafeEqual(check, keyCheck(key))) throw new WardError('WRONG_PASSWORD', 'That passphrase does not open this backup.');
    const prefix = Buffer.from(header.noncePrefix ?? '', 'hex');
    if (prefix.length !== 8) throw damaged('its header is not valid');
    const reader = new OpenedReader(fh, head.length + hlen, key, prefix, createHash('sha256').update(headerBytes).digest());
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
export async function restoreBackup(archive: string, passphrase: string, targetDir: string, options: { onProgress?: (p: BackupProgress) => void } = {}): Promise<BackupManifest> {
  if (existsSync(targetDir) && readdirSync(targetDir).length > 0) throw new WardError('CONFLICT', 'Restore into an empty directory: this one holds files already.');
  const staging = `${targetDir.replace(/[\\/]+$/, '')}.restoring`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  const { fh, reader } = await openArchive(archive, passphrase);
  const progress = options.onProgress ?? (() => undefined);
  try {
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
