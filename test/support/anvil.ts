/**
 * anvil (Foundry's Ethereum node, shipped as a binary in the npm package
 * @foundry-rs/anvil-linux-amd64) as the consortium stand-in: a real node in its own process on
 * loopback, with a block period like QBFT's, free gas as on a Besu zero-base-fee network, no
 * unlocked accounts (as Besu holds no keys), and its chain kept in a state file across restarts.
 *
 * `--state FILE` loads the file at start and writes it on a graceful stop (SIGTERM);
 * `--state-interval 1` also writes it every second, so a SIGKILL loses at most the last second.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The anvil binary inside its npm package (the package's own "bin" entry). */
export function anvilBinary(): string {
  const pkg = require.resolve('@foundry-rs/anvil-linux-amd64/package.json');
  const bin = join(dirname(pkg), 'bin', 'anvil');
  if (!existsSync(bin)) throw new Error(`anvil is not installed at ${bin}; run npm ci.`);
  return bin;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface AnvilOptions {
  stateFile: string;
  /**
   * Keep the chain in the state file (default), loaded at start and written every second, so a
   * restarted or killed node keeps it. False: in memory only (a node that is never restarted, the
   * benchmark): anvil writes its state as one JSON document of the whole chain, blocks and
   * transactions included, every second — 290 MB at 25,000 published records, rewritten for
   * seconds at a time — which a Besu node (RocksDB, written block by block) never does.
   */
  persist?: boolean;
  chainId?: number;
  blockTime?: number;
  gasLimit?: number;
  /** Where anvil's own output goes (for diagnosing a failed test). */
  logFile?: string;
}

export class Anvil {
  private child: ChildProcess | null = null;
  readonly chainId: number;
  private constructor(
    readonly port: number,
    private readonly options: AnvilOptions,
  ) {
    this.chainId = options.chainId ?? 4242;
  }

  static async start(options: AnvilOptions): Promise<Anvil> {
    const anvil = new Anvil(await freePort(), options);
    await anvil.start();
    return anvil;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** (Re)start on the same port and state file. */
  async start(): Promise<void> {
    if (this.child) return;
    const args = [
      '--host', '127.0.0.1',
      '--port', String(this.port),
      '--chain-id', String(this.chainId),
      '--block-time', String(this.options.blockTime ?? 1),
      '--base-fee', '0',
      '--gas-price', '0',
      '--accounts', '0',
      '--hardfork', 'cancun',
      '--gas-limit', String(this.options.gasLimit ?? 30_000_000),
      ...(this.options.persist === false ? [] : ['--state', this.options.stateFile, '--state-interval', '1']),
    ];
    // anvil keeps states it evicts from memory under $HOME/.foundry/anvil/tmp and removes them only
    // on a graceful exit: a killed node (the fault tests, an interrupted run) would leave them behind
    // in the machine's home (tens of GB over a few runs). Give it a home beside its state file.
    const home = join(dirname(this.options.stateFile), 'anvil-home');
    mkdirSync(home, { recursive: true });
    const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: home } });
    if (this.options.logFile) {
      const out = createWriteStream(this.options.logFile, { flags: 'a' });
      child.stdout!.pipe(out);
      child.stderr!.pipe(out);
    } else {
      child.stdout!.resume();
      child.stderr!.resume();
    }
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`anvil exited while starting${this.options.logFile ? ` (see ${this.options.logFile})` : ''}`);
      try {
        await this.rpc('eth_chainId', []);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error('anvil did not answer within 20 s');
  }

  /** CPU time (user + system) the node's process has used so far, from /proc (Linux); null when not running. */
  cpuSeconds(): number | null {
    if (!this.child?.pid) return null;
    // Fields 14 and 15 of /proc/PID/stat (after the parenthesised command name), in clock ticks (100 a second on Linux).
    const fields = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  /** Graceful stop: anvil writes its state file. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** Hard kill: whatever was not yet in the state file (at most about a second) is lost. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(sig);
    await exited;
    this.child = null;
  }

  /** A raw JSON-RPC call straight to anvil (test setup only; the client goes through the proxy). */
  async rpc<T = unknown>(method: string, params: unknown[]): Promise<T> {
    const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
    const body = (await res.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(body.error.message);
    return body.result as T;
  }
}
