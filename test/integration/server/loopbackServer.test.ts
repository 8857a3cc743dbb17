import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardCore } from '../../../electron/core/shellContract';
import { startLoopbackServer, type LoopbackServer } from '../../../electron/server/loopbackServer';
import { removeDir, startCore, tempDir } from '../../support/tempCore';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP so Host and Origin can be forged (fetch forbids setting Host). */
function send(port: number, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...init.headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('browser-mode loopback server', () => {
  let dir: string;
  let core: WardCore;
  let server: LoopbackServer;
  const api = (headers: Record<string, string>) =>
    send(server.port, '/api/ward/status', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(join(dir, 'data'));
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>WardLedger</title>');
    server = await startLoopbackServer({ core, rendererDir });
  });
  afterAll(async () => {
    await server?.close();
    await core?.stop();
    removeDir(dir);
  });

  it('listens on 127.0.0.1 only and prints a URL carrying the secret', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.launchUrl).toBe(`${server.url}?token=${server.secret}`);
    expect(server.secret.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses API calls and pages without the secret', async () => {
    const noSecret = await api({});
    expect(noSecret.status).toBe(401);
    expect(JSON.parse(noSecret.body).error.code).toBe('UNAUTHENTICATED');
    expect((await send(server.port, '/')).status).toBe(401);
    expect((await api({ 'x-wardledger-secret': server.secret.slice(0, -1) + 'x' })).status).toBe(401);
    expect((await api({ cookie: 'wardledger_secret=guess' })).status).toBe(401);
  });

  it('answers with the secret', async () => {
    const r = await api({ 'x-wardledger-secret': server.secret });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, result: { initialized: false } });
  });

  it('swaps the launch token for an HttpOnly SameSite=Strict cookie and a clean URL', async () => {
    const bad = await send(server.port, '/?token=wrong');
    expect(bad.status).toBe(401);
    const r = await send(server.port, `/?token=${server.secret}`);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await send(server.port, '/', { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>WardLedger</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('names the cookie for this launch (port and instance id) and never puts the secret in it', async () => {
    const r = await send(server.port, `/?token=${server.secret}`);
    const [cookie] = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
    const [name, value] = cookie!.split(';')[0]!.split('=') as [string, string];
    expect(name).toMatch(new RegExp(`^wardledger_${server.port}_[A-Za-z0-9_-]{12}$`));
    expect(value).not.toContain(server.secret);
    expect(value.length).toBeGreaterThanOrEqual(40);
    // The secret itself is no cookie: a launch's cookie is proof for that launch only.
    expect((await api({ cookie: `${name}=${server.secret}` })).status).toBe(401);
  });

  it('keeps two wards opened in one browser apart: neither cookie overwrites or opens the other', async () => {
    // A cookie jar as a browser keeps one (RFC 6265 §5.3: a cookie is identified by name, domain
    // and path; §8.5: "cookies do not provide isolation by port"), so every 127.0.0.1 cookie goes
    // to both servers.
    const rendererDir = join(dir, 'renderer');
    const second = await startLoopbackServer({ core, rendererDir });
    try {
      const jar = new Map<string, string>();
      const visit = async (s: LoopbackServer) => {
        const r = await send(s.port, `/?token=${s.secret}`, { headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
        for (const c of ([] as string[]).concat(r.headers['set-cookie'] ?? [])) {
          const [k, v] = c.split(';')[0]!.split('=') as [string, string];
          if (/Max-Age=0/.test(c)) jar.delete(k);
          else jar.set(k, v);
        }
      };
      await visit(server);
      await visit(second);
      expect(jar.size).toBe(2);
      const header = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
      for (const s of [server, second]) {
        const r = await send(s.port, '/api/ward/status', { method: 'POST', headers: { 'content-type': 'application/json', ...header }, body: '{}' });
        expect(r.status, `port ${s.port}`).toBe(200);
      }
      // One ward's cookie, presented to the other under the other's name, is refused.
      const [[firstName, firstValue], [secondName]] = [...jar] as [[string, string], [string, string]];
      const forged = await send(second.port, '/api/ward/status', { method: 'POST', headers: { 'content-type': 'application/json', cookie: `${secondName}=${firstValue}` }, body: '{}' });
      expect(forged.status).toBe(401);
      expect(firstName).not.toBe(secondName);
    } finally {
      await second.close();
    }
  });

  it('expires cookies that earlier launches on the same port left behind', async () => {
    const stale = `wardledger_${server.port}_oldlaunch123`;
    const r = await send(server.port, `/?token=${server.secret}`, { headers: { cookie: `${stale}=x; wardledger_secret=y; wardledger_1_other=z` } });
    const set = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
    expect(set.filter((c) => /Max-Age=0/.test(c)).map((c) => c.split('=')[0]).sort()).toEqual([stale, 'wardledger_secret'].sort());
  });

  it('refuses a foreign Host (DNS rebinding) even with the secret', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`]) {
      const r = await api({ host, 'x-wardledger-secret': server.secret });
      expect(r.status, host).toBe(403);
      expect(JSON.parse(r.body).error.message).toMatch(/Host/);
    }
  });

  it('refuses a foreign Origin even with the secret', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${server.port + 1}`, 'null']) {
      const r = await api({ origin, 'x-wardledger-secret': server.secret });
      expect(r.status, origin).toBe(403);
      expect(JSON.parse(r.body).error.message).toMatch(/Origin/);
    }
    expect((await api({ origin: `http://localhost:${server.port}`, 'x-wardledger-secret': server.secret })).status).toBe(200);
  });

  it('maps API errors to HTTP statuses and rejects malformed bodies clearly', async () => {
    const h = { 'x-wardledger-secret': server.secret, 'content-type': 'application/json' };
    const unknown = await send(server.port, '/api/nope/nothing', { method: 'POST', headers: h, body: '{}' });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('UNKNOWN_OPERATION');
    const badJson = await send(server.port, '/api/ward/status', { method: 'POST', headers: h, body: '{nope' });
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body).error.message).toMatch(/JSON/);
    const get = await send(server.port, '/api/ward/status', { headers: h });
    expect(get.status).toBe(405);
    const badInput = await send(server.port, '/api/identity/register', { method: 'POST', headers: h, body: '{"name":""}' });
    expect(badInput.status).toBe(400);
  });

  it('answers a malformed % escape in the path or the cookie with 400 or 401, never 500', async () => {
    for (const path of ['/%', '/%E0%A4%A', '/assets/%zz.js']) {
      const r = await send(server.port, path, { headers: { 'x-wardledger-secret': server.secret } });
      expect(r.status, path).toBe(400);
      expect(JSON.parse(r.body).error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/address is not valid/) });
    }
    expect((await api({ cookie: 'wardledger_secret=%' })).status).toBe(401);
  });

  it('does not serve files outside the renderer folder', async () => {
    const r = await send(server.port, '/..%2f..%2fdata%2fward.json', { headers: { 'x-wardledger-secret': server.secret } });
    expect(r.body).not.toContain('nameIndexKey');
  });

  it('streams events to the right client only', async () => {
    const openStream = (client: string) => {
      const chunks: string[] = [];
      const req = request({
        host: '127.0.0.1',
        port: server.port,
        path: `/events?client=${client}`,
        headers: { host: `127.0.0.1:${server.port}`, 'x-wardledger-secret': server.secret },
      });
      const ready = new Promise<string | undefined>((resolve) =>
        req.on('response', (res) => {
          res.on('data', (c) => chunks.push(String(c)));
          resolve(res.headers['content-type']);
        }),
      );
      req.on('error', () => undefined);
      req.end();
      return { chunks, ready, close: () => req.destroy() };
    };
    const a = openStream('tab-a');
    const b = openStream('tab-b');
    expect(await a.ready).toMatch(/text\/event-stream/);
    await b.ready;
    // ward/setup publishes progress to the caller's channel only.
    const r = await send(server.port, '/api/ward/setup', {
      method: 'POST',
      headers: { 'x-wardledger-secret': server.secret, 'content-type': 'application/json', 'x-ward-client': 'tab-a' },
      body: JSON.stringify({ wardName: 'Ward', name: 'Stream Admin', age: 40, password: 'admin-password' }),
    });
    expect(r.status).toBe(200);
    await new Promise((res) => setTimeout(res, 50));
    a.close();
    b.close();
    const events = (chunks: string[]) =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => JSON.parse(l.slice(6)) as { type: string; operation?: string });
    expect(events(a.chunks).some((e) => e.type === 'progress' && e.operation === 'ward/setup')).toBe(true);
    expect(events(b.chunks)).toEqual([]);
  });
});
