/**
 * `wardledger consortium ...` as IT runs it: the built command line as a real process, against
 * anvil (1 s blocks) behind the Besu-like proxy, with a ward set up through the core.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wardledger } from '../../support/cli';
import { Anvil, freePort } from '../../support/anvil';
import { BesuProxy } from '../../support/besuProxy';
import { Caller, admin as wardAdmin, removeDir, startCore, tempDir } from '../../support/tempCore';

describe('wardledger consortium', () => {
  let dir: string;
  let wardDir: string;
  let anvil: Anvil;
  let proxy: BesuProxy;
  let keyFile: string;
  let ledger: string;

  beforeAll(async () => {
    dir = tempDir();
    anvil = await Anvil.start({ stateFile: join(dir, 'anvil.json') });
    proxy = await BesuProxy.start(anvil.url);
    keyFile = join(dir, 'admin.key');
    writeFileSync(keyFile, ethers.Wallet.createRandom().privateKey + '\n', { mode: 0o600 });
    wardDir = join(dir, 'ward');
    const core = await startCore(wardDir);
    await new Caller(core).ok('ward/setup', wardAdmin);
    await core.stop();
  });
  afterAll(async () => {
    await proxy?.close();
    await anvil?.stop();
    removeDir(dir);
  });

  it('deploys, adds wards from a data directory and from a card, shows status, removes a ward', async () => {
    const deployed = await wardledger(['consortium', 'deploy', '--rpc', proxy.url, '--key-file', keyFile, '--json']);
    expect(deployed.code, deployed.stderr).toBe(0);
    const d = JSON.parse(deployed.stdout);
    expect(d.chainId).toBe(anvil.chainId);
    ledger = d.ledger;
    for (const a of [d.directory, d.ledger]) expect(await anvil.rpc<string>('eth_getCode', [a, 'latest'])).toMatch(/^0x[0-9a-f]{100,}/);

    const card = await wardledger(['consortium', 'ward-card', '--data-dir', wardDir, '--out', join(dir, 'card.json')]);
    expect(card.code, card.stderr).toBe(0);
    const wardCard = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8'));
    expect(wardCard.name).toBe(wardAdmin.wardName);
    expect(statSync(join(wardDir, 'consortium-account.json')).mode & 0o777).toBe(0o600);
    const wardConfig = JSON.parse(readFileSync(join(wardDir, 'ward.json'), 'utf8'));
    expect(wardCard.teamPublicKey).toBe(wardConfig.team.publicKey.toLowerCase());

    const added = await wardledger(['consortium', 'add-ward', '--rpc', proxy.url, '--key-file', keyFile, '--ledger', ledger, '--data-dir', wardDir]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`Added ward ${wardAdmin.wardName} (sync account ${wardCard.account})`);

    const other = ethers.Wallet.createRandom();
    const team = ethers.Wallet.createRandom();
    const byFlags = await wardledger([
      'consortium', 'add-ward', '--rpc', proxy.url, '--key-file', keyFile, '--ledger', ledger,
      '--account', other.address, '--name', 'Ward 9 Surgery', '--sync-public-key', other.signingKey.publicKey, '--team-public-key', team.signingKey.publicKey,
    ]);
    expect(byFlags.code, byFlags.stderr).toBe(0);

    const again = await wardledger(['consortium', 'add-ward', '--rpc', proxy.url, '--key-file', keyFile, '--ledger', ledger, '--card', join(dir, 'card.json')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is already a member of the consortium');

    const status = await wardledger(['consortium', 'status', '--rpc', proxy.url, '--ledger', ledger, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s.wards.map((w: { name: string; active: boolean; batches: number }) => [w.name, w.active, w.batches])).toEqual([
      [wardAdmin.wardName, true, 0],
      ['Ward 9 Surgery', true, 0],
    ]);

    const removed = await wardledger(['consortium', 'remove-ward', '--rpc', proxy.url, '--key-file', keyFile, '--ledger', ledger, '--account', other.address]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('Removed ward Ward 9 Surgery');
    const text = await wardledger(['consortium', 'status', '--rpc', proxy.url, '--ledger', ledger, '--key-file', keyFile]);
    expect(text.stdout).toMatch(/active\s+Ward 7 North/);
    expect(text.stdout).toMatch(/removed\s+Ward 9 Surgery .* removed in block \d+/);
    expect(text.stdout).toContain('(this key is one)');

    // Everything went through as Besu requires: raw transactions only.
    expect(proxy.refused).toEqual([]);
    expect(proxy.count('eth_sendRawTransaction')).toBe(5); // two deployments, two additions, one removal
    expect(proxy.count('eth_sendTransaction') + proxy.count('eth_accounts')).toBe(0);
  });

  it('says clearly what is wrong: not an admin, no contract, a bad card, an unreachable node, missing flags', async () => {
    const stranger = join(dir, 'stranger.key');
    writeFileSync(stranger, ethers.Wallet.createRandom().privateKey.slice(2) + '\n');
    const notAdmin = await wardledger(['consortium', 'remove-ward', '--rpc', proxy.url, '--key-file', stranger, '--ledger', ledger, '--account', ethers.Wallet.createRandom().address]);
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.stderr).toMatch(/is not a consortium admin/);

    const noContract = await wardledger(['consortium', 'status', '--rpc', proxy.url, '--ledger', ethers.Wallet.createRandom().address]);
    expect(noContract.code).toBe(1);
    expect(noContract.stderr).toMatch(/There is no contract at 0x[0-9a-fA-F]{40} on this chain/);

    const w = ethers.Wallet.createRandom();
    const badCard = await wardledger([
      'consortium', 'add-ward', '--rpc', proxy.url, '--key-file', keyFile, '--ledger', ledger,
      '--account', w.address, '--name', 'Ward X', '--sync-public-key', ethers.Wallet.createRandom().signingKey.publicKey, '--team-public-key', w.signingKey.publicKey,
    ]);
    expect(badCard.code).toBe(2);
    expect(badCard.stderr).toMatch(/sync public key does not belong to the sync account/);

    const down = await wardledger(['consortium', 'status', '--rpc', `http://127.0.0.1:${await freePort()}`, '--ledger', ledger]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/not reachable: connection refused/);

    const usage = await wardledger(['consortium', 'add-ward', '--key-file', keyFile, '--ledger', ledger, '--data-dir', wardDir]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--rpc is required/);

    const help = await wardledger(['consortium', '--help']);
    expect(help.stdout).toMatch(/--data-dir DIR\s+the ward's data directory/);
    expect(help.stdout).toMatch(/--sync-public-key HEX --team-public-key HEX/);
  });

  it('lists a ward\'s clinician in the directory with the ward\'s own sync account, refuses a second listing, withdraws them', async () => {
    const clinician = ethers.Wallet.createRandom();
    const publicKey = '0x' + clinician.signingKey.publicKey.slice(4); // 64 bytes, no 04 prefix
    const args = ['consortium', 'add-person', '--rpc', proxy.url, '--ledger', ledger, '--data-dir', wardDir, '--public-key', publicKey];
    const added = await wardledger([...args, '--name', 'Grace Hopper (doctor)', '--json']);
    expect(added.code, added.stderr).toBe(0);
    const wardCard = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8'));
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'Grace Hopper (doctor)', ward: wardCard.account });
    // The directory's event carries the key and the name, under the ward's account.
    const directory = ethers.getAddress('0x' + (await anvil.rpc<string>('eth_call', [{ to: ledger, data: ethers.id('directory()').slice(0, 10) }, 'latest'])).slice(26));
    const topic = ethers.id('RecipientAdded(address,bytes32,bytes,string)');
    const logs = await anvil.rpc<Array<{ topics: string[]; data: string }>>('eth_getLogs', [{ address: directory, topics: [topic], fromBlock: '0x0', toBlock: 'latest' }]);
    expect(logs).toHaveLength(1);
    expect(ethers.getAddress('0x' + logs[0]!.topics[1]!.slice(26))).toBe(wardCard.account);
    expect(ethers.AbiCoder.defaultAbiCoder().decode(['bytes', 'string'], logs[0]!.data).toArray()).toEqual([publicKey.toLowerCase(), 'Grace Hopper (doctor)']);

    const again = await wardledger([...args, '--name', 'Grace Hopper (doctor)']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already in the consortium directory');
    const noName = await wardledger(args);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/--name is required/);
    const badKey = await wardledger(['consortium', 'add-person', '--rpc', proxy.url, '--ledger', ledger, '--data-dir', wardDir, '--public-key', '0x1234', '--name', 'X']);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/64 bytes in hex/);

    const removed = await wardledger(['consortium', 'remove-person', '--rpc', proxy.url, '--ledger', ledger, '--data-dir', wardDir, '--public-key', publicKey]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('Withdrew the person');
    expect(proxy.refused).toEqual([]);
  });
});
