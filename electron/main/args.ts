/**
 * The desktop app's own command-line options. Chromium and Electron add switches of their own
 * to argv, so unknown arguments are ignored rather than rejected.
 */
import { resolve } from 'node:path';

export interface DesktopArgs {
  /** --data-dir <dir> or --data-dir=<dir>, resolved to an absolute path. */
  dataDir: string | null;
  /** --demo: seed a demo ward on first start. */
  demo: boolean;
}

/**
 * Read the options WardLedger understands from an argv list. The whole of process.argv may be
 * passed: the executable and script entries never look like our options.
 * @param argv the raw argument list
 * @param cwd directory relative data-dir paths are resolved against
 */
export function parseDesktopArgs(argv: readonly string[], cwd: string = process.cwd()): DesktopArgs {
  let dataDir: string | null = null;
  let demo = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--demo') demo = true;
    else if (arg === '--data-dir' && i + 1 < argv.length && !argv[i + 1].startsWith('--')) dataDir = argv[++i];
    else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
  }
  return { dataDir: dataDir ? resolve(cwd, dataDir) : null, demo };
}
