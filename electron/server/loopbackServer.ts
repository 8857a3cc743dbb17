/**
 * Browser mode: the core's API and the renderer served on 127.0.0.1 only.
 *
 * Every request must come from loopback, carry a Host of this server and (when present) an Origin
 * of this server — which defeats DNS rebinding and cross-site requests — and prove knowledge of
 * the per-launch secret. The printed URL carries the secret once (`/?token=…`); the server swaps it
 * for an HttpOnly, SameSite=Strict cookie and redirects to a clean URL, so the secret does not
 * stay in the address bar or history. Scripts may send it as `x-wardledger-secret` instead.
 *
 * Cookies ignore ports (RFC 6265 §8.5): every server on 127.0.0.1 receives every 127.0.0.1 cookie.
 * So the cookie is this launch's own: its name carries the port and a random instance id (a second
 * ward opened in the same browser sets its own instead of overwriting this one), and its value is
 * an HMAC of the secret bound to that name — never the secret itself, so another port that
 * receives it learns nothing it could use elsewhere, and a cookie of another launch never matches.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { contentSecurityPolicy } from '../common/contentSecurityPolicy';
import type { WardEvent } from '../core/model/events';
import { packResult } from '../core/model/replyPacking';
import { jsonBytes } from './jsonBytes';
import { log } from '../core/platform/log';
import type { WardCore } from '../core/shellContract';

/** Cookies of earlier launches on a port start with this (and the name before this design). */
const COOKIE_PREFIX = 'wardledger_';
const LEGACY_COOKIE = 'wardledger_secret';
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const mime: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface LoopbackServer {
  readonly url: string;
  /** The URL to open, carrying the secret. */
  readonly launchUrl: string;
  readonly port: number;
  readonly secret: string;
  close(): Promise<void>;
}

export interface LoopbackOptions {
  core: WardCore;
  /** Built renderer (out/renderer). */
  rendererDir: string;
  port?: number;
  /** Fixed secret for tests; random per launch otherwise. */
  secret?: string;
}

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** decodeURIComponent, or null for a malformed escape (`%`, `%E0%A4%A`) instead of a URIError. */
function decoded(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function cookies(req: IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    const value = decoded(v.join('='));
    if (k && value !== null) jar.set(k, value);
  }
  return jar;
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // Encoded once: given a string, Node measures its UTF-8 length for the header and then encodes
  // it again (two passes over a 5 MB history).
  const bytes = jsonBytes(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': bytes.length });
  res.end(bytes);
}

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { ok: false, error: { code, message } });
}

/**
 * The page for a person who opened WardLedger's address without this launch's link (the bare
 * address, a bookmark, a link from before a restart): what to do, in sentences. Static text
 * only; its one style is allowed by hash, the rest of the policy is the app's.
 */
const howToOpenStyle =
  'body{font:18px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#17232d;background:#f3f6f8}' +
  'h1{font-size:1.6rem;color:#0b3d4f}code{font-size:1rem;background:#e3f0f4;padding:0 .25rem;border-radius:.2rem}';
const howToOpenPolicy = contentSecurityPolicy.replace("style-src 'self'", `style-src 'sha256-${createHash('sha256').update(howToOpenStyle).digest('base64')}'`);

function howToOpen(res: ServerResponse, why: 'bare' | 'stale'): void {
  const lead =
    why === 'stale'
      ? 'This link is from an earlier start of WardLedger. Each start makes a new link, and only the newest one works.'
      : 'This address alone does not open WardLedger: it needs the link that WardLedger printed when it started.';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Open WardLedger with its link</title><style>${howToOpenStyle}</style></head>
<body><main>
<h1>Open WardLedger with its link</h1>
<p>${lead}</p>
<ol>
<li>Go to the window where WardLedger was started (with <code>npm start</code> or <code>wardledger serve</code>).</li>
<li>Find the line under “Open this URL in a browser on this computer”. It looks like <code>http://127.0.0.1:…/?token=…</code>.</li>
<li>Copy that whole line into this browser's address bar.</li>
</ol>
<p>The link carries a secret made for this start only, so that other programs on this computer cannot use WardLedger. After you open it once, this browser remembers it until WardLedger is restarted.</p>
</main></body></html>
`;
  res.setHeader('Content-Security-Policy', howToOpenPolicy);
  res.writeHead(401, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(html);
}

const statusByCode: Record<string, number> = {
  BAD_INPUT: 400,
  UNKNOWN_OPERATION: 404,
  UNAUTHENTICATED: 401,
  WRONG_PASSWORD: 401,
  THROTTLED: 429,
  FORBIDDEN: 403,
  LOCKED: 423,
  PENDING_APPROVAL: 403,
  ACTIVATION_REQUIRED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INTERNAL: 500,
  STARTING: 503,
};

export async function startLoopbackServer(options: LoopbackOptions): Promise<LoopbackServer> {
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const instanceId = randomBytes(9).toString('base64url');
  let port = 0;
  const cookieName = () => `${COOKIE_PREFIX}${port}_${instanceId}`;
  const cookieProof = () => createHmac('sha256', secret).update(`wardledger-cookie|${cookieName()}`).digest('base64url');
  /** This launch's cookie, and expiry for cookies earlier launches on this port left behind. */
  const cookieHeaders = (req: IncomingMessage): string[] => [
    `${cookieName()}=${cookieProof()}; HttpOnly; SameSite=Strict; Path=/`,
    ...[...cookies(req).keys()]
      .filter((k) => k !== cookieName() && (k === LEGACY_COOKIE || k.startsWith(`${COOKIE_PREFIX}${port}_`)))
      .map((k) => `${k}=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/`),
  ];
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'INTERNAL', 'Something went wrong inside WardLedger.');
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    securityHeaders(res);
    if (!isLoopback(req.socket.remoteAddress)) return refuse(res, 403, 'FORBIDDEN', 'WardLedger browser mode only answers this computer.');
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(res, 403, 'FORBIDDEN', 'Request refused: unexpected Host header.');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return refuse(res, 403, 'FORBIDDEN', 'Request refused: foreign Origin.');

    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const token = url.searchParams.get('token');
    // A person opening an address in a browser gets a page that says how to get in; programs
    // calling the API (and the event stream) get the JSON error.
    const forPeople = (req.method === 'GET' || req.method === 'HEAD') && !url.pathname.startsWith('/api/') && url.pathname !== '/events';
    if (req.method === 'GET' && token !== null) {
      if (!safeEqual(token, secret)) return forPeople ? howToOpen(res, 'stale') : refuse(res, 401, 'UNAUTHENTICATED', 'This link is not valid for this WardLedger launch. Use the URL it printed.');
      res.setHeader('Set-Cookie', cookieHeaders(req));
      res.writeHead(303, { Location: url.pathname });
      return void res.end();
    }
    const header = req.headers['x-wardledger-secret'] as string | undefined;
    const cookie = cookies(req).get(cookieName());
    if (header !== undefined ? !safeEqual(header, secret) : cookie === undefined || !safeEqual(cookie, cookieProof())) {
      if (forPeople && header === undefined) return howToOpen(res, 'bare');
      return refuse(res, 401, 'UNAUTHENTICATED', 'Open WardLedger with the URL printed by `wardledger serve` (it carries this launch\'s secret).');
    }

    if (url.pathname.startsWith('/api/')) return api(req, res, url.pathname.slice('/api/'.length));
    if (url.pathname === '/events') return eventStream(req, res, url.searchParams.get('client') ?? '');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'BAD_INPUT', 'Method not allowed.');
    return staticFile(res, url.pathname);
  }

  async function api(req: IncomingMessage, res: ServerResponse, operation: string): Promise<void> {
    if (req.method !== 'POST') return refuse(res, 405, 'BAD_INPUT', 'API calls use POST.');
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return refuse(res, 415, 'BAD_INPUT', 'API calls send JSON.');
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return refuse(res, 413, 'BAD_INPUT', 'The request is too large.');
      chunks.push(chunk as Buffer);
    }
    let input: unknown;
    try {
      input = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return refuse(res, 400, 'BAD_INPUT', 'The request body is not valid JSON.');
    }
    const sessionToken = (req.headers['x-ward-session'] as string | undefined) || null;
    const client = channelOf((req.headers['x-ward-client'] as string | undefined) ?? '');
    const result = await options.core.call({ sessionToken, channel: client }, operation, input);
    const retryAfter = result.ok ? undefined : result.error.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    sendJson(res, result.ok ? 200 : (statusByCode[result.error.code] ?? 422), result.ok ? { ok: true, result: packResult(operation, result.result) } : result);
  }

  function eventStream(req: IncomingMessage, res: ServerResponse, client: string): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    const unsubscribe = options.core.subscribe(channelOf(client), (event: WardEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`));
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  }

  function staticFile(res: ServerResponse, pathname: string): void {
    const root = normalize(options.rendererDir);
    const path = decoded(pathname);
    if (path === null) return refuse(res, 400, 'BAD_INPUT', 'The address is not valid (a malformed % escape).');
    let file = normalize(join(root, path));
    if (!file.startsWith(root + sep) && file !== root) return refuse(res, 404, 'NOT_FOUND', 'Not found.');
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
    if (!existsSync(file)) return refuse(res, 500, 'INTERNAL', 'The user interface is not built. Run `npm run build` first.');
    res.writeHead(200, { 'Content-Type': mime[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  log('info', 'server.listening', { port });

  return {
    url,
    launchUrl: `${url}?token=${secret}`,
    port,
    secret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Channel names are namespaced so a browser tab cannot subscribe to an Electron window's events. */
function channelOf(client: string): string {
  return `http:${client.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64)}`;
}
