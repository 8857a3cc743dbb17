import type { WardBridge } from './api/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in browser mode. */
    wardledger?: WardBridge;
  }
}
