/** `wardledger serve`: the ward in browser mode on 127.0.0.1, printing the URL to open. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WardError } from '../core/model/errors';
import { createCore, demoBanner, type WardCore } from '../core/core';
import { startLoopbackServer, type LoopbackServer } from '../server/loopbackServer';
import { defaultDataDir } from './dataDir';
import { fail, parse, printProgress } from './io';
import { announceRunningWard } from './runningWard';
import { logToFile } from '../core/platform/log';

export const serveUsage = `  wardledger serve [--data-dir DIR] [--port N] [--demo] [--verbose]
      Start WardLedger in browser mode on 127.0.0.1 and print the URL to open.
      Technical logs (JSON lines) go to DIR/logs/wardledger.log.
      --verbose        print the technical logs on stderr instead (so does WARDLEDGER_LOG=LEVEL)
      --data-dir DIR   the ward's data directory (default: ${defaultDataDir()})
      --port N         port to listen on (default: any free port)
      --demo           on an empty data directory, seed a demo ward (accounts are printed)
                       and allow plugging simulated devices in from the devices panel
      --simulate LIST  plug simulated USB devices in at start, comma separated: oximeter,
                       glucometer, bp, or driver simulators (freestyle-neo, freestyle-libre,
                       contour, cms50e, po80, omron, bm58, microlife, libre2)`;

/** Printed once the ward answers calls (scripts and tests wait for it; the URL comes before it). */
export const READY_LINE = 'WardLedger is ready.';

export async function serve(args: string[]): Promise<void> {
  const { values } = parse(
    args,
    { 'data-dir': { type: 'string' }, port: { type: 'string' }, demo: { type: 'boolean' }, simulate: { type: 'string' }, verbose: { type: 'boolean' } },
    serveUsage,
  );
  const simulate = values.simulate ? values.simulate.split(',').map((s) => s.trim()).filter(Boolean) : [];
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be a whole number between 0 and 65535.', 2);

  // People read this terminal: technical logs go to a file, unless asked for here.
  if (!values.verbose && !process.env.WARDLEDGER_LOG) logToFile(join(dataDir, 'logs', 'wardledger.log'));
  const scryptN = process.env.WARDLEDGER_SCRYPT_N ? Number(process.env.WARDLEDGER_SCRYPT_N) : undefined;
  if (values.demo) process.stdout.write('Preparing the demo ward (first start takes a little while)…\n');
  // The listener is up while the core starts, and calls answer STARTING until it is ready. The
  // address is printed when the ward is ready, or as soon as a long step begins (an upgrade of the
  // record store, its check: minutes on a large ward), so the page can show its progress; a start
  // refused on a locked or damaged data directory prints its one line of refusal, no address.
  let core: WardCore;
  try {
    core = createCore({ dataDir, keystoreScryptN: scryptN, demo: values.demo ?? false, simulate });
  } catch (e) {
    if (e instanceof WardError) fail(e.message, 1);
    throw e;
  }
  const rendererDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
  let server: LoopbackServer | null = null;
  let announced = false;
  const print = printProgress();
  const announce = (state: 'starting' | 'running') => {
    if (announced || !server) return;
    announced = true;
    process.stdout.write(`WardLedger is ${state} in browser mode (data: ${dataDir}).\nOpen this URL in a browser on this computer:\n${server.launchUrl}\n`);
  };
  let longStep = false;
  const started = core.start((p) => {
    if (p.step === 'opening') return; // seconds: the address comes at ready
    longStep = true;
    announce('starting');
    print(p);
  });
  started.catch(() => undefined); // handled below, after the listener
  try {
    server = await startLoopbackServer({ core, rendererDir, port });
  } catch (e) {
    await started.catch(() => undefined);
    await core.stop();
    fail(`cannot listen on 127.0.0.1:${port}: ${(e as Error).message}`, 1);
  }
  if (longStep) announce('starting');
  try {
    await started;
  } catch (e) {
    await server.close();
    if (e instanceof WardError) fail(e.message, e.code === 'DATA_DIR_LOCKED' ? 2 : 1);
    throw e;
  }
  announce('running');
  if (values.demo) process.stdout.write(demoBanner() + '\n');
  const unannounce = announceRunningWard(dataDir, new URL(server.launchUrl).origin, server.secret);
  process.stdout.write(`${READY_LINE}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    unannounce();
    await server!.close();
    await core.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
