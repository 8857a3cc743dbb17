import type { App, Session, WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { createAppUrlPolicy } from '../../../electron/main/appUrl';
import {
  contentSecurityPolicy,
  guardWebContents,
  installSessionSecurity,
  installWebContentsGuard,
  secureWebPreferences,
  withContentSecurityPolicy,
} from '../../../electron/main/security';
import { FakeApp, FakeEvent, FakeSession, FakeWebContents } from './fakeElectron';

const policy = createAppUrlPolicy({ rendererDir: '/opt/wardledger/out/renderer' });
const appPage = 'file:///opt/wardledger/out/renderer/index.html';

describe('window webPreferences', () => {
  it('isolate, sandbox and deny Node to the renderer', () => {
    const prefs = secureWebPreferences('/opt/wardledger/out/preload/index.cjs');
    expect(prefs).toMatchObject({
      preload: '/opt/wardledger/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });

  it('allows devtools only when asked (unpackaged runs)', () => {
    expect(secureWebPreferences('/p.cjs', { devTools: true }).devTools).toBe(true);
  });
});

describe('content security policy', () => {
  it('is the strict policy, with no unsafe sources', () => {
    expect(contentSecurityPolicy).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
    expect(contentSecurityPolicy).not.toMatch(/unsafe|\*/);
  });

  it('replaces any policy a response carried, whatever the header spelling', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ["script-src * 'unsafe-eval'"],
      'Content-Security-Policy-Report-Only': ['default-src *'],
      'Content-Type': ['text/html'],
    });
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [contentSecurityPolicy] });
  });

  it('is set on every response of the session', () => {
    const session = new FakeSession();
    installSessionSecurity(session as unknown as Session);
    const callback = vi.fn();
    session.headersListener!({ responseHeaders: { 'X-Other': ['1'] } }, callback);
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [contentSecurityPolicy] },
    });
    session.headersListener!({}, callback);
    expect(callback).toHaveBeenLastCalledWith({ responseHeaders: { 'Content-Security-Policy': [contentSecurityPolicy] } });
  });
});

describe('permissions and device pickers', () => {
  const session = new FakeSession();
  installSessionSecurity(session as unknown as Session);

  it.each(['media', 'geolocation', 'notifications', 'hid', 'usb', 'serial', 'clipboard-read', 'openExternal'])(
    'denies the %s permission request and check',
    (permission) => {
      const granted = vi.fn();
      session.permissionRequestHandler!({}, permission, granted, {});
      expect(granted).toHaveBeenCalledWith(false);
      expect(session.permissionCheckHandler!({}, permission, 'file://', {})).toBe(false);
    },
  );

  it('denies device permission for WebHID, WebUSB and Web Serial', () => {
    for (const deviceType of ['hid', 'usb', 'serial']) {
      expect(session.devicePermissionHandler!({ deviceType, origin: 'file://', device: { vendorId: 0x1a79 } })).toBe(false);
    }
  });

  it('cancels the HID, USB and serial choosers without choosing a device', () => {
    const hid = new FakeEvent();
    const hidChoice = vi.fn();
    session.emit('select-hid-device', hid, { deviceList: [{ deviceId: '1' }] }, hidChoice);
    expect(hid.defaultPrevented).toBe(true);
    expect(hidChoice).toHaveBeenCalledWith();

    const usb = new FakeEvent();
    const usbChoice = vi.fn();
    session.emit('select-usb-device', usb, { deviceList: [{ deviceId: '2' }] }, usbChoice);
    expect(usb.defaultPrevented).toBe(true);
    expect(usbChoice).toHaveBeenCalledWith();

    const serial = new FakeEvent();
    const portChoice = vi.fn();
    session.emit('select-serial-port', serial, [{ portId: '3' }], {}, portChoice);
    expect(serial.defaultPrevented).toBe(true);
    expect(portChoice).toHaveBeenCalledWith('');
  });
});

describe('navigation and new windows', () => {
  function guarded(): FakeWebContents {
    const contents = new FakeWebContents(appPage);
    guardWebContents(contents as unknown as WebContents, policy);
    return contents;
  }

  it.each(['https://example.org/', 'file:///etc/passwd', 'data:text/html,x', 'javascript:alert(1)'])(
    'prevents navigating or redirecting to %s',
    (url) => {
      const contents = guarded();
      const navigate = new FakeEvent();
      contents.emit('will-navigate', navigate, url);
      expect(navigate.defaultPrevented).toBe(true);
      const redirect = new FakeEvent();
      contents.emit('will-redirect', redirect, url);
      expect(redirect.defaultPrevented).toBe(true);
    },
  );

  it('lets the app navigate within itself', () => {
    const contents = guarded();
    const navigate = new FakeEvent();
    contents.emit('will-navigate', navigate, appPage + '#/login');
    expect(navigate.defaultPrevented).toBe(false);
  });

  it('denies window.open, webviews and Bluetooth device choice', () => {
    const contents = guarded();
    expect(contents.windowOpenHandler!({ url: appPage })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    const webview = new FakeEvent();
    contents.emit('will-attach-webview', webview, {}, {});
    expect(webview.defaultPrevented).toBe(true);
    const bluetooth = new FakeEvent();
    const choose = vi.fn();
    contents.emit('select-bluetooth-device', bluetooth, [{ deviceId: 'x' }], choose);
    expect(bluetooth.defaultPrevented).toBe(true);
    expect(choose).toHaveBeenCalledWith('');
  });

  it('guards every web contents the app creates', () => {
    const app = new FakeApp();
    installWebContentsGuard(app as unknown as App, policy);
    const later = new FakeWebContents('https://example.org/');
    app.emit('web-contents-created', new FakeEvent(), later);
    expect(later.windowOpenHandler!({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    const navigate = new FakeEvent();
    later.emit('will-navigate', navigate, 'https://example.org/next');
    expect(navigate.defaultPrevented).toBe(true);
  });
});
