/**
 * The demo ward is seeded through the one vitals path (clinical/vitalsAssessment.ts): every set
 * carries its measured time, oxygen details where on oxygen, and NEWS2 on the patient's scale —
 * what the board, the doctor's list and the record show, identically.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeNews2 } from '../../../electron/core/clinical/news2';
import { demoPassword } from '../../../electron/core/demo/demoWard';
import type { WardCore } from '../../../electron/core/shellContract';
import { Caller, removeDir, startCore, tempDir } from '../../support/tempCore';

describe('the demo ward', () => {
  let dir: string;
  let core: WardCore;
  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir, { demo: true });
  }, 180_000);
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  it('seeds every set through the one vitals path, and every screen shows the stored score', async () => {
    const nurse = new Caller(core);
    await nurse.login('Nora Nurse', demoPassword);
    const doctor = new Caller(core);
    await doctor.login('Dr Grace Hopper', demoPassword);
    const board = await nurse.ok('ward/census', {});
    expect(board).toHaveLength(3);
    const home = await doctor.ok('doctor/home', {});
    for (const row of board) {
      const h = await doctor.ok('records/history', { patient: row.patient.address });
      const sets = h.records.filter((r) => r.content?.vitals);
      expect(sets).toHaveLength(18);
      for (const r of sets) {
        const c = r.content!;
        expect(c.measuredAt).toBe(r.createdAt);
        expect(c.news2).toEqual(computeNews2(c.vitals!, { scale: row.news2Scale }));
        if (c.vitals!.supplementalOxygen) expect(c.vitals).toMatchObject({ oxygenDevice: 'nasal-cannula', oxygenFlow: 2 });
      }
      const newest = sets.reduce((a, b) => (a.measuredAt > b.measuredAt ? a : b));
      expect(row.observations!.lastComplete).toMatchObject({ recordId: newest.id, news2: newest.content!.news2 });
      expect(home.patients.find((p) => p.address === row.patient.address)!.observations!.lastComplete).toEqual(row.observations!.lastComplete);
    }
    // The deteriorating patient scores high, is listed first for the doctor, and awaits an escalation.
    expect(home.patients[0]).toMatchObject({ name: 'Peter Patient', needsAttention: true, observations: { risk: 'high', escalationDue: true } });
  });
});
