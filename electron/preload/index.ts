/**
 * Sandboxed preload (built as out/preload/index.cjs): exposes `window.wardledger`, a WardBridge
 * with exactly invoke and onEvent, through the context bridge.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createWardBridge } from './bridge';

const bridge = createWardBridge(ipcRenderer);

contextBridge.exposeInMainWorld('wardledger', {
  invoke: bridge.invoke,
  onEvent: bridge.onEvent,
});
