/**
 * `wardledger` — the command line for IT staff and insurers.
 *   wardledger serve [--data-dir DIR] [--port N]   run the ward in browser mode (prints the URL)
 * Exit codes: 0 ok, 1 failure, 2 usage or refused start (e.g. data directory in use).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WardError } from '../core/common/errors';
import { createCore } from '../core/core';
import { startLoopbackServer } from '../server/loopbackServer';
import { defaultDataDir } from './dataDir';

const usage = `Usage:
  wardledger serve [--data-dir DIR] [--port N]
      Start WardLedger in browser mode on 127.0.0.1 and print the URL to open.
      --data-dir DIR   the ward's data directory (default: ${defaultDataDir()})
      --port N         port to listen on (default: any free port)
  wardledger help
`;

function fail(message: string, code = 1): never {
  process.stderr.write(`wardledger: ${message}\n`);
  process.exit(code);
}

async function serve(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { 'data-dir': { type: 'string' }, port: { type: 'string' } },
      strict: true,
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n\n${usage}`, 2);
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be a whole number between 0 and 65535.', 2);

  const scryptN = process.env.WARDLEDGER_SCRYPT_N ? Number(process.env.WARDLEDGER_SCRYPT_N) : undefined;
  const core = createCore({ dataDir, keystoreScryptN: scryptN });
  try {
    await core.start();
  } catch (e) {
    if (e instanceof WardError) fail(e.message, e.code === 'DATA_DIR_LOCKED' ? 2 : 1);
    throw e;
  }
  const rendererDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
  let server;
  try {
    server = await startLoopbackServer({ core, rendererDir, port });
  } catch (e) {
    await core.stop();
    fail(`cannot listen on 127.0.0.1:${port}: ${(e as Error).message}`, 1);
  }
  process.stdout.write(`WardLedger is running in browser mode (data: ${dataDir}).\nOpen this URL in a browser on this computer:\n${server.launchUrl}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await core.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return;
    default:
      fail(`unknown command "${command}".\n\n${usage}`, 2);
  }
}

main(process.argv.slice(2)).catch((e) => fail((e as Error).message ?? String(e)));
