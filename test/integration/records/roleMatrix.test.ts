/**
 * Who may do what: every API operation × every role (and no session), table-driven, then every
 * change of care relationship × every role. The expected tables are written out here by hand —
 * they are the specification, not derived from the code. "allowed" means the call is not refused
 * for who is asking (it may still fail on its input or state, e.g. CONFLICT); "refused" means
 * FORBIDDEN or UNAUTHENTICATED.
 *
 * Doctors appear twice: 'doctor' is the patient's responsible doctor, 'other-doctor' a doctor of
 * the ward with no care relationship with the patient (issue 9 items 3 and 9: what a doctor may
 * do to a patient depends on the relationship, and changing a relationship is guarded too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationNames } from '../../../electron/core/api/contract';
import type { WardCore } from '../../../electron/core/shellContract';
import { admin, Caller, removeDir, staffedWard, startCore, tempDir } from '../../support/tempCore';

type Who = 'anonymous' | 'it-admin' | 'doctor' | 'other-doctor' | 'nurse' | 'patient' | 'insurer';
const everyone: Who[] = ['anonymous', 'it-admin', 'doctor', 'other-doctor', 'nurse', 'patient', 'insurer'];
const members: Who[] = ['it-admin', 'doctor', 'other-doctor', 'nurse', 'patient', 'insurer'];
const doctors: Who[] = ['doctor', 'other-doctor'];
const clinicians: Who[] = ['doctor', 'other-doctor', 'nurse'];
/** Those in the patient's care relationships: the ward's nurses and the responsible doctor. */
const careTeam: Who[] = ['doctor', 'nurse'];

/**
 * Allowed callers per operation, in the state set up below (patient admitted with 'doctor'
 * responsible; 'other-doctor' has no care relationship; insurer not granted).
 */
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
  'admin/scheduleBackups': ['it-admin'],
  'admin/stopBackups': ['it-admin'],
  'consortium/settings': ['it-admin'],
  'consortium/configure': ['it-admin'],
  'consortium/status': ['it-admin'],
  'consortium/batches': ['it-admin'],
  'consortium/syncNow': ['it-admin'],
  'consortium/pause': ['it-admin'],
  'consortium/resume': ['it-admin'],
  // Transfer of care: the ward's nurses and doctors; sending one needs a care relationship with the patient.
  'transfer/targets': clinicians,
  'transfer/out': careTeam,
  'transfer/outgoing': clinicians,
  'transfer/incoming': clinicians,
  'transfer/admit': clinicians,
  // The ward's people in the hospital directory: IT. A share with a clinician of another ward: the patient alone.
  'consortium/people': ['it-admin'],
  'consortium/addPerson': ['it-admin'],
  'consortium/removePerson': ['it-admin'],
  'share/people': ['patient'],
  'share/list': ['patient'],
  'share/out': ['patient'],
  'share/revoke': ['patient'],
  'share/withMe': clinicians,
  'settings/update': ['it-admin'],
  'doctor/home': doctors,
  'patient/home': ['patient'],
  // Every clinician sees the board; a doctor sees in full only the patients they may open (careRelations.test.ts).
  'ward/census': clinicians,
  'ward/workstation': clinicians,
  'ward/unadmittedPatients': clinicians,
  'ward/doctors': clinicians,
  'ward/admit': clinicians,
  'ward/registerAndAdmit': clinicians,
  // Keeping the responsible doctor: see the care-relationship table for every change.
  'ward/assignDoctor': careTeam,
  'ward/setNews2Scale': ['doctor'],
  'ward/discharge': careTeam,
  'vitals/preview': clinicians,
  'records/addVitals': careTeam,
  // Writing a record needs write access to it; a draft is only the caller's own typing for their session.
  'records/addEscalation': careTeam,
  'drafts/get': clinicians,
  'drafts/put': clinicians,
  'drafts/discard': clinicians,
  'records/addNote': ['doctor'],
  'records/addDiagnosis': ['doctor'],
  'records/amend': ['doctor'],
  // The insurer's role may read, but this patient has not granted them: refused.
  'records/history': ['patient', 'doctor', 'nurse'],
  'records/chart': ['patient', 'doctor', 'nurse'],
  'records/myPatients': ['doctor', 'other-doctor', 'insurer'],
  'consent/list': ['patient'],
  'consent/grant': ['patient'],
  'consent/revoke': ['patient'],
  'audit/list': ['patient', 'it-admin', 'doctor'],
  'export/fhir': ['patient', 'doctor'],
  'verify/fhir': members,
  'devices/list': ['it-admin', ...clinicians],
  // Readings go only into a record the caller may write to (issue 9 item 9).
  'devices/assign': careTeam,
  'devices/dismiss': clinicians,
  'devices/reread': clinicians,
  'devices/bind': careTeam,
  'devices/unbind': clinicians,
  'devices/simulate': ['it-admin', ...clinicians],
  'devices/unplugSimulated': ['it-admin', ...clinicians],
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
    recordId = (await w.callers.nurse.ok('records/addVitals', { patient: w.addresses.patient, vitals: { pulse: 80, supplementalOxygen: false }, missingReason: 'Spot check' })).id;
    secondPatient = (await w.anon.ok('identity/register', { role: 'patient', name: 'Second Patient', age: 30, password: 'second-password' })).address;
  });
  afterAll(async () => {
    await core?.stop();
    removeDir(dir);
  });

  /** A fresh session per call, so lock/logout never disturb the next call. */
  async function callerFor(who: Who): Promise<Caller> {
    const caller = new Caller(core);
    if (who !== 'anonymous') {
      const p = who === 'it-admin' ? admin : who === 'other-doctor' ? w.people.otherDoctor : w.people[who];
      await caller.login(p.name, p.password);
    }
    return caller;
  }

  /** A newly registered patient admitted by the nurse, with `doctor` responsible (or none). */
  const admitted = async (doctor: string | null): Promise<string> =>
    (await w.callers.nurse.ok('ward/registerAndAdmit', { name: 'Matrix Patient', dob: '1966-01-01', hospitalNumber: `MX${String(bed).padStart(6, '0')}`, bed: String(bed++), responsibleDoctor: doctor })).patient.address;

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
    'admin/scheduleBackups': () => ({ folder: '/nonexistent-folder', keep: 7, passphrase: 'a long enough passphrase' }),
    'admin/stopBackups': () => ({}),
    // A node that is not there (port 9, discard): the IT admin gets "does not answer", others are refused.
    'consortium/settings': () => ({}),
    'consortium/configure': () => ({ url: 'http://127.0.0.1:9', ledger: '0x' + '12'.repeat(20), chainId: 1981, confirmations: 1 }),
    'consortium/status': () => ({}),
    'consortium/batches': () => ({ before: 'history!999999999999' }),
    'consortium/syncNow': () => ({}),
    'consortium/pause': () => ({}),
    'consortium/resume': () => ({}),
    // No consortium here: those allowed get CONFLICT (not connected) or NOT_FOUND (no such transfer).
    'transfer/targets': () => ({}),
    'transfer/out': () => ({ patient: w.addresses.patient, ward: '0x' + '34'.repeat(20), reason: 'Matrix: surgical review' }),
    'transfer/outgoing': () => ({}),
    'transfer/incoming': () => ({}),
    'transfer/admit': () => ({ patient: secondPatient, bed: String(bed++) }),
    // No consortium here either: those allowed get CONFLICT (not set up) or NOT_FOUND (no such share).
    'consortium/people': () => ({}),
    'consortium/addPerson': () => ({ person: w.addresses.doctor }),
    'consortium/removePerson': () => ({ person: w.addresses.doctor }),
    'share/people': () => ({}),
    'share/list': () => ({}),
    'share/out': () => ({ person: '0x' + 'ab'.repeat(64) }),
    'share/revoke': () => ({ id: '0123456789abcdef' }),
    'share/withMe': () => ({}),
    'settings/update': () => ({ lockTimeoutSeconds: 300 }),
    'doctor/home': () => ({}),
    'patient/home': () => ({}),
    'ward/census': () => ({}),
    'ward/workstation': () => ({}),
    'ward/unadmittedPatients': () => ({}),
    'ward/doctors': () => ({}),
    'ward/admit': () => ({ patient: secondPatient, bed: String(bed++) }),
    'ward/registerAndAdmit': () => ({ name: 'Admitted Patient', dob: '1976-01-01', hospitalNumber: `AD${String(bed).padStart(6, '0')}`, bed: String(bed++) }),
    'ward/assignDoctor': () => ({ patient: w.addresses.patient, doctor: w.addresses.doctor }),
    'ward/setNews2Scale': () => ({ patient: w.addresses.patient, scale: 1, reason: 'Matrix test: confirm scale 1' }),
    'ward/discharge': async () => ({ patient: await admitted(w.addresses.doctor) }),
    'vitals/preview': () => ({ patient: w.addresses.patient, vitals: { pulse: 80 } }),
    'records/addVitals': () => ({ patient: w.addresses.patient, vitals: { pulse: 81, supplementalOxygen: false }, missingReason: 'Spot check' }),
    'records/addEscalation': () => ({
      patient: w.addresses.patient,
      forRecord: recordId,
      informed: { name: 'Grace Hopper', role: 'Doctor', address: w.addresses.doctor },
      informedAt: new Date().toISOString(),
      response: 'Matrix: reviewed',
    }),
    'drafts/get': () => ({ patient: w.addresses.patient }),
    'drafts/put': () => ({ patient: w.addresses.patient, form: { pulse: '80' } }),
    'drafts/discard': () => ({ patient: w.addresses.patient }),
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
        const r = await (await callerFor(who)).raw(op, await input());
        const refused = !r.ok && (r.error.code === 'FORBIDDEN' || r.error.code === 'UNAUTHENTICATED');
        const error = r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`;
        expect({ op, who, refused }, error).toEqual({ op, who, refused: !allowed[op]!.includes(who) });
      }
    });
  }

  /**
   * Every change of care relationship × every role, each on a patient in the state it names
   * (fresh per call, so one caller's change never decides the next caller's case).
   */
  const careChanges: Array<{ change: string; allowed: Who[]; input: () => Promise<unknown>; op: string }> = [
    { change: 'admit a patient who is not in a bed', op: 'ward/admit', allowed: clinicians, input: async () => ({ patient: (await w.anon.ok('identity/register', { role: 'patient', name: `Matrix ${Math.random()}`, age: 40, password: 'matrix-password' })).address, bed: String(bed++) }) },
    // The responsible doctor hands over, a nurse reassigns; 'other-doctor' here names himself, and
    // no doctor makes himself responsible for another doctor's patient.
    { change: 'make Other Doctor responsible for Grace Hopper’s patient', op: 'ward/assignDoctor', allowed: careTeam, input: async () => ({ patient: await admitted(w.addresses.doctor), doctor: w.addresses.otherDoctor }) },
    // Only 'other-doctor' takes the patient on for himself; 'doctor' would be assigning a colleague.
    { change: 'make Other Doctor responsible for a patient who has no responsible doctor', op: 'ward/assignDoctor', allowed: ['other-doctor', 'nurse'], input: async () => ({ patient: await admitted(null), doctor: w.addresses.otherDoctor }) },
    { change: 'discharge a patient', op: 'ward/discharge', allowed: careTeam, input: async () => ({ patient: await admitted(w.addresses.doctor) }) },
    { change: 'discharge a patient who has no responsible doctor', op: 'ward/discharge', allowed: ['nurse'], input: async () => ({ patient: await admitted(null) }) },
  ];

  describe('care relationships: every change × every role', () => {
    for (const { change, op, allowed: expected, input } of careChanges) {
      it(change, async () => {
        for (const who of everyone) {
          const r = await (await callerFor(who)).raw(op, await input());
          const refused = !r.ok && (r.error.code === 'FORBIDDEN' || r.error.code === 'UNAUTHENTICATED');
          const error = r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`;
          expect({ change, who, refused }, error).toEqual({ change, who, refused: !expected.includes(who) });
        }
      });
    }
  });
});
