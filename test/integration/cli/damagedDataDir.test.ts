/**
 * A damaged data directory (issue 9, item 13): `wardledger serve` refuses to start with one
 * readable message saying what is damaged, where, and what to do — never a stack trace, and never
 * ganache's minified bundle (a corrupted chain database used to crash the start with megabytes of
 * it on stderr). Every file read at start is corrupted in turn, in a copy of a real ward.
 * The chain-database cases follow LevelDB's own failure modes: a garbled MANIFEST or CURRENT, a
 * missing CURRENT, a missing or truncated table file (leveldb doc/impl.md: "Files"); the record
 * store (LevelDB as well) is damaged the same ways, and the old record log of a ward written
 * before the store is damaged line by line as the log-store cases were.
 */
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardCore } from '../../../electron/core/shellContract';
import { spawnServe } from '../../support/serveProcess';
import { unpackV1Ward } from '../../support/v1Ward';
import { Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

let ward: string;
let compacted: string;
let v1: ReturnType<typeof unpackV1Ward>;
const root = tempDir('wardledger-damaged-');

/** Open and close a chain database with ganache's own LevelDB binding: the log is compacted into a table file. */
async function compact(dbPath: string): Promise<void> {
  const leveldown = createRequire(createRequire(import.meta.url).resolve('ganache'))('leveldown');
  const db = leveldown(dbPath);
  await new Promise<void>((resolve, reject) => db.open({ createIfMissing: false }, (e: Error | null) => (e ? reject(e) : db.close(() => resolve()))));
}

const tableFile = (dir: string) => join(dir, 'chain', 'db', readdirSync(join(dir, 'chain', 'db')).find((f) => f.endsWith('.ldb'))!);
const storeManifest = (dir: string) => join(dir, 'records', 'store', readdirSync(join(dir, 'records', 'store')).find((f) => f.startsWith('MANIFEST-'))!);
const manifest = (dir: string) => join(dir, 'chain', 'db', readdirSync(join(dir, 'chain', 'db')).find((f) => f.startsWith('MANIFEST-'))!);
function replaceLine(path: string, index: number, text: string): void {
  const lines = readFileSync(path, 'utf8').split('\n');
  lines[index] = text;
  writeFileSync(path, lines.join('\n'));
}

beforeAll(async () => {
  ward = join(root, 'ward');
  const core = await startCore(ward);
  const w = await staffedWard(core);
  await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '4', responsibleDoctor: w.addresses.doctor });
  for (let i = 0; i < 3; i++) await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: { spo2: 96, pulse: 70 + i }, missingReason: 'Spot check' });
  await core.stop();
  compacted = join(root, 'compacted');
  cpSync(ward, compacted, { recursive: true });
  await compact(join(compacted, 'chain', 'db'));
  v1 = unpackV1Ward();
});
afterAll(() => {
  removeDir(root);
  removeDir(v1.root);
});

const chainDb = /^wardledger: The ward chain database is damaged and cannot be opened \(.+\): .*chain\/db\. .*Restore the data directory from a backup/;
const recordStore = /^wardledger: The record store \(records, anchors, consents and the access log\) is damaged \(it cannot be opened: .+\): .*records\/store\. Restore the data directory/;
const cases: Array<{ name: string; from?: 'compacted' | 'v1'; damage: (dir: string) => void; message: RegExp }> = [
  { name: 'chain database: MANIFEST garbled', damage: (d) => writeFileSync(manifest(d), 'not a manifest'), message: chainDb },
  { name: 'chain database: CURRENT names no manifest', damage: (d) => writeFileSync(join(d, 'chain', 'db', 'CURRENT'), 'garbage\n'), message: chainDb },
  { name: 'chain database: CURRENT missing', damage: (d) => unlinkSync(join(d, 'chain', 'db', 'CURRENT')), message: chainDb },
  { name: 'chain database: table file missing', from: 'compacted', damage: (d) => unlinkSync(tableFile(d)), message: chainDb },
  // Opens fine; ganache fails reading it (an unhandled rejection inside ganache).
  { name: 'chain database: table file truncated', from: 'compacted', damage: (d) => truncateSync(tableFile(d), 4096), message: chainDb },
  {
    name: 'chain/options.json not JSON',
    damage: (d) => writeFileSync(join(d, 'chain', 'options.json'), '{"chainId": 22337,'),
    message: /^wardledger: The ward chain's pinned options \(chain\/options\.json\) is damaged \(it is not valid JSON\): .*options\.json\. Restore/,
  },
  {
    name: 'ward.json not JSON',
    damage: (d) => writeFileSync(join(d, 'ward.json'), '\0\0\0\0'),
    message: /^wardledger: The ward's settings file \(ward\.json.*\) is damaged \(it is not valid JSON\): .*ward\.json\. Restore/,
  },
  {
    name: 'ward.json without its registry address',
    damage: (d) => {
      const c = JSON.parse(readFileSync(join(d, 'ward.json'), 'utf8'));
      delete c.registryAddress;
      writeFileSync(join(d, 'ward.json'), JSON.stringify(c));
    },
    message: /^wardledger: The ward's settings file .* is damaged \(registryAddress: .*\): .*ward\.json\. Restore/,
  },
  {
    name: 'users.json of another shape',
    damage: (d) => writeFileSync(join(d, 'users.json'), '{"v":1,"entries":{}}'),
    message: /^wardledger: The ward's user directory \(users\.json.*\) is damaged \(entries: .*\): .*users\.json\. Restore/,
  },
  {
    name: 'admissions.json cut short',
    damage: (d) => writeFileSync(join(d, 'admissions.json'), readFileSync(join(d, 'admissions.json'), 'utf8').slice(0, 40)),
    message: /^wardledger: The ward's admissions file \(admissions\.json.*\) is damaged \(it is not valid JSON\): .*admissions\.json\. Restore/,
  },
  // The record store is LevelDB too (records/store): the same failure modes, named as the record store.
  { name: 'record store: MANIFEST garbled', damage: (d) => writeFileSync(storeManifest(d), 'not a manifest'), message: recordStore },
  { name: 'record store: CURRENT missing', damage: (d) => unlinkSync(join(d, 'records', 'store', 'CURRENT')), message: recordStore },
  // Never a new, empty store in place of a ward's lost one.
  {
    name: 'record store: folder missing',
    damage: (d) => rmSync(join(d, 'records', 'store'), { recursive: true }),
    message: /^wardledger: The record store \(records, anchors, consents and the access log\) is damaged \(it is missing from a ward that was set up\): .*records\/store\. Restore/,
  },
  // A ward of the version before the store: its old log is migrated at start; a damaged line stops
  // that, names the entry and its byte offset, and leaves the log as it was and no store behind.
  {
    name: 'old record log: a line that is not JSON',
    from: 'v1',
    damage: (d) => replaceLine(join(d, 'records', 'log.jsonl'), 2, '{"t":"rec","r":{'),
    message: /^wardledger: The old record log is damaged \(entry 3, at byte \d+, is not valid JSON\): .*log\.jsonl\. Nothing was changed\. Restore/,
  },
  {
    name: 'old record log: a line that is JSON but no entry',
    from: 'v1',
    damage: (d) => replaceLine(join(d, 'records', 'log.jsonl'), 1, '[1,2,3]'),
    message: /^wardledger: The old record log is damaged \(entry 2, at byte \d+, is not a valid entry\)/,
  },
  {
    name: 'old record log: a record entry without its record',
    from: 'v1',
    damage: (d) => appendFileSync(join(d, 'records', 'log.jsonl'), '{"t":"rec"}\n'),
    message: /^wardledger: The old record log is damaged \(entry \d+, at byte \d+, is not a valid entry\)/,
  },
];

describe.concurrent('wardledger serve on a damaged data directory', () => {
  for (const c of cases) {
    it(`${c.name}: refuses to start with one clear message`, async () => {
      const dir = join(root, c.name.replace(/[^a-z0-9]+/gi, '-'));
      cpSync(c.from === 'compacted' ? compacted : c.from === 'v1' ? v1.dataDir : ward, dir, { recursive: true });
      c.damage(dir);
      const oldLog = c.from === 'v1' ? readFileSync(join(dir, 'records', 'log.jsonl')) : null;
      const serve = spawnServe(dir);
      const code = await serve.exited;
      const output = serve.output().trim();
      expect(code, output).toBe(1);
      // One line of refusal. An old log's upgrade is a long step: serve printed its address and
      // progress for the page before the damage was found; nothing else comes before the refusal.
      const lines = output.split('\n');
      const refusal = lines.at(-1)!;
      expect(refusal).toMatch(c.message);
      expect(refusal.length).toBeLessThan(600);
      if (c.from === 'v1') {
        expect(lines.slice(0, -1).every((l) => /^(WardLedger is starting in browser mode|Open this URL|http:\/\/127\.0\.0\.1:|Upgrading the record store)/.test(l)), output).toBe(true);
      } else expect(lines).toHaveLength(1);
      if (oldLog) {
        expect(readFileSync(join(dir, 'records', 'log.jsonl')).equals(oldLog)).toBe(true);
        expect(existsSync(join(dir, 'records', 'store'))).toBe(false);
        expect(existsSync(join(dir, 'records', 'store.migrating'))).toBe(false);
      }
      rmSync(dir, { recursive: true, force: true });
    });
  }
});

describe('files read when a person logs in', () => {
  it('a damaged keystore or profile is named at login, and other people still log in', async () => {
    const dir = join(root, 'login-files');
    cpSync(ward, dir, { recursive: true });
    const core = await startCore(dir);
    try {
      const nurse = new Caller(core);
      await nurse.login('Florence Nurse', 'nurse-password');
      const address = (await nurse.ok('session/me', {})).profile.address.toLowerCase();
      await nurse.ok('session/logout', {});
      writeFileSync(join(dir, 'keystores', `${address}.json`), '{"version":3,"crypto":{}');
      await expect(nurse.fails('session/login', { name: 'Florence Nurse', password: 'nurse-password' })).resolves.toMatchObject({
        code: 'INTEGRITY',
        message: expect.stringMatching(/keystore file is damaged and cannot be opened \(not JSON\)/),
      });
      writeFileSync(join(dir, 'profiles', `${(await loginAddress(core, 'Pat Patient', 'patient-password')).toLowerCase()}.json`), '{"v":1}');
      await expect(new Caller(core).fails('session/login', { name: 'Pat Patient', password: 'patient-password' })).resolves.toMatchObject({
        code: 'INTEGRITY',
        message: expect.stringMatching(/^A person's sealed profile \(name, age or date of birth, hospital number\) is damaged \(address: .*\): .*\.json\. Restore it from a backup/),
      });
      await new Caller(core).login('Grace Hopper', 'doctor-password');
    } finally {
      await core.stop();
    }
  });
});

async function loginAddress(core: WardCore, name: string, password: string): Promise<string> {
  const c = new Caller(core);
  await c.login(name, password);
  const address = (await c.ok('session/me', {})).profile.address;
  await c.ok('session/logout', {});
  return address;
}
