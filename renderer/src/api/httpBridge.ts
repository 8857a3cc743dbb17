/**
 * The loopback HTTP bridge used in browser mode (and whenever no Electron preload is present):
 * `POST /api/<area>/<operation>` for calls, one Server-Sent Events stream for events.
 * The page itself is authenticated by an HttpOnly cookie the server set; the session token
 * travels in a header so a locked or logged-out session is refused by the core, not the UI.
 */
import type { ApiErrorBody, WardBridge, WardEvent } from './contract';
import { BAD_RESPONSE, UNREACHABLE, isCallResult } from './errors';
import { unpackResult } from '../../../electron/core/model/replyPacking';

type CallReply = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody };

export interface HttpBridgeOptions {
  /** Origin + path prefix of the server; '' means same origin. */
  baseUrl?: string;
  /** Identifies this tab's event channel; random per tab by default. */
  clientId?: string;
  fetchImpl?: typeof fetch;
  openEventSource?: (url: string) => EventSource;
}

export interface HttpBridge extends WardBridge {
  readonly clientId: string;
}

const CLIENT_ID_KEY = 'wardledger.clientId';

/** A per-tab id, kept across reloads of the same tab so its event channel stays the same. */
export function tabClientId(): string {
  try {
    const existing = sessionStorage.getItem(CLIENT_ID_KEY);
    if (existing) return existing;
    const id = randomId();
    sessionStorage.setItem(CLIENT_ID_KEY, id);
    return id;
  } catch {
    return randomId();
  }
}

function randomId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function unreachable(): CallReply {
  return {
    ok: false,
    error: { code: UNREACHABLE, message: 'WardLedger is not reachable. Check that the WardLedger server is running, then try again.' },
  };
}

function isWardEvent(value: unknown): value is WardEvent {
  return !!value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string';
}

/** Create the HTTP bridge. Nothing touches the network until the first call or subscription. */
export function createHttpBridge(options: HttpBridgeOptions = {}): HttpBridge {
  const baseUrl = options.baseUrl ?? '';
  const clientId = options.clientId ?? tabClientId();
  const doFetch = options.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const openEventSource = options.openEventSource ?? ((url: string) => new EventSource(url));

  const listeners = new Set<(event: WardEvent) => void>();
  let source: EventSource | null = null;

  function ensureSource(): void {
    if (source) return;
    source = openEventSource(`${baseUrl}/events?client=${encodeURIComponent(clientId)}`);
    source.onmessage = (message: MessageEvent<string>) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        return; // a malformed event must never break the UI
      }
      if (!isWardEvent(parsed)) return;
      for (const listener of [...listeners]) listener(parsed);
    };
  }

  async function invoke(operation: string, input: unknown, sessionToken: string | null): Promise<CallReply> {
    const path = operation.split('/').map(encodeURIComponent).join('/');
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}/api/${path}`, {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: {
          'content-type': 'application/json',
          'x-ward-session': sessionToken ?? '',
          'x-ward-client': clientId,
        },
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      return unreachable();
    }
    // Errors come with 4xx/5xx and a JSON body: read the body whatever the status.
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return {
        ok: false,
        error: { code: BAD_RESPONSE, message: `WardLedger sent a reply this window cannot read (HTTP ${response.status}).` },
      };
    }
    if (!isCallResult(body)) return { ok: false, error: { code: BAD_RESPONSE, message: `WardLedger sent an unexpected reply (HTTP ${response.status}).` } };
    if (!body.ok) return body;
    try {
      return { ok: true, result: unpackResult(operation, body.result) };
    } catch {
      return { ok: false, error: { code: BAD_RESPONSE, message: 'WardLedger sent a reply this window cannot read. Reload the page; if it persists, update WardLedger.' } };
    }
  }

  return {
    clientId,
    invoke,
    onEvent(listener) {
      listeners.add(listener);
      ensureSource();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  };
}
