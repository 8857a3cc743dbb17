/**
 * Everything in a data directory is readable by its owner only: directories 0700, files 0600.
 *
 * New files: while a core runs, the process umask masks group and other bits (077). A umask is the
 * one setting every writer honours — our own writes and those of the ward chain's LevelDB, which
 * creates table and log files for as long as the chain runs, from its own threads — so no file is
 * ever created readable by others, even for a moment. The umask is process-wide: it is set when
 * the first core starts and restored when the last one stops.
 *
 * Existing files: a data directory written by an earlier version (0755 directories, 0644 chain
 * files) is tightened once, at start, when its root is not yet 0700.
 */
import { chmodSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './log';

const OWNER_ONLY_UMASK = 0o077;
let holders = 0;
let savedUmask: number | null = null;

/** Mask group/other bits of every file created from now on; returns the release. */
export function useOwnerOnlyUmask(): () => void {
  if (holders++ === 0) {
    try {
      savedUmask = process.umask(OWNER_ONLY_UMASK);
    } catch {
      // Worker threads may not change the umask; the start-time tightening still applies.
      savedUmask = null;
      log('warn', 'umask.unavailable');
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0 && savedUmask !== null) {
      process.umask(savedUmask);
      savedUmask = null;
    }
  };
}

/** Make a data directory and everything in it owner-only, if it is not already. */
export function tightenDataDir(dataDir: string): void {
  if ((statSync(dataDir).mode & 0o777) === 0o700) return;
  let changed = 0;
  const walk = (path: string): void => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) walk(join(path, name));
      if ((st.mode & 0o777) !== 0o700) {
        chmodSync(path, 0o700);
        changed++;
      }
    } else if (st.mode & 0o177) {
      chmodSync(path, st.mode & 0o600);
      changed++;
    }
  };
  walk(dataDir);
  log('info', 'datadir.tightened', { changed });
}
