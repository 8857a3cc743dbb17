import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import type { CoreConfig, StartupProgress } from '../../../electron/core/shellContract';
import { contentSecurityPolicy } from '../../../electron/main/security';
import { FakeBrowserWindow, FakeEvent, fake, resetFakeElectron } from './fakeElectron';
import { FakeCore } from './fakeCore';

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule);

const { coreStopTimeoutMs, runDesktopApp } = await import('../../../electron/main/desktopApp');

const mainDir = resolve('/opt/wardledger/out/main');
const rendererIndex = pathToFileURL(resolve('/opt/wardledger/out/renderer/index.html')).href;

let cores: FakeCore[];
function createCore(config: CoreConfig): FakeCore {
  const core = new FakeCore(config);
  cores.push(core);
  return core;
}

async function launch(argv: string[] = [], prepare: (core: FakeCore) => void = () => {}) {
  const app = runDesktopApp({
    createCore: (config) => {
      const core = createCore(config);
      prepare(core);
      return core;
    },
    mainDir,
    argv,
    env: {},
  });
  await app.ready;
  return { window: FakeBrowserWindow.instances[0] };
}

beforeEach(() => {
  resetFakeElectron();
  cores = [];
});

describe('desktop app start', () => {
  it('starts the core in userData, then opens one secure window on the built renderer', async () => {
    const { window } = await launch();
    expect(cores).toHaveLength(1);
    expect(cores[0].config).toEqual({ dataDir: '/fake/userData', demo: false });
    expect(cores[0].started).toBe(true);
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(window.loadedUrl).toBe(rendererIndex);
    expect(window.options.webPreferences).toMatchObject({
      preload: resolve('/opt/wardledger/out/preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      devTools: false,
    });
    expect(fake.app.sandboxEnabled).toBe(true);
    window.emit('ready-to-show');
    expect(window.shown).toBe(true);
  });

  it('honours --data-dir and --demo, scoping the single-instance lock to that directory', async () => {
    await launch(['--data-dir', '/srv/ward-a', '--demo']);
    expect(cores[0].config).toEqual({ dataDir: resolve('/srv/ward-a'), demo: true });
    expect(fake.app.getPath('userData')).toBe(join(resolve('/srv/ward-a'), 'desktop-shell'));
  });

  it('installs CSP and permission denial on the default session before the window exists', async () => {
    await launch();
    const callback = vi.fn();
    fake.session.headersListener!({ responseHeaders: {} }, callback);
    expect(callback).toHaveBeenCalledWith({ responseHeaders: { 'Content-Security-Policy': [contentSecurityPolicy] } });
    const granted = vi.fn();
    fake.session.permissionRequestHandler!({}, 'hid', granted, {});
    expect(granted).toHaveBeenCalledWith(false);
    expect(fake.session.devicePermissionHandler!({ deviceType: 'hid' })).toBe(false);
  });

  it('guards the window’s contents: no window.open, no navigation away', async () => {
    const { window } = await launch();
    expect(window.webContents.windowOpenHandler!({ url: 'https://example.org' })).toEqual({ action: 'deny' });
    const navigate = new FakeEvent();
    window.webContents.emit('will-navigate', navigate, 'https://example.org/');
    expect(navigate.defaultPrevented).toBe(true);
  });

  it('serves IPC from the window and forwards its events', async () => {
    const { window } = await launch();
    const contents = window.webContents;
    const reply = await fake.ipcMain.invoke('wardledger:invoke', contents, contents.mainFrame, 'ward/status', {}, null);
    expect(reply).toEqual({ ok: true, result: { echo: 'ward/status', input: {} } });
    expect(cores[0].calls[0].ctx).toEqual({ sessionToken: null, channel: `electron:${contents.id}` });
    cores[0].publish(`electron:${contents.id}`, { type: 'session.locked', reason: 'manual' });
    expect(contents.sent).toEqual([{ channel: 'wardledger:event', payload: { type: 'session.locked', reason: 'manual' } }]);
  });

  it('uses the dev server only when unpackaged', async () => {
    fake.app.isPackaged = false;
    runDesktopApp({ createCore, mainDir, argv: [], env: { ELECTRON_RENDERER_URL: 'http://localhost:5173/' } });
    await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1));
    expect(FakeBrowserWindow.instances[0].loadedUrl).toBe('http://localhost:5173/');
    expect(FakeBrowserWindow.instances[0].options.webPreferences?.devTools).toBe(true);

    resetFakeElectron();
    runDesktopApp({ createCore, mainDir, argv: [], env: { ELECTRON_RENDERER_URL: 'http://localhost:5173/' } });
    await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1));
    expect(FakeBrowserWindow.instances[0].loadedUrl).toBe(rendererIndex);
  });
});

describe('single instance', () => {
  it('a second instance quits without starting a core', async () => {
    fake.app.singleInstanceLock = false;
    await launch();
    expect(fake.app.quitCalls).toBe(1);
    expect(cores).toEqual([]);
    expect(FakeBrowserWindow.instances).toEqual([]);
  });

  it('the first instance restores and focuses its window when a second starts', async () => {
    const { window } = await launch();
    window.minimized = true;
    fake.app.emit('second-instance', new FakeEvent(), ['electron', '.'], '/');
    expect(window.minimized).toBe(false);
    expect(window.focused).toBe(true);
  });
});

describe('a long start (an upgrade of the record store)', () => {
  /** The app on a core whose start reports `progress`, then waits for `finishStart`. */
  function launchHeld(progress: StartupProgress) {
    const held = { finishStart: () => {} };
    const app = runDesktopApp({
      createCore: (config) => {
        const core = createCore(config);
        core.startImpl = async (onProgress) => {
          onProgress(progress);
          await new Promise<void>((done) => (held.finishStart = done));
        };
        return core;
      },
      mainDir,
      argv: [],
      env: {},
    });
    return { app, finishStart: () => held.finishStart() };
  }

  it('opens the window at the core\'s first report, before the start ends, and serves its calls', async () => {
    const { app, finishStart } = launchHeld({ label: 'Upgrading the record store: 1,000 records copied, 1 of 10 MB of the old log', fraction: 0.08, step: 'upgrading' });
    let readySettled = false;
    void app.ready.then(() => (readySettled = true));
    await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1));
    expect(FakeBrowserWindow.instances[0].loadedUrl).toBe(rendererIndex);
    expect(fake.ipcMain.handlers.size).toBe(1);
    expect(cores[0].started).toBe(false);
    expect(readySettled).toBe(false);
    finishStart();
    await app.ready;
    expect(cores[0].started).toBe(true);
    expect(FakeBrowserWindow.instances).toHaveLength(1); // the same window, not a second
  });

  it('a quit during the start waits for the start to end, then stops the core', async () => {
    const { app, finishStart } = launchHeld({ label: 'Opening the ward chain', fraction: null, step: 'opening' });
    await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1));
    const willQuit = new FakeEvent();
    fake.app.emit('will-quit', willQuit);
    expect(willQuit.defaultPrevented).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(cores[0].stopped).toBe(false); // not stopped halfway through its start
    finishStart();
    await app.ready;
    await vi.waitFor(() => expect(cores[0].stopped).toBe(true));
    await vi.waitFor(() => expect(fake.app.quitCalls).toBe(1));
  });
});

describe('start failure', () => {
  it('shows the core’s message and quits when the data directory is locked', async () => {
    const message = 'Another WardLedger is already using this data directory.';
    await launch([], (core) => {
      core.startError = new WardError('DATA_DIR_LOCKED', message);
    });
    expect(fake.errorBoxes).toEqual([{ title: 'WardLedger cannot start', content: message }]);
    expect(fake.app.quitCalls).toBe(1);
    expect(FakeBrowserWindow.instances).toEqual([]);
    expect(fake.ipcMain.handlers.size).toBe(0);
  });

  it('does not show a dependency’s raw error text', async () => {
    await launch([], (core) => {
      core.startError = new Error('ELOCKED /home/nurse/secret/path');
    });
    expect(fake.errorBoxes).toHaveLength(1);
    expect(fake.errorBoxes[0].content).not.toContain('/home/nurse');
    expect(fake.app.quitCalls).toBe(1);
  });
});

describe('quit', () => {
  it('holds the quit until the core has stopped, then quits', async () => {
    await launch();
    let finishStop!: () => void;
    cores[0].stopImpl = () => new Promise<void>((done) => (finishStop = done));
    const willQuit = new FakeEvent();
    fake.app.emit('will-quit', willQuit);
    expect(willQuit.defaultPrevented).toBe(true);
    expect(fake.app.quitCalls).toBe(0);
    expect(fake.ipcMain.handlers.size).toBe(0);
    finishStop();
    await vi.waitFor(() => expect(fake.app.quitCalls).toBe(1));
    expect(cores[0].stopped).toBe(true);

    // The quit that follows is let through.
    const secondWillQuit = new FakeEvent();
    fake.app.emit('will-quit', secondWillQuit);
    expect(secondWillQuit.defaultPrevented).toBe(false);
  });

  it('still quits when stopping the core fails', async () => {
    await launch();
    cores[0].stopImpl = async () => {
      throw new Error('disk gone');
    };
    fake.app.emit('will-quit', new FakeEvent());
    await vi.waitFor(() => expect(fake.app.quitCalls).toBe(1));
  });

  it('gives up waiting for a core that never stops, after the stop timeout', async () => {
    await launch();
    cores[0].stopImpl = () => new Promise<void>(() => {});
    vi.useFakeTimers();
    try {
      fake.app.emit('will-quit', new FakeEvent());
      await vi.advanceTimersByTimeAsync(coreStopTimeoutMs - 1);
      expect(fake.app.quitCalls).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(fake.app.quitCalls).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('quits when the last window closes', async () => {
    await launch();
    fake.app.emit('window-all-closed');
    expect(fake.app.quitCalls).toBe(1);
  });
});
