import type { IpcMain, WebContents } from 'electron';
import { beforeEach, describe, expect, it } from 'vitest';
import { operationNames } from '../../../electron/core/api/contract';
import type { WardEvent } from '../../../electron/core/model/events';
import { createAppUrlPolicy } from '../../../electron/main/appUrl';
import { eventChannel, invokeChannel } from '../../../electron/common/ipcChannels';
import { createIpcBridge } from '../../../electron/main/ipc';
import type { IpcBridge } from '../../../electron/main/ipc';
import { FakeFrame, FakeIpcMain, FakeWebContents } from './fakeElectron';
import { FakeCore } from './fakeCore';

const appPage = 'file:///opt/wardledger/out/renderer/index.html';
const policy = createAppUrlPolicy({ rendererDir: '/opt/wardledger/out/renderer' });
const locked: WardEvent = { type: 'session.locked', reason: 'inactivity' };

let ipcMain: FakeIpcMain;
let core: FakeCore;
let bridge: IpcBridge;
let window: FakeWebContents;

function trusted(url = appPage): FakeWebContents {
  const contents = new FakeWebContents(url);
  bridge.trust(contents as unknown as WebContents);
  return contents;
}

/** Invoke from the main frame of `contents` (the legitimate path). */
function invokeFrom(contents: FakeWebContents, ...args: unknown[]): Promise<unknown> {
  return ipcMain.invoke(invokeChannel, contents, contents.mainFrame, ...args);
}

beforeEach(() => {
  ipcMain = new FakeIpcMain();
  core = new FakeCore();
  bridge = createIpcBridge({ ipcMain: ipcMain as unknown as IpcMain, core, policy });
  window = trusted();
});

describe('IPC invoke channel', () => {
  it('registers exactly one handler, on wardledger:invoke', () => {
    expect([...ipcMain.handlers.keys()]).toEqual(['wardledger:invoke']);
  });

  it.each(operationNames)('routes %s to core.call with the session token and the window channel', async (operation) => {
    const input = { probe: operation };
    const reply = await invokeFrom(window, operation, input, 'token-123');
    expect(core.calls).toEqual([{ ctx: { sessionToken: 'token-123', channel: `electron:${window.id}` }, operation, input }]);
    expect(reply).toEqual({ ok: true, result: { echo: operation, input } });
  });

  it('passes a missing session token as null', async () => {
    await invokeFrom(window, 'ward/status', {});
    await invokeFrom(window, 'ward/status', {}, null);
    expect(core.calls.map((c) => c.ctx.sessionToken)).toEqual([null, null]);
  });

  it('returns the core’s error replies unchanged', async () => {
    core.callImpl = async () => ({ ok: false, error: { code: 'WRONG_PASSWORD', message: 'The password is not correct.' } });
    expect(await invokeFrom(window, 'session/login', { name: 'x', password: 'y' }, null)).toEqual({
      ok: false,
      error: { code: 'WRONG_PASSWORD', message: 'The password is not correct.' },
    });
  });

  it('turns a throwing core into an INTERNAL error', async () => {
    core.callImpl = async () => {
      throw new Error('boom with secret detail');
    };
    const reply = (await invokeFrom(window, 'ward/status', {}, null)) as { ok: false; error: { code: string; message: string } };
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe('INTERNAL');
    expect(reply.error.message).not.toContain('secret');
  });

  it('keeps each window on its own channel', async () => {
    const second = trusted();
    await invokeFrom(second, 'ward/status', {}, null);
    expect(core.calls[0].ctx.channel).toBe(`electron:${second.id}`);
    expect(second.id).not.toBe(window.id);
  });
});

describe('IPC sender validation', () => {
  async function expectRefused(reply: Promise<unknown>, code: string): Promise<void> {
    const result = (await reply) as { ok: boolean; error?: { code: string; message: string } };
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe(code);
    expect(result.error?.message).toMatch(/\S/);
    expect(core.calls).toEqual([]);
  }

  it('refuses web contents the app did not create', async () => {
    const stranger = new FakeWebContents(appPage);
    await expectRefused(invokeFrom(stranger, 'ward/status', {}, null), 'FORBIDDEN');
  });

  it('refuses a subframe of our window, even one showing our page', async () => {
    await expectRefused(ipcMain.invoke(invokeChannel, window, new FakeFrame(appPage), 'ward/status', {}, null), 'FORBIDDEN');
  });

  it('refuses a sender frame that is gone (navigated or destroyed)', async () => {
    await expectRefused(ipcMain.invoke(invokeChannel, window, null, 'ward/status', {}, null), 'FORBIDDEN');
  });

  it.each(['https://example.org/', 'file:///tmp/evil.html', 'data:text/html,x'])(
    'refuses our window when its page is %s',
    async (url) => {
      window.mainFrame.url = url;
      await expectRefused(invokeFrom(window, 'ward/status', {}, null), 'FORBIDDEN');
    },
  );

  it('refuses a window after it is destroyed', async () => {
    window.destroy();
    await expectRefused(invokeFrom(window, 'ward/status', {}, null), 'FORBIDDEN');
  });

  it.each([['admin/everything'], ['constructor'], ['__proto__'], [''], [42], [null], [{ op: 'ward/status' }]])(
    'refuses the unknown operation %j',
    async (operation) => {
      await expectRefused(invokeFrom(window, operation, {}, null), 'UNKNOWN_OPERATION');
    },
  );

  it('refuses a session token that is not text', async () => {
    await expectRefused(invokeFrom(window, 'session/me', {}, { token: 'x' }), 'BAD_INPUT');
  });
});

describe('IPC events', () => {
  it('forwards a window’s events to that window only', () => {
    const other = trusted();
    core.publish(`electron:${window.id}`, locked);
    expect(window.sent).toEqual([{ channel: eventChannel, payload: locked }]);
    expect(other.sent).toEqual([]);
    const progress: WardEvent = { type: 'progress', operation: 'sync', fraction: 0.5, label: 'Publishing' };
    core.publish(`electron:${other.id}`, progress);
    expect(other.sent).toEqual([{ channel: eventChannel, payload: progress }]);
    expect(window.sent).toHaveLength(1);
  });

  it('subscribes once per window even if trusted twice', () => {
    bridge.trust(window as unknown as WebContents);
    expect(core.listenerCount(`electron:${window.id}`)).toBe(1);
  });

  it('unsubscribes when the window’s contents is destroyed', () => {
    const channel = `electron:${window.id}`;
    expect(core.listenerCount(channel)).toBe(1);
    window.destroy();
    expect(core.listenerCount(channel)).toBe(0);
    expect(() => core.publish(channel, locked)).not.toThrow();
    expect(window.sent).toEqual([]);
  });

  it('dispose removes the handler and every subscription', async () => {
    bridge.dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(core.listenerCount(`electron:${window.id}`)).toBe(0);
    await expect(invokeFrom(window, 'ward/status', {}, null)).rejects.toThrow(/No handler/);
  });
});
