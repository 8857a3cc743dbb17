import type { WardBridge } from './contract';
import { createWardApi } from './client';
import { createHttpBridge } from './httpBridge';

export { ApiError, isApiError, errorMessage, UNREACHABLE } from './errors';
export type { WardApi } from './client';
export { createWardApi } from './client';
export { createHttpBridge } from './httpBridge';

/** The Electron preload's bridge when present, else the loopback HTTP bridge (browser mode). */
export function pickBridge(): WardBridge {
  return window.wardledger ?? createHttpBridge();
}

/** The one client the app uses. */
export const api = createWardApi(pickBridge());
