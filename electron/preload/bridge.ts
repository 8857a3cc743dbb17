/**
 * The WardBridge the sandboxed preload hands to the renderer. It forwards calls over one IPC
 * channel and checks every reply's shape before the page sees it; the page never gets
 * ipcRenderer, IPC event objects or anything else from Electron. Imports API types only, so
 * the preload bundle stays free of core code.
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import type { WardBridge } from '../core/api/contract';
import type { ApiErrorBody } from '../core/model/errors';
import type { WardEvent } from '../core/model/events';
import { eventChannel, invokeChannel } from '../common/ipcChannels';

type BridgeReply = Awaited<ReturnType<WardBridge['invoke']>>;

/**
 * Build the bridge over an ipcRenderer.
 * @param ipc the preload's ipcRenderer (only invoke/on/removeListener are used)
 */
export function createWardBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): WardBridge {
  return {
    async invoke(operation: string, input: unknown, sessionToken: string | null): Promise<BridgeReply> {
      let reply: unknown;
      try {
        reply = await ipc.invoke(invokeChannel, operation, input, sessionToken);
      } catch {
        return internalError('WardLedger could not reach its core. Restart the app if this persists.');
      }
      return checkReply(reply);
    },
    onEvent(listener: (event: WardEvent) => void): () => void {
      const onMessage = (_event: IpcRendererEvent, payload: unknown): void => {
        if (isWardEvent(payload)) listener(payload);
      };
      ipc.on(eventChannel, onMessage);
      return () => {
        ipc.removeListener(eventChannel, onMessage);
      };
    },
  };
}

/**
 * Accept `{ ok: true, result }` or `{ ok: false, error: { code, message, details? } }`, rebuilt
 * field by field so nothing unexpected rides along; anything else becomes an INTERNAL error.
 */
export function checkReply(reply: unknown): BridgeReply {
  if (!isRecord(reply)) return malformed();
  if (reply.ok === true && 'result' in reply) return { ok: true, result: reply.result };
  if (reply.ok === false && isRecord(reply.error)) {
    const { code, message, details } = reply.error;
    if (typeof code !== 'string' || typeof message !== 'string') return malformed();
    const error: ApiErrorBody = { code, message };
    if (isRecord(details)) error.details = details;
    return { ok: false, error };
  }
  return malformed();
}

function isWardEvent(payload: unknown): payload is WardEvent {
  return isRecord(payload) && typeof payload.type === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(): BridgeReply {
  return internalError('WardLedger received a malformed reply from its core.');
}

function internalError(message: string): BridgeReply {
  return { ok: false, error: { code: 'INTERNAL', message } };
}
