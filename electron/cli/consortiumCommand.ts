/**
 * `wardledger consortium ...`: what hospital IT does with the consortium chain from a shell.
 * The node is any Ethereum JSON-RPC endpoint (Besu in production); transactions are signed here
 * with the key in --key-file and sent raw, as Besu requires.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ethers } from 'ethers';
import { WardError } from '../core/model/errors';
import {
  addPerson,
  addWard,
  checkedWardCard,
  consortiumStatus,
  ConsortiumClient,
  deployConsortium,
  explainNodeError,
  loadSyncAccount,
  NodeRefused,
  NodeUnreachable,
  removePerson,
  removeWard,
  wardCardFromDataDir,
  type WardCard,
} from '../core/consortiumTools';
import { fail, parse, readPassword } from './io';

export const consortiumUsage = `  wardledger consortium deploy --rpc URL --key-file FILE [--json]
      Deploy the consortium contracts (ConsortiumDirectory, ConsortiumLedger) and print their
      addresses. The key in FILE becomes the first consortium admin.
  wardledger consortium ward-card --data-dir DIR [--out FILE]
      On a ward's workstation: print (or write) the ward card a consortium admin needs to add
      the ward: name, sync account, sync public key, care team public key. Creates the ward's
      sync account (DIR/consortium-account.json, owner-only) the first time.
  wardledger consortium add-ward --rpc URL --key-file FILE --ledger ADDR WARD
      Add a ward (admins only). WARD is one of:
        --data-dir DIR      the ward's data directory (on the ward's own workstation), or
        --card FILE         a ward card written by ward-card --out, or
        --account ADDR --name NAME --sync-public-key HEX --team-public-key HEX
  wardledger consortium remove-ward --rpc URL --key-file FILE --ledger ADDR --account ADDR
      Remove a ward (admins only): it can no longer publish; what it published stays valid.
  wardledger consortium add-person --rpc URL --ledger ADDR --data-dir DIR --public-key HEX --name NAME
      On a ward's workstation: list one of its nurses or doctors in the consortium directory, so
      patients of other wards can share their records with them. Signed by the ward's own sync
      account (DIR/consortium-account.json); NAME is what patients choose them by, e.g.
      "Grace Hopper (doctor)". (The IT admin's screen does the same from the ward's staff list.)
  wardledger consortium remove-person --rpc URL --ledger ADDR (--data-dir DIR | --key-file FILE) --public-key HEX
      Withdraw a person: by the ward that listed them (--data-dir) or a consortium admin (--key-file).
  wardledger consortium status --rpc URL --ledger ADDR [--key-file FILE] [--json]
      Chain, head block, admins, and every ward with its state and number of batches.
      Common options:
      --rpc URL           the consortium node's JSON-RPC endpoint, e.g. http://besu1.hospital:8545
      --key-file FILE     the admin's key: a 0x private key on one line, or a keystore v3 JSON
                          file (password from WARDLEDGER_PASSWORD or the first line of stdin)
      --ledger ADDR       the ConsortiumLedger address printed by deploy
      --confirmations N   blocks to wait on top of a transaction's block (default 1; QBFT is final)
      --json              machine-readable output`;

const common = {
  rpc: { type: 'string' },
  'key-file': { type: 'string' },
  ledger: { type: 'string' },
  confirmations: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function consortium(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'deploy':
        return await deploy(rest);
      case 'ward-card':
        return wardCard(rest);
      case 'add-ward':
        return await add(rest);
      case 'remove-ward':
        return await remove(rest);
      case 'add-person':
        return await person(rest, 'add');
      case 'remove-person':
        return await person(rest, 'remove');
      case 'status':
        return await status(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`Usage:\n${consortiumUsage}\n`);
        return;
      default:
        fail(`unknown consortium command "${sub}".\n\nUsage:\n${consortiumUsage}`, 2);
    }
  } catch (e) {
    if (e instanceof NodeUnreachable || e instanceof NodeRefused) fail(explainNodeError(e).message, 1);
    if (e instanceof WardError) fail(e.message, e.code === 'BAD_INPUT' ? 2 : 1);
    throw e;
  }
}

function need(value: string | undefined, flag: string): string {
  if (!value) fail(`${flag} is required.\n\nUsage:\n${consortiumUsage}`, 2);
  return value;
}

async function readKey(file: string): Promise<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    fail(`cannot read the key file ${file}: ${(e as Error).message}`, 2);
  }
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(text)) return text.startsWith('0x') ? text : `0x${text}`;
  if (text.startsWith('{')) {
    const password = await readPassword(`Password for ${file}: `);
    try {
      return (await ethers.Wallet.fromEncryptedJson(text, password)).privateKey;
    } catch {
      fail(`the key file ${file} could not be opened with that password.`, 1);
    }
  }
  fail(`the key file ${file} holds neither a 0x private key nor a keystore v3 JSON.`, 2);
}

async function clientFrom(values: { rpc?: string; 'key-file'?: string; ledger?: string; confirmations?: string }, needKey = true): Promise<ConsortiumClient> {
  const rpc = need(values.rpc, '--rpc');
  const keyFile = needKey ? resolve(need(values['key-file'], '--key-file')) : values['key-file'] ? resolve(values['key-file']) : null;
  const privateKey = keyFile ? await readKey(keyFile) : ethers.Wallet.createRandom().privateKey;
  const confirmations = values.confirmations === undefined ? 1 : Number(values.confirmations);
  if (!Number.isInteger(confirmations) || confirmations < 1) fail('--confirmations must be a whole number of at least 1.', 2);
  return new ConsortiumClient({ url: rpc, privateKey, ledger: values.ledger ?? ethers.ZeroAddress, stateDir: keyFile ? dirname(keyFile) : resolve('.'), confirmations });
}

function print(json: boolean | undefined, value: unknown, text: string): void {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : text);
}

async function deploy(args: string[]): Promise<void> {
  const { values } = parse(args, common, consortiumUsage);
  const client = await clientFrom(values);
  const d = await deployConsortium(client);
  print(
    values.json,
    { ...d, admin: client.account },
    `Consortium deployed on chain ${d.chainId} (block ${d.block}):\n  directory  ${d.directory}\n  ledger     ${d.ledger}\n  admin      ${client.account}\n` +
      `Add wards with: wardledger consortium add-ward --rpc ${values.rpc} --key-file ${values['key-file']} --ledger ${d.ledger} --data-dir DIR\n`,
  );
}

function wardCard(args: string[]): void {
  const { values } = parse(args, { 'data-dir': { type: 'string' }, out: { type: 'string' } }, consortiumUsage);
  const card = wardCardFromDataDir(resolve(need(values['data-dir'], '--data-dir')));
  const json = JSON.stringify(card, null, 2) + '\n';
  if (values.out) {
    writeFileSync(resolve(values.out), json);
    process.stdout.write(`Ward card of ${card.name} (sync account ${card.account}) written to ${values.out}.\n`);
  } else process.stdout.write(json);
}

function cardFrom(values: Record<string, string | boolean | undefined>): WardCard {
  if (values['data-dir']) return wardCardFromDataDir(resolve(String(values['data-dir'])));
  if (values.card) {
    let card: Partial<WardCard>;
    try {
      card = JSON.parse(readFileSync(resolve(String(values.card)), 'utf8'));
    } catch (e) {
      fail(`cannot read the ward card ${values.card}: ${(e as Error).message}`, 2);
    }
    return checkedWardCard(card);
  }
  if (!values.account) fail(`say which ward: --data-dir DIR, --card FILE, or --account, --name, --sync-public-key and --team-public-key.\n\nUsage:\n${consortiumUsage}`, 2);
  return checkedWardCard({ account: String(values.account), name: values.name as string, syncPublicKey: values['sync-public-key'] as string, teamPublicKey: values['team-public-key'] as string });
}

async function add(args: string[]): Promise<void> {
  const { values } = parse(
    args,
    { ...common, 'data-dir': { type: 'string' }, card: { type: 'string' }, account: { type: 'string' }, name: { type: 'string' }, 'sync-public-key': { type: 'string' }, 'team-public-key': { type: 'string' } },
    consortiumUsage,
  );
  need(values.ledger, '--ledger');
  const card = cardFrom(values);
  const client = await clientFrom(values);
  const r = await addWard(client, card);
  print(values.json, { ...card, ...r }, `Added ward ${card.name} (sync account ${card.account}) in block ${r.block}.\n`);
}

async function remove(args: string[]): Promise<void> {
  const { values } = parse(args, { ...common, account: { type: 'string' } }, consortiumUsage);
  need(values.ledger, '--ledger');
  let account: string;
  try {
    account = ethers.getAddress(need(values.account, '--account'));
  } catch {
    fail('--account is not a valid address.', 2);
  }
  const client = await clientFrom(values);
  const r = await removeWard(client, account);
  print(values.json, { account, ...r }, `Removed ward ${r.name} (${account}) in block ${r.block}. What it published stays valid.\n`);
}

/** add-person / remove-person: signed by the ward's sync account (--data-dir), or an admin's key for a removal. */
async function person(args: string[], what: 'add' | 'remove'): Promise<void> {
  const { values } = parse(args, { ...common, 'data-dir': { type: 'string' }, 'public-key': { type: 'string' }, name: { type: 'string' } }, consortiumUsage);
  need(values.ledger, '--ledger');
  const publicKey = need(values['public-key'], '--public-key');
  let client: ConsortiumClient;
  if (values['data-dir'] || what === 'add') {
    const dir = resolve(need(values['data-dir'], '--data-dir'));
    const account = loadSyncAccount(dir);
    if (!account) fail(`${dir} has no consortium sync account yet: run wardledger consortium ward-card --data-dir ${dir} first, and have the ward added.`, 2);
    const confirmations = values.confirmations === undefined ? 1 : Number(values.confirmations);
    client = new ConsortiumClient({ url: need(values.rpc, '--rpc'), privateKey: account.wallet.privateKey, ledger: values.ledger!, stateDir: dir, confirmations });
  } else client = await clientFrom(values);
  if (what === 'add') {
    const name = need(values.name, '--name');
    const r = await addPerson(client, publicKey, name);
    print(values.json, { publicKey, name, ward: client.account, ...r }, `Listed ${name.trim()} in the consortium directory for ward ${client.account}, in block ${r.block}.\n`);
  } else {
    const r = await removePerson(client, publicKey);
    print(values.json, { publicKey, ...r }, `Withdrew the person from the consortium directory in block ${r.block}. Shares already made to them stay readable to them.\n`);
  }
}

async function status(args: string[]): Promise<void> {
  const { values } = parse(args, common, consortiumUsage);
  need(values.ledger, '--ledger');
  const client = await clientFrom(values, false);
  const s = await consortiumStatus(client);
  const lines = [
    `Chain ${s.chainId}, head block ${s.head}`,
    `Directory ${s.directory}, ledger ${s.ledger}, ${s.admins} admin(s)${values['key-file'] ? (s.youAreAdmin ? ' (this key is one)' : ' (this key is not one)') : ''}`,
    s.wards.length ? 'Wards:' : 'No wards yet.',
    ...s.wards.map((w) => `  ${w.active ? 'active ' : 'removed'}  ${w.name.padEnd(24)} ${w.account}  since block ${w.activeSince}${w.removedAt ? `, removed in block ${w.removedAt}` : ''}, ${w.batches} batch(es)`),
  ];
  print(values.json, s, lines.join('\n') + '\n');
}
