/**
 * The Electron security checklist, applied in one place: locked-down webPreferences, a strict
 * Content-Security-Policy on every response, every web permission and device chooser denied,
 * and every web contents barred from navigating away, opening windows or attaching webviews.
 *
 * USB medical devices are read in the main process through node-hid with known drivers only, so
 * the renderer never needs WebHID/WebUSB/Web Serial: those are denied outright.
 */
import type { App, Session, WebContents, WebPreferences } from 'electron';
import type { AppUrlPolicy } from './appUrl';

export { contentSecurityPolicy } from '../common/contentSecurityPolicy';
import { contentSecurityPolicy } from '../common/contentSecurityPolicy';

/**
 * webPreferences for every window WardLedger creates.
 * @param preloadPath absolute path of the built preload (out/preload/index.cjs)
 * @param options.devTools allow developer tools (only for an unpackaged development run)
 */
export function secureWebPreferences(preloadPath: string, options: { devTools?: boolean } = {}): WebPreferences {
  return {
    preload: preloadPath,
    devTools: options.devTools ?? false,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/**
 * Return response headers with our CSP in place of any the response carried (header names are
 * case-insensitive, so every spelling of Content-Security-Policy is dropped first).
 */
export function withContentSecurityPolicy(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-security-policy' || lower === 'content-security-policy-report-only') continue;
    out[name] = value;
  }
  out['Content-Security-Policy'] = [contentSecurityPolicy];
  return out;
}

/**
 * Harden a session: CSP on every response, all permission requests and checks denied, and the
 * HID/USB/serial device pickers cancelled.
 * @param session the session our windows use (session.defaultSession)
 */
export function installSessionSecurity(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
}

/**
 * Guard one web contents: it may navigate (or be redirected) only within our app, may not open
 * windows, may not attach webviews and may not pick Bluetooth devices.
 * @param contents any web contents the app creates
 * @param policy which URLs belong to the app
 */
export function guardWebContents(contents: WebContents, policy: AppUrlPolicy): void {
  const blockForeign = (event: { preventDefault(): void }, url: string): void => {
    if (!policy.isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', (event, url) => blockForeign(event, url));
  contents.on('will-redirect', (event, url) => blockForeign(event, url));
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('select-bluetooth-device', (event, _devices, callback) => {
    event.preventDefault();
    callback('');
  });
}

/**
 * Apply {@link guardWebContents} to every web contents the app ever creates (windows, devtools,
 * anything a future feature adds), so no contents escapes the rules.
 */
export function installWebContentsGuard(app: App, policy: AppUrlPolicy): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, policy));
}
