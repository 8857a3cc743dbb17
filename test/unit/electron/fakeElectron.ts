/**
 * A stand-in for the 'electron' module. The real Electron binary cannot run on this machine, so
 * the shell's Electron-facing code is exercised against these small fakes, which keep just enough
 * behaviour (events, handler registration, window/contents identity) to observe what the shell does.
 */
import { EventEmitter } from 'node:events';

/** An Electron-style event whose preventDefault is observable. */
export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeFrame {
  constructor(public url: string) {}
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly mainFrame: FakeFrame;
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  private destroyed = false;

  constructor(url = '') {
    super();
    this.mainFrame = new FakeFrame(url);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, payload: unknown): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  /** Simulate the contents going away (window closed, renderer gone). */
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

export class FakeSession extends EventEmitter {
  headersListener: ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void) | null = null;
  permissionRequestHandler: ((wc: unknown, permission: string, cb: (granted: boolean) => void, details: unknown) => void) | null = null;
  permissionCheckHandler: ((wc: unknown, permission: string, origin: string, details: unknown) => boolean) | null = null;
  devicePermissionHandler: ((details: unknown) => boolean) | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: FakeSession['headersListener']) => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: FakeSession['devicePermissionHandler']): void {
    this.devicePermissionHandler = handler;
  }
}

export class FakeApp extends EventEmitter {
  isPackaged = true;
  singleInstanceLock = true;
  sandboxEnabled = false;
  quitCalls = 0;
  exitCodes: number[] = [];
  readonly paths = new Map<string, string>([['userData', '/fake/userData']]);
  requestSingleInstanceLock(): boolean {
    return this.singleInstanceLock;
  }
  enableSandbox(): void {
    this.sandboxEnabled = true;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  getPath(name: string): string {
    const path = this.paths.get(name);
    if (!path) throw new Error(`no path ${name}`);
    return path;
  }
  setPath(name: string, path: string): void {
    this.paths.set(name, path);
  }
  quit(): void {
    this.quitCalls++;
  }
  exit(code: number): void {
    this.exitCodes.push(code);
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  shown = false;
  focused = false;
  minimized = false;

  constructor(readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
    // Electron announces every new web contents on the app, as the real one does.
    fake.app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  isDestroyed(): boolean {
    return this.webContents.isDestroyed();
  }
}

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, InvokeHandler>();
  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Deliver an invoke as Electron would: the event carries sender and senderFrame. */
  invoke(channel: string, sender: FakeWebContents, senderFrame: FakeFrame | null, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return Promise.resolve(handler({ sender, senderFrame }, ...args));
  }
}

export class FakeIpcRenderer extends EventEmitter {
  invokeImpl: (channel: string, ...args: unknown[]) => Promise<unknown> = () => Promise.resolve(undefined);
  readonly invocations: Array<{ channel: string; args: unknown[] }> = [];
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invocations.push({ channel, args });
    return this.invokeImpl(channel, ...args);
  }
}

/** Mutable state shared by the fake module and the tests; reset before each test. */
export const fake = {
  app: new FakeApp(),
  session: new FakeSession(),
  ipcMain: new FakeIpcMain(),
  ipcRenderer: new FakeIpcRenderer(),
  errorBoxes: [] as Array<{ title: string; content: string }>,
  exposed: new Map<string, unknown>(),
};

export function resetFakeElectron(): void {
  fake.app = new FakeApp();
  fake.session = new FakeSession();
  fake.ipcMain = new FakeIpcMain();
  fake.ipcRenderer = new FakeIpcRenderer();
  fake.errorBoxes = [];
  fake.exposed = new Map();
  FakeBrowserWindow.instances = [];
}

/**
 * The module object handed to vi.mock('electron', ...). Getters read the current fakes, so a
 * reset between tests takes effect even for modules that imported 'electron' once.
 */
export const electronModule = {
  get app() {
    return fake.app;
  },
  get ipcMain() {
    return fake.ipcMain;
  },
  get ipcRenderer() {
    return fake.ipcRenderer;
  },
  get session() {
    return { defaultSession: fake.session };
  },
  BrowserWindow: FakeBrowserWindow,
  dialog: {
    showErrorBox(title: string, content: string): void {
      fake.errorBoxes.push({ title, content });
    },
  },
  contextBridge: {
    exposeInMainWorld(key: string, api: unknown): void {
      fake.exposed.set(key, api);
    },
  },
};
