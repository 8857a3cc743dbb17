#!/usr/bin/env node
// Entry point of the `wardledger` command: runs the built command line (out/main/cli.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('wardledger: the app is not built yet. Run `npm run build` (or `npm start`) first.\n');
  process.exit(1);
}
await import(pathToFileURL(cli).href);
