/**
 * The desktop app's lifecycle: one instance per data directory, security installed before any
 * window exists, the window opened once the core holds the data directory (while it starts, calls
 * answer STARTING and the page shows the start's progress; a core that cannot start, e.g. because
 * another WardLedger holds the data directory, is reported in a dialog and the app quits), and
 * the core stopped gracefully (after its start settled) before the process exits.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { asWardError } from '../core/model/errors';
import { log } from '../core/platform/log';
import type { CoreConfig, WardCore } from '../core/shellContract';
import { createAppUrlPolicy } from './appUrl';
import { parseDesktopArgs } from './args';
import { createIpcBridge } from './ipc';
import type { IpcBridge } from './ipc';
import { installSessionSecurity, installWebContentsGuard } from './security';
import { createMainWindow } from './window';

/** How long quitting waits for the core to stop before giving up on it. */
export const coreStopTimeoutMs = 10_000;

export interface DesktopAppOptions {
  /** Builds the core (electron/core/core.ts in the real app). */
  createCore: (config: CoreConfig) => WardCore;
  /** Directory of the built main process (out/main); the renderer and preload sit beside it. */
  mainDir: string;
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export interface DesktopApp {
  /** Resolves once the core has started and its window is open, or the app is quitting (second instance, start failure). */
  readonly ready: Promise<void>;
}

/**
 * Start the desktop app. Call once, from the main entry, before the app is ready.
 * @param options core factory, build location, and argv/env (defaulting to the process's)
 */
export function runDesktopApp(options: DesktopAppOptions): DesktopApp {
  const argv = options.argv ?? process.argv;
  const env = options.env ?? process.env;
  const args = parseDesktopArgs(argv);
  const rendererDir = resolve(options.mainDir, '../renderer');
  const preloadPath = resolve(options.mainDir, '../preload/index.cjs');
  const devServerUrl = !app.isPackaged ? env.ELECTRON_RENDERER_URL ?? null : null;
  const policy = createAppUrlPolicy({ rendererDir, devServerUrl });

  // Electron's single-instance lock lives in userData; scoping userData to the data directory
  // makes "one instance per data directory" rather than one per machine.
  if (args.dataDir) app.setPath('userData', join(args.dataDir, 'desktop-shell'));
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { ready: Promise.resolve() };
  }

  app.enableSandbox();
  installWebContentsGuard(app, policy);

  let mainWindow: BrowserWindow | null = null;
  let core: WardCore | null = null;
  let bridge: IpcBridge | null = null;
  let stopped = false;

  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('window-all-closed', () => app.quit());

  app.on('will-quit', (event) => {
    if (stopped || !core) return;
    // Hold the quit until the core has flushed and closed its stores and chain.
    event.preventDefault();
    const stopping = core;
    core = null;
    bridge?.dispose();
    void stopWithin(stopping, starting, coreStopTimeoutMs).finally(() => {
      stopped = true;
      app.quit();
    });
  });

  /** While the core starts: settles when its start has (quitting waits for it: a core is not stopped halfway through its start). */
  let starting: Promise<unknown> | null = null;

  /** The window, on a core that may still be starting: its calls answer STARTING, and the page shows what the core is doing. */
  const openWindow = (started: WardCore) => {
    if (mainWindow || stopped || core !== started) return; // not after a quit began
    bridge = createIpcBridge({ ipcMain, core: started, policy });
    mainWindow = createMainWindow({ preloadPath, policy, devTools: !app.isPackaged });
    bridge.trust(mainWindow.webContents);
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  };

  const ready = app.whenReady().then(async () => {
    installSessionSecurity(session.defaultSession);
    const dataDir = args.dataDir ?? app.getPath('userData');
    let started: WardCore | null = null;
    try {
      started = options.createCore({ dataDir, demo: args.demo });
      core = started;
      // The window opens at the core's first report (the data directory is ours), so a long
      // start — an upgrade of the record store — shows its progress instead of nothing.
      const opening = started.start(() => openWindow(started!));
      starting = opening.catch(() => undefined);
      await opening;
      starting = null;
    } catch (error) {
      // e.g. DATA_DIR_LOCKED when another WardLedger uses this data directory: say so and leave.
      const wardError = asWardError(error);
      log('error', 'desktop.core_start_failed', { code: wardError.code });
      dialog.showErrorBox('WardLedger cannot start', wardError.message);
      stopped = true;
      core = null;
      bridge?.dispose();
      bridge = null;
      app.quit();
      return;
    }
    openWindow(started);
  });
  return { ready };
}

async function stopWithin(core: WardCore, starting: Promise<unknown> | null, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolveTimeout) => {
    timer = setTimeout(() => {
      log('warn', 'desktop.core_stop_timeout', { timeoutMs });
      resolveTimeout();
    }, timeoutMs);
  });
  try {
    await Promise.race([
      (starting ? starting.then(() => core.stop()) : core.stop()).catch((error: unknown) => log('error', 'desktop.core_stop_failed', { code: asWardError(error).code })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Directory of a module given its import.meta.url (the entry passes its own). */
export function moduleDir(importMetaUrl: string): string {
  return dirname(fileURLToPath(importMetaUrl));
}
