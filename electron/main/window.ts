/**
 * The ward workstation's main window: secure webPreferences, shown once the page has painted,
 * loading our renderer entry URL.
 */
import { BrowserWindow } from 'electron';
import { log } from '../core/platform/log';
import type { AppUrlPolicy } from './appUrl';
import { secureWebPreferences } from './security';

export interface MainWindowOptions {
  preloadPath: string;
  policy: AppUrlPolicy;
  /** Developer tools (unpackaged development runs only). */
  devTools: boolean;
}

/**
 * Create the main window and start loading the app. The returned window is not yet trusted for
 * IPC: the caller passes its webContents to the IPC bridge.
 */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'WardLedger',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(options.preloadPath, { devTools: options.devTools }),
  });
  window.once('ready-to-show', () => window.show());
  window.loadURL(options.policy.entryUrl).catch((error: unknown) => {
    // A missing build or a refused navigation: logged, the (empty) window stays so the user sees something.
    log('error', 'window.load_failed', { reason: error instanceof Error ? error.message : 'unknown' });
  });
  return window;
}
