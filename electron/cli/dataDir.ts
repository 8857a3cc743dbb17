/**
 * Where WardLedger keeps its data when no --data-dir is given: the same folder Electron's
 * app.getPath('userData') uses for this app, so the desktop app and browser mode share one ward.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const appFolderName = 'wardledger';

export function defaultDataDir(): string {
  if (process.env.WARDLEDGER_DATA_DIR) return process.env.WARDLEDGER_DATA_DIR;
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), appFolderName);
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', appFolderName);
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), appFolderName);
}
