/**
 * The typed WardLedger client: `call(name, input)` with input and output types taken from the
 * contract, over whichever bridge the shell provides. Failures become `ApiError`s.
 */
import type { InputOf, OperationName, OutputOf, WardBridge, WardEvent } from './contract';
import { ApiError, BAD_RESPONSE, UNREACHABLE, isCallResult } from './errors';

export interface WardApi {
  /** Call an operation with the current session token. Resolves with its output or throws ApiError. */
  call<N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>>;
  /** Subscribe to server events (lock, progress). Returns the unsubscribe function. */
  onEvent(listener: (event: WardEvent) => void): () => void;
  /** Hear about every failed call (used to react to LOCKED / UNAUTHENTICATED centrally). */
  onError(listener: (error: ApiError, operation: OperationName) => void): () => void;
  setSessionToken(token: string | null): void;
  readonly sessionToken: string | null;
}

export function createWardApi(bridge: WardBridge): WardApi {
  let token: string | null = null;
  const errorListeners = new Set<(error: ApiError, operation: OperationName) => void>();

  function fail(error: ApiError, operation: OperationName): never {
    for (const listener of [...errorListeners]) listener(error, operation);
    throw error;
  }

  return {
    async call<N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> {
      let reply: unknown;
      try {
        reply = await bridge.invoke(name, input, token);
      } catch {
        return fail(new ApiError({ code: UNREACHABLE, message: 'WardLedger is not reachable. Please try again.' }), name);
      }
      if (!isCallResult(reply)) {
        return fail(new ApiError({ code: BAD_RESPONSE, message: 'WardLedger sent an unexpected reply.' }), name);
      }
      if (!reply.ok) return fail(new ApiError(reply.error), name);
      return reply.result as OutputOf<N>;
    },
    onEvent: (listener) => bridge.onEvent(listener),
    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    setSessionToken(next) {
      token = next;
    },
    get sessionToken() {
      return token;
    },
  };
}
