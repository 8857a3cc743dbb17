/**
 * The Besu proxy (besuProxy.ts) in a process of its own, for the benchmark: in the benchmark's
 * process it took CPU from the ward it measures (parsing every call, copying 128 KB transactions
 * and log pages), where a real ward talks to a node that runs elsewhere. Same behaviour; no fault
 * injection (the fault tests keep the proxy in their process, where they drive it).
 *
 * Run as a script, it starts the proxy in front of the node URL it is given and prints
 * "listening PORT" on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BesuProxy } from './besuProxy';

export class BesuProxyProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(upstream: string): Promise<BesuProxyProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), upstream], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (chunk: string) => {
        out += chunk;
        const m = /listening (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`the Besu proxy process exited (${code}) before it listened`)));
      child.once('error', reject);
    });
    return new BesuProxyProcess(child, `http://127.0.0.1:${port}`);
  }

  /** CPU seconds the proxy's process has used (user + system, from /proc). */
  cpuSeconds(): number | null {
    if (!this.child.pid || this.child.exitCode !== null) return null;
    // Fields 14 and 15 of /proc/PID/stat (after the parenthesised command name), in clock ticks (100 a second).
    const fields = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const upstream = process.argv[2];
  if (!upstream) throw new Error('usage: besuProxyProcess.ts NODE_URL');
  const proxy = await BesuProxy.start(upstream);
  process.once('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
  process.stdout.write(`listening ${proxy.port}\n`);
}
