#!/usr/bin/env node
// Entry point of the `wardledger` command: runs the built command line (out/main/cli.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main');
const cli = join(out, 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('wardledger: the app is not built yet. Run `npm run build` (or `npm start`) first.\n');
  process.exit(1);
}
// `serve` starts a ward: its chain's thread loads ganache while the command line's modules load.
if (process.argv[2] === 'serve') await import(pathToFileURL(join(out, 'prestartChain.js')).href);
await import(pathToFileURL(cli).href);
