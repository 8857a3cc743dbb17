/**
 * records/history over the loopback server: the wire carries each author and provenance once
 * (core/model/replyPacking.ts), and a client that unpacks it gets exactly what the core returned.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackResult, type PackedViews } from '../../../electron/core/model/replyPacking';
import type { WardCore } from '../../../electron/core/shellContract';
import { startLoopbackServer, type LoopbackServer } from '../../../electron/server/loopbackServer';
import { completeVitals, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

describe('packed replies over the loopback server', () => {
  let dir: string;
  let core: WardCore;
  let server: LoopbackServer;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(join(dir, 'data'));
    mkdirSync(join(dir, 'renderer'));
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>WardLedger</title>');
    server = await startLoopbackServer({ core, rendererDir: join(dir, 'renderer') });
  });
  afterAll(async () => {
    await server?.close();
    await core?.stop();
    removeDir(dir);
  });

  it('sends a history page packed, and unpacked it is the page the core returns', async () => {
    const { callers, addresses } = await staffedWard(core);
    await callers.nurse.ok('ward/admit', { patient: addresses.patient, bed: '3A', responsibleDoctor: addresses.doctor });
    for (let i = 0; i < 12; i++) await callers.nurse.ok('records/addVitals', { patient: addresses.patient, vitals: completeVitals(60 + i) });
    const note = await callers.doctor.ok('records/addNote', { patient: addresses.patient, text: 'Chest clear – continue observations.' });
    await callers.doctor.ok('records/amend', { recordId: note.id, reason: 'Wrong side documented', note: 'Left basal crackles.' });

    const direct = await callers.doctor.ok('records/history', { patient: addresses.patient });
    const r = await fetch(new URL('/api/records/history', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wardledger-secret': server.secret, 'x-ward-session': callers.doctor.token! },
      body: JSON.stringify({ patient: addresses.patient }),
    });
    const text = await r.text();
    expect(Number(r.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    const body = JSON.parse(text) as { ok: true; result: { records: PackedViews } };
    expect(body.ok).toBe(true);
    const packed = body.result.records;
    expect(packed.packing).toBe('views/v1');
    expect(packed.views).toHaveLength(14);
    expect(packed.authors.map((a) => a.role).sort()).toEqual(['doctor', 'nurse']);
    // The core's reply as the renderer gets it over IPC (a structured clone): JSON round trip of the direct call.
    // (The window of the first page ends at the time of the call: not compared.)
    const { window: overHttp, ...unpacked } = unpackResult('records/history', body.result) as typeof direct;
    const { window, ...asReturned } = JSON.parse(JSON.stringify(direct)) as typeof direct;
    expect(unpacked).toEqual(asReturned);
    expect(overHttp).toMatchObject({ from: window.from, earlier: window.earlier });
    expect(direct.records.find((v) => v.id === note.id)!.amendedBy).toHaveLength(1);
    // One provenance a distinct anchor (each of these records was anchored on its own).
    expect(packed.provenances).toHaveLength(new Set(direct.records.map((v) => v.provenance.batchRoot)).size);
  });
});
