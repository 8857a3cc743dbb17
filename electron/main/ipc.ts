/**
 * The one IPC channel between the renderer and the core, validated in main (as VS Code does):
 * a call is served only when it comes from the main frame of a window WardLedger created, whose
 * page is our app, and names an operation of the API table. The core then checks input, session
 * and role itself; this layer only decides whether the caller is our renderer at all.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { operationNames } from '../core/api/contract';
import type { WardEvent } from '../core/model/events';
import { WardError } from '../core/model/errors';
import type { WardErrorCode } from '../core/model/errors';
import type { CallResult, WardCore } from '../core/shellContract';
import { eventChannel, invokeChannel } from '../common/ipcChannels';
import type { AppUrlPolicy } from './appUrl';

const knownOperations: ReadonlySet<string> = new Set(operationNames);

/** The core's event channel for one web contents. */
export function channelFor(contents: Pick<WebContents, 'id'>): string {
  return `electron:${contents.id}`;
}

export interface IpcBridge {
  /** Let this window's contents call the core and receive its events, until it is destroyed. */
  trust(contents: WebContents): void;
  /** Remove the IPC handler and stop every event forwarding (app shutdown). */
  dispose(): void;
}

export interface IpcBridgeOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  core: Pick<WardCore, 'call' | 'subscribe'>;
  policy: AppUrlPolicy;
}

/**
 * Register the invoke handler and return the bridge that decides which windows may use it.
 * @param options the ipcMain to register on, the core to call, and the app URL policy
 */
export function createIpcBridge(options: IpcBridgeOptions): IpcBridge {
  const { ipcMain, core, policy } = options;
  /** webContents id → unsubscribe from its event channel. */
  const trusted = new Map<number, () => void>();

  ipcMain.handle(invokeChannel, (event, operation: unknown, input: unknown, sessionToken: unknown) =>
    handleInvoke(event, operation, input, sessionToken),
  );

  async function handleInvoke(event: IpcMainInvokeEvent, operation: unknown, input: unknown, sessionToken: unknown): Promise<CallResult> {
    const refusal = checkSender(event);
    if (refusal) return failure('FORBIDDEN', refusal);
    if (typeof operation !== 'string' || !knownOperations.has(operation)) {
      return failure('UNKNOWN_OPERATION', 'WardLedger does not know that operation.');
    }
    if (sessionToken !== null && sessionToken !== undefined && typeof sessionToken !== 'string') {
      return failure('BAD_INPUT', 'The session token must be text.');
    }
    try {
      return await core.call({ sessionToken: sessionToken ?? null, channel: channelFor(event.sender) }, operation, input);
    } catch {
      // core.call promises never to throw; if it does anyway, the window still gets a clean error.
      return failure('INTERNAL', 'Something went wrong inside WardLedger.');
    }
  }

  /** Why this sender may not call, or null when it may. */
  function checkSender(event: IpcMainInvokeEvent): string | null {
    const contents = event.sender;
    if (!contents || contents.isDestroyed() || !trusted.has(contents.id)) return 'This window may not call WardLedger.';
    const frame = event.senderFrame;
    if (!frame || frame !== contents.mainFrame) return 'Only the WardLedger page itself may call WardLedger.';
    if (!policy.isAppUrl(frame.url)) return 'Only the WardLedger page itself may call WardLedger.';
    return null;
  }

  return {
    trust(contents: WebContents): void {
      if (trusted.has(contents.id)) return;
      const id = contents.id;
      const unsubscribe = core.subscribe(channelFor(contents), (wardEvent: WardEvent) => {
        if (!contents.isDestroyed()) contents.send(eventChannel, wardEvent);
      });
      trusted.set(id, unsubscribe);
      contents.once('destroyed', () => {
        trusted.get(id)?.();
        trusted.delete(id);
      });
    },
    dispose(): void {
      ipcMain.removeHandler(invokeChannel);
      for (const unsubscribe of trusted.values()) unsubscribe();
      trusted.clear();
    },
  };
}

function failure(code: WardErrorCode, message: string): CallResult {
  return { ok: false, error: new WardError(code, message).toJSON() };
}
