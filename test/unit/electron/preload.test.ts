import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WardBridge } from '../../../electron/core/api/contract';
import type { WardEvent } from '../../../electron/core/model/events';
import { eventChannel, invokeChannel } from '../../../electron/common/ipcChannels';
import { createIpcBridge } from '../../../electron/main/ipc';
import { createAppUrlPolicy } from '../../../electron/main/appUrl';
import { checkReply, createWardBridge } from '../../../electron/preload/bridge';
import { FakeCore } from './fakeCore';
import { FakeIpcMain, FakeIpcRenderer, FakeWebContents, fake, resetFakeElectron } from './fakeElectron';

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule);

describe('preload entry', () => {
  // The preload runs once per page, binding the ipcRenderer it finds at load time.
  beforeAll(async () => {
    resetFakeElectron();
    await import('../../../electron/preload/index');
  });

  it('exposes window.wardledger with exactly invoke and onEvent, and nothing of Electron', () => {
    expect([...fake.exposed.keys()]).toEqual(['wardledger']);
    const api = fake.exposed.get('wardledger') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'onEvent']);
    expect(typeof api.invoke).toBe('function');
    expect(typeof api.onEvent).toBe('function');
    expect(Object.values(api)).not.toContain(fake.ipcRenderer);
  });

  it('the exposed invoke goes over the preload’s ipcRenderer', async () => {
    fake.ipcRenderer.invokeImpl = async () => ({ ok: true, result: 7 });
    const api = fake.exposed.get('wardledger') as WardBridge;
    expect(await api.invoke('ward/status', {}, null)).toEqual({ ok: true, result: 7 });
    expect(fake.ipcRenderer.invocations).toEqual([{ channel: 'wardledger:invoke', args: ['ward/status', {}, null] }]);
  });
});

describe('bridge', () => {
  let ipc: FakeIpcRenderer;
  let bridge: WardBridge;
  beforeEach(() => {
    ipc = new FakeIpcRenderer();
    bridge = createWardBridge(ipc as never);
  });

  it('uses the same channels as the main process', async () => {
    // What the preload sends is what main handles, and what main sends is what the preload hears.
    const ipcMain = new FakeIpcMain();
    const core = new FakeCore();
    const main = createIpcBridge({ ipcMain: ipcMain as never, core, policy: createAppUrlPolicy({ rendererDir: '/opt/wardledger/out/renderer' }) });
    await bridge.invoke('ward/status', {}, null);
    expect([...ipcMain.handlers.keys()]).toEqual([ipc.invocations[0]!.channel]);
    const contents = new FakeWebContents('file:///opt/wardledger/out/renderer/index.html');
    main.trust(contents as never);
    const heard: WardEvent[] = [];
    bridge.onEvent((e) => heard.push(e));
    core.publish(`electron:${contents.id}`, { type: 'devices.changed' });
    const sent = contents.sent[0]!;
    ipc.emit(sent.channel, {}, sent.payload);
    expect(heard).toEqual([{ type: 'devices.changed' }]);
    expect([invokeChannel, eventChannel]).toEqual(['wardledger:invoke', 'wardledger:event']);
  });

  it('sends operation, input and session token on the invoke channel', async () => {
    ipc.invokeImpl = async () => ({ ok: true, result: { token: 't' } });
    const reply = await bridge.invoke('session/login', { name: 'A', password: 'p' }, 'tok');
    expect(ipc.invocations).toEqual([{ channel: 'wardledger:invoke', args: ['session/login', { name: 'A', password: 'p' }, 'tok'] }]);
    expect(reply).toEqual({ ok: true, result: { token: 't' } });
  });

  it('passes well-formed error replies through, keeping only known fields', async () => {
    ipc.invokeImpl = async () => ({
      ok: false,
      error: { code: 'BAD_INPUT', message: 'Age must be between 0 and 130.', details: { age: 'x' }, stack: 'leak' },
      extra: 1,
    });
    expect(await bridge.invoke('identity/register', {}, null)).toEqual({
      ok: false,
      error: { code: 'BAD_INPUT', message: 'Age must be between 0 and 130.', details: { age: 'x' } },
    });
  });

  it('turns a failed IPC call into an INTERNAL error', async () => {
    ipc.invokeImpl = async () => {
      throw new Error("Error invoking remote method 'wardledger:invoke'");
    };
    const reply = await bridge.invoke('ward/status', {}, null);
    expect(reply.ok).toBe(false);
    expect(!reply.ok && reply.error.code).toBe('INTERNAL');
  });

  it('delivers events without the IPC event object, and stops after unsubscribe', () => {
    const seen: unknown[][] = [];
    const unsubscribe = bridge.onEvent((...args) => seen.push(args));
    const locked: WardEvent = { type: 'session.locked', reason: 'inactivity' };
    ipc.emit(eventChannel, { sender: ipc, senderId: 0 }, locked);
    expect(seen).toEqual([[locked]]);
    unsubscribe();
    ipc.emit(eventChannel, { sender: ipc }, locked);
    expect(seen).toHaveLength(1);
    expect(ipc.listenerCount(eventChannel)).toBe(0);
  });

  it('drops event payloads that are not events', () => {
    const seen: unknown[] = [];
    bridge.onEvent((event) => seen.push(event));
    for (const payload of [null, 'x', 3, [], {}, { type: 5 }]) ipc.emit(eventChannel, {}, payload);
    expect(seen).toEqual([]);
  });
});

describe('reply validation', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'ok'],
    ['an array', [true, 1]],
    ['ok true without result', { ok: true }],
    ['ok as a string', { ok: 'true', result: 1 }],
    ['ok false without error', { ok: false }],
    ['error as a string', { ok: false, error: 'nope' }],
    ['error without code', { ok: false, error: { message: 'm' } }],
    ['error with numeric code', { ok: false, error: { code: 1, message: 'm' } }],
    ['error without message', { ok: false, error: { code: 'X' } }],
  ])('rejects %s as INTERNAL', (_label, reply) => {
    const checked = checkReply(reply);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.error.code).toBe('INTERNAL');
    expect(!checked.ok && checked.error.message).toMatch(/malformed/);
  });

  it('accepts a result of any value, including undefined-free falsy ones', () => {
    expect(checkReply({ ok: true, result: 0 })).toEqual({ ok: true, result: 0 });
    expect(checkReply({ ok: true, result: null })).toEqual({ ok: true, result: null });
  });

  it('drops details that are not an object', () => {
    expect(checkReply({ ok: false, error: { code: 'X', message: 'm', details: 'text' } })).toEqual({
      ok: false,
      error: { code: 'X', message: 'm' },
    });
  });
});
