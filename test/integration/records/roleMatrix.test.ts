/**
 * Who may do what: every API operation × every role (and no session), table-driven. The expected
 * table is written out here by hand — it is the specification, not derived from the code.
 * "allowed" means the call is not refused for who is asking (it may still fail on its input or
 * state, e.g. CONFLICT); "refused" means FORBIDDEN or UNAUTHENTICATED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationNames } from '../../../electron/core/api/contract';
import type { WardCore } from '../../../electron/core/shellContract';
import { admin, Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

type Who = 'anonymous' | 'it-admin' | 'doctor' | 'nurse' | 'patient' | 'insurer';
const everyone: Who[] = ['anonymous', 'it-admin', 'doctor', 'nurse', 'patient', 'insurer'];
const members: Who[] = ['it-admin', 'doctor', 'nurse', 'patient', 'insurer'];

/** Allowed callers per operation, in the state set up below (patient admitted to the doctor; insurer not granted). */
const allowed: Record<string, Who[]> = {
  'ward/status': everyone,
  'ward/setup': everyone,
  'identity/register': everyone,
  'session/login': everyone,
  'session/me': members,
  'session/touch': members,
  'session/lock': members,
  'session/unlock': members,
  'session/logout': members,
  'admin/pending': ['it-admin'],
  'admin/approve': ['it-admin'],
  'admin/reject': ['it-admin'],
  'admin/members': ['it-admin'],
  'admin/storeStatus': ['it-admin'],
  'admin/confirmMigration': ['it-admin'],
  'admin/backup': ['it-admin'],
  'settings/update': ['it-admin'],
  'doctor/home': ['doctor'],
  'patient/home': ['patient'],
  'ward/census': ['doctor', 'nurse'],
  'ward/unadmittedPatients': ['doctor', 'nurse'],
  'ward/doctors': ['doctor', 'nurse'],
  'ward/admit': ['doctor', 'nurse'],
  'ward/registerAndAdmit': ['doctor', 'nurse'],
  'ward/assignDoctor': ['doctor', 'nurse'],
  'ward/setNews2Scale': ['doctor'],
  'ward/discharge': ['doctor', 'nurse'],
  'vitals/preview': ['doctor', 'nurse'],
  'records/addVitals': ['doctor', 'nurse'],
  'records/addNote': ['doctor'],
  'records/addDiagnosis': ['doctor'],
  'records/amend': ['doctor'],
  // The insurer's role may read, but this patient has not granted them: refused.
  'records/history': ['patient', 'doctor', 'nurse'],
  'records/chart': ['patient', 'doctor', 'nurse'],
  'records/myPatients': ['doctor', 'insurer'],
  'consent/list': ['patient'],
  'consent/grant': ['patient'],
  'consent/revoke': ['patient'],
  'audit/list': ['patient', 'it-admin', 'doctor'],
  'export/fhir': ['patient', 'doctor'],
  'verify/fhir': members,
  'devices/list': ['it-admin', 'doctor', 'nurse'],
  'devices/assign': ['doctor', 'nurse'],
  'devices/dismiss': ['doctor', 'nurse'],
  'devices/reread': ['doctor', 'nurse'],
  'devices/bind': ['doctor', 'nurse'],
  'devices/unbind': ['doctor', 'nurse'],
  'devices/simulate': ['it-admin', 'doctor', 'nurse'],
  'devices/unplugSimulated': ['it-admin', 'doctor', 'nurse'],
};

describe('role matrix: every operation × every role', () => {
  let dir: string;
  let core: WardCore;
  let w: Awaited<ReturnType<typeof staffedWard>>;
  let recordId: string;
  let secondPatient: string;
  let bed = 10;

  beforeAll(async () => {
    dir = tempDir();
    core = await startCore(dir);
    w = await staffedWard(core);
    await w.callers.nurse.ok('ward/admit', { patient: w.addresses.patient, bed: '1', responsibleDoctor: w.addresses.doctor });
    recordId = (await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: { pulse: 80, supplementalOxygen: false } })).id;
    secondPatient = (await w.anon.ok('identity/register', { role: 'patient', name: 'Second Patient', age: 30, password: 'second-password' })).address;
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  const inputs = (): Record<string, () => unknown> => ({
    'ward/status': () => ({}),
    'ward/setup': () => admin,
    'identity/register': () => ({ role: 'patient', name: `Matrix ${Math.random()}`, age: 20, password: 'matrix-password' }),
    'session/login': () => ({ name: 'Nobody', password: 'whatever-password' }),
    'session/me': () => ({}),
    'session/touch': () => ({}),
    'session/lock': () => ({}),
    'session/unlock': () => ({ password: 'wrong-password' }),
    'session/logout': () => ({}),
    'admin/pending': () => ({}),
    'admin/approve': () => ({ address: w.addresses.doctor }),
    'admin/reject': () => ({ address: w.addresses.doctor }),
    'admin/members': () => ({}),
    'admin/storeStatus': () => ({}),
    'admin/confirmMigration': () => ({}),
    'admin/backup': () => ({ out: '/nonexistent-folder/ward.wlbk', passphrase: 'a long enough passphrase' }),
    'settings/update': () => ({ lockTimeoutSeconds: 300 }),
    'doctor/home': () => ({}),
    'patient/home': () => ({}),
    'ward/census': () => ({}),
    'ward/unadmittedPatients': () => ({}),
    'ward/doctors': () => ({}),
    'ward/admit': () => ({ patient: secondPatient, bed: String(bed++) }),
    'ward/registerAndAdmit': () => ({ name: `Admitted ${Math.random()}`, age: 50, password: 'patient-password', bed: String(bed++) }),
    'ward/assignDoctor': () => ({ patient: w.addresses.patient, doctor: w.addresses.doctor }),
    'ward/setNews2Scale': () => ({ patient: w.addresses.patient, scale: 1, reason: 'Matrix test: confirm scale 1' }),
    'ward/discharge': () => ({ patient: w.addresses.insurer }),
    'vitals/preview': () => ({ patient: w.addresses.patient, vitals: { pulse: 80 } }),
    'records/addVitals': () => ({ patient: w.addresses.patient, vitals: { pulse: 81, supplementalOxygen: false } }),
    'records/addNote': () => ({ patient: w.addresses.patient, text: 'Matrix note' }),
    'records/addDiagnosis': () => ({ patient: w.addresses.patient, text: 'Matrix diagnosis' }),
    'records/amend': () => ({ recordId, reason: 'Matrix amendment', note: 'Corrected' }),
    'records/history': () => ({ patient: w.addresses.patient }),
    'records/chart': () => ({ patient: w.addresses.patient }),
    'records/myPatients': () => ({}),
    'consent/list': () => ({}),
    'consent/grant': () => ({ grantee: w.addresses.otherDoctor }),
    'consent/revoke': () => ({ grantee: w.addresses.otherDoctor }),
    'audit/list': () => ({ patient: w.addresses.patient }),
    'export/fhir': () => ({ patient: w.addresses.patient }),
    'verify/fhir': () => ({ bundle: { resourceType: 'Bundle' } }),
    'devices/list': () => ({}),
    'devices/assign': () => ({ readingIds: ['00000000-0000-4000-8000-000000000000'], patient: w.addresses.patient }),
    'devices/dismiss': () => ({ readingIds: ['00000000-0000-4000-8000-000000000000'] }),
    'devices/reread': () => ({ deviceId: 'sim:none' }),
    'devices/bind': () => ({ deviceId: 'sim:none', patient: w.addresses.patient, intervalSeconds: 60 }),
    'devices/unbind': () => ({ deviceId: 'sim:none' }),
    'devices/simulate': () => ({ simulator: 'no-such-simulator' }),
    'devices/unplugSimulated': () => ({ deviceId: 'sim:none' }),
  });

  it('has an expectation for every operation', () => {
    expect(Object.keys(allowed).sort()).toEqual([...operationNames].sort());
  });

  for (const op of operationNames) {
    it(`${op}`, async () => {
      const input = inputs()[op]!;
      for (const who of everyone) {
        // A fresh session per call, so lock/logout never disturb the next call.
        const caller = new Caller(core);
        if (who !== 'anonymous') {
          const p = who === 'it-admin' ? admin : w.people[who];
          await caller.login(p.name, p.password);
        }
        const r = await caller.raw(op, input());
        const refused = !r.ok && (r.error.code === 'FORBIDDEN' || r.error.code === 'UNAUTHENTICATED');
        const error = r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`;
        expect({ op, who, refused }, error).toEqual({ op, who, refused: !allowed[op]!.includes(who) });
      }
    });
  }
});
