import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZeroHash, id, type Wallet } from 'ethers';
import {
  Role,
  as,
  blockTimestamp,
  deployWard,
  enrol,
  eventsOf,
  expectRevert,
  loadArtifacts,
  publicKeyOf,
  randomBytes32,
  send,
  startChain,
  type TestChain,
  type Ward,
} from './chain';

import { RECORD_ACCESS_GAS_LIMIT, WardContracts } from '../../../electron/core/chain/wardContracts';

type Artifacts = Awaited<ReturnType<typeof loadArtifacts>>;

const READ_SCOPE = id('records:read');
const EXPORT_SCOPE = id('records:export');
const Action = { Read: 0, Export: 1, Verify: 2, Amend: 3, List: 4 } as const;
const Care = { Admit: 0, AssignDoctor: 1, Discharge: 2 } as const;
const NoOne = '0x0000000000000000000000000000000000000000';

describe('AccessLedger (berlin, zero gas price, unfunded senders)', () => {
  let artifacts: Artifacts;
  let chain: TestChain;
  let ward: Ward;
  let patient: Wallet;
  let doctor: Wallet;
  let nurse: Wallet;
  let insurer: Wallet;

  beforeAll(async () => {
    artifacts = await loadArtifacts();
    chain = await startChain('berlin-zero-gas');
  });
  afterAll(async () => chain.close());
  beforeEach(async () => {
    ward = await deployWard(chain, artifacts);
    patient = await enrol(chain, ward, Role.Patient);
    doctor = await enrol(chain, ward, Role.Doctor);
    nurse = await enrol(chain, ward, Role.Nurse);
    insurer = await enrol(chain, ward, Role.Insurer);
  });

  describe('consent', () => {
    it('grants and revokes per grantee and scope, with events', async () => {
      const ledger = as(ward.ledger, patient);
      const granted = await send(ledger, 'grant', doctor.address, READ_SCOPE);
      expect(eventsOf(granted, ward.ledger, 'AccessGranted').map((a) => a.toArray())).toEqual([
        [patient.address, doctor.address, READ_SCOPE],
      ]);
      expect(await ward.ledger.isGranted(patient.address, doctor.address, READ_SCOPE)).toBe(true);
      expect(await ward.ledger.isGranted(patient.address, doctor.address, EXPORT_SCOPE)).toBe(false);
      expect(await ward.ledger.isGranted(patient.address, insurer.address, READ_SCOPE)).toBe(false);
      expect(await ward.ledger.isGranted(doctor.address, patient.address, READ_SCOPE)).toBe(false);

      await send(ledger, 'grant', insurer.address, EXPORT_SCOPE);
      const revoked = await send(ledger, 'revoke', doctor.address, READ_SCOPE);
      expect(eventsOf(revoked, ward.ledger, 'AccessRevoked').map((a) => a.toArray())).toEqual([
        [patient.address, doctor.address, READ_SCOPE],
      ]);
      expect(await ward.ledger.isGranted(patient.address, doctor.address, READ_SCOPE)).toBe(false);
      expect(await ward.ledger.isGranted(patient.address, insurer.address, EXPORT_SCOPE)).toBe(true);

      await send(ledger, 'grant', doctor.address, READ_SCOPE); // a revoked grant can be given again
      expect(await ward.ledger.isGranted(patient.address, doctor.address, READ_SCOPE)).toBe(true);
    });

    it('only an Approved Patient may grant or revoke', async () => {
      const stranger = await chain.newWallet();
      const revokedPatient = await enrol(chain, ward, Role.Patient);
      await send(ward.registry, 'revoke', revokedPatient.address);
      for (const caller of [doctor, nurse, insurer, ward.admin, stranger, revokedPatient]) {
        const ledger = as(ward.ledger, caller);
        await expectRevert(ledger.grant(doctor.address, READ_SCOPE), ward.ledger, 'NotPatient', [caller.address]);
        await expectRevert(ledger.revoke(doctor.address, READ_SCOPE), ward.ledger, 'NotPatient', [caller.address]);
      }
    });

    it('refuses a grantee who is not an Approved member', async () => {
      const stranger = await chain.newWallet();
      const pending = await chain.newWallet();
      await send(as(ward.registry, pending), 'requestRegistration', Role.Doctor, publicKeyOf(pending), randomBytes32());
      const ledger = as(ward.ledger, patient);
      for (const grantee of [stranger, pending]) {
        await expectRevert(ledger.grant(grantee.address, READ_SCOPE), ward.ledger, 'UnknownGrantee', [grantee.address]);
      }
    });

    it('refuses a duplicate grant and a revoke of nothing', async () => {
      const ledger = as(ward.ledger, patient);
      await send(ledger, 'grant', doctor.address, READ_SCOPE);
      await expectRevert(ledger.grant(doctor.address, READ_SCOPE), ward.ledger, 'AlreadyGranted', [
        patient.address,
        doctor.address,
        READ_SCOPE,
      ]);
      await expectRevert(ledger.revoke(nurse.address, READ_SCOPE), ward.ledger, 'NotGranted', [
        patient.address,
        nurse.address,
        READ_SCOPE,
      ]);
    });

    it('a grantee revoked from the registry loses the grant; the patient can still withdraw it', async () => {
      await send(as(ward.ledger, patient), 'grant', doctor.address, READ_SCOPE);
      await send(ward.registry, 'revoke', doctor.address);
      expect(await ward.ledger.isGranted(patient.address, doctor.address, READ_SCOPE)).toBe(false);
      await send(as(ward.ledger, patient), 'revoke', doctor.address, READ_SCOPE);
      // Re-approval does not bring back a withdrawn consent.
      await send(as(ward.registry, doctor), 'requestRegistration', Role.Doctor, publicKeyOf(doctor), randomBytes32());
      await send(ward.registry, 'approve', doctor.address);
      expect(await ward.ledger.isGranted(patient.address, doctor.address, READ_SCOPE)).toBe(false);
    });
  });

  describe('care relationships', () => {
    let otherDoctor: Wallet;
    const careOf = async (ref: string) => {
      const c = await ward.ledger.careOf(ref);
      return { admitted: c.admitted as boolean, responsibleDoctor: c.responsibleDoctor as string };
    };
    beforeEach(async () => {
      otherDoctor = await enrol(chain, ward, Role.Doctor);
    });

    it('documents the change codes', async () => {
      expect([await ward.ledger.CARE_ADMIT(), await ward.ledger.CARE_ASSIGN_DOCTOR(), await ward.ledger.CARE_DISCHARGE()]).toEqual([0n, 1n, 2n]);
    });

    it('admits, hands over and discharges, with an event per change carrying who acted', async () => {
      const ref = randomBytes32();
      const admitted = await send(as(ward.ledger, nurse), 'admit', ref, doctor.address);
      const t = BigInt(await blockTimestamp(chain, admitted.blockNumber));
      expect(eventsOf(admitted, ward.ledger, 'CareChanged').map((e) => e.toArray())).toEqual([[ref, nurse.address, BigInt(Care.Admit), doctor.address, t]]);
      expect(await careOf(ref)).toEqual({ admitted: true, responsibleDoctor: doctor.address });
      expect((await ward.ledger.careOf(ref)).admittedAt).toBe(t);

      const handedOver = await send(as(ward.ledger, doctor), 'assignDoctor', ref, otherDoctor.address);
      expect(eventsOf(handedOver, ward.ledger, 'CareChanged').map((e) => [e.actor, e.change, e.responsibleDoctor])).toEqual([
        [doctor.address, BigInt(Care.AssignDoctor), otherDoctor.address],
      ]);
      const discharged = await send(as(ward.ledger, otherDoctor), 'discharge', ref);
      expect(eventsOf(discharged, ward.ledger, 'CareChanged').map((e) => [e.actor, e.change, e.responsibleDoctor])).toEqual([
        [otherDoctor.address, BigInt(Care.Discharge), NoOne],
      ]);
      expect(await careOf(ref)).toEqual({ admitted: false, responsibleDoctor: NoOne });
      // A discharged patient can be admitted again.
      await send(as(ward.ledger, doctor), 'admit', ref, NoOne);
      expect(await careOf(ref)).toEqual({ admitted: true, responsibleDoctor: NoOne });
    });

    it('admits only by Doctors and Nurses, once, naming an Approved Doctor or no one', async () => {
      const stranger = await chain.newWallet();
      for (const caller of [patient, insurer, ward.admin, stranger]) {
        await expectRevert(as(ward.ledger, caller).admit(randomBytes32(), doctor.address), ward.ledger, 'CareChangeNotAllowed', [caller.address]);
      }
      for (const notDoctor of [nurse, insurer, stranger]) {
        await expectRevert(as(ward.ledger, nurse).admit(randomBytes32(), notDoctor.address), ward.ledger, 'NotDoctor', [notDoctor.address]);
      }
      const ref = randomBytes32();
      await send(as(ward.ledger, doctor), 'admit', ref, doctor.address);
      await expectRevert(as(ward.ledger, nurse).admit(ref, NoOne), ward.ledger, 'AlreadyAdmitted', [ref]);
    });

    it('a doctor cannot make himself responsible for another doctor\'s patient, nor reassign it', async () => {
      const ref = randomBytes32();
      await send(as(ward.ledger, nurse), 'admit', ref, doctor.address);
      await expectRevert(as(ward.ledger, otherDoctor).assignDoctor(ref, otherDoctor.address), ward.ledger, 'CareChangeNotAllowed', [otherDoctor.address]);
      const third = await enrol(chain, ward, Role.Doctor);
      await expectRevert(as(ward.ledger, otherDoctor).assignDoctor(ref, third.address), ward.ledger, 'CareChangeNotAllowed', [otherDoctor.address]);
      await expectRevert(as(ward.ledger, otherDoctor).discharge(ref), ward.ledger, 'CareChangeNotAllowed', [otherDoctor.address]);
      for (const caller of [patient, insurer, ward.admin]) {
        await expectRevert(as(ward.ledger, caller).assignDoctor(ref, caller.address), ward.ledger, 'CareChangeNotAllowed', [caller.address]);
        await expectRevert(as(ward.ledger, caller).discharge(ref), ward.ledger, 'CareChangeNotAllowed', [caller.address]);
      }
      expect(await careOf(ref)).toEqual({ admitted: true, responsibleDoctor: doctor.address });
      // A nurse may reassign to any Approved Doctor, never to someone else.
      await send(as(ward.ledger, nurse), 'assignDoctor', ref, third.address);
      await expectRevert(as(ward.ledger, nurse).assignDoctor(ref, nurse.address), ward.ledger, 'NotDoctor', [nurse.address]);
      expect(await careOf(ref)).toEqual({ admitted: true, responsibleDoctor: third.address });
    });

    it('a doctor may take on a patient who has no responsible doctor (or whose doctor left the ward), but name only himself', async () => {
      const ref = randomBytes32();
      await send(as(ward.ledger, nurse), 'admit', ref, NoOne);
      await expectRevert(as(ward.ledger, doctor).assignDoctor(ref, otherDoctor.address), ward.ledger, 'CareChangeNotAllowed', [doctor.address]);
      await send(as(ward.ledger, doctor), 'assignDoctor', ref, doctor.address);
      await send(ward.registry, 'revoke', doctor.address);
      await send(as(ward.ledger, otherDoctor), 'assignDoctor', ref, otherDoctor.address);
      expect(await careOf(ref)).toEqual({ admitted: true, responsibleDoctor: otherDoctor.address });
      // The doctor who left can no longer change anything.
      await expectRevert(as(ward.ledger, doctor).discharge(ref), ward.ledger, 'CareChangeNotAllowed', [doctor.address]);
    });

    it('refuses changes for a patient who is not admitted', async () => {
      const ref = randomBytes32();
      await expectRevert(as(ward.ledger, nurse).assignDoctor(ref, doctor.address), ward.ledger, 'NotAdmitted', [ref]);
      await expectRevert(as(ward.ledger, nurse).discharge(ref), ward.ledger, 'NotAdmitted', [ref]);
    });
  });

  describe('audit', () => {
    it('documents the action codes', async () => {
      expect([
        await ward.ledger.ACTION_READ(),
        await ward.ledger.ACTION_EXPORT(),
        await ward.ledger.ACTION_VERIFY(),
        await ward.ledger.ACTION_AMEND(),
        await ward.ledger.ACTION_LIST(),
      ]).toEqual([0n, 1n, 2n, 3n, 4n]);
    });

    it('records an access by any Approved member, with the block time', async () => {
      for (const [actor, action] of [
        [doctor, Action.Read],
        [nurse, Action.Amend],
        [insurer, Action.Verify],
        [patient, Action.Export],
        [ward.admin, Action.Read],
      ] as const) {
        const patientRef = randomBytes32();
        const subjectRef = randomBytes32();
        const receipt = await send(as(ward.ledger, actor), 'recordAccess', patientRef, subjectRef, action, ZeroHash, false);
        const time = BigInt(await blockTimestamp(chain, receipt.blockNumber));
        expect(eventsOf(receipt, ward.ledger, 'AccessAudited').map((a) => a.toArray())).toEqual([
          [patientRef, actor.address, BigInt(action), subjectRef, ZeroHash, false, time],
        ]);
      }
    });

    it('refuses non-members, pending and revoked members', async () => {
      const stranger = await chain.newWallet();
      const pending = await chain.newWallet();
      await send(as(ward.registry, pending), 'requestRegistration', Role.Nurse, publicKeyOf(pending), randomBytes32());
      await send(ward.registry, 'revoke', insurer.address);
      for (const caller of [stranger, pending, insurer]) {
        const ledger = as(ward.ledger, caller);
        await expectRevert(ledger.recordAccess(randomBytes32(), randomBytes32(), Action.Read, ZeroHash, false), ward.ledger, 'NotMember', [
          caller.address,
        ]);
        await expectRevert(ledger.recordAccessBatch([randomBytes32()], [randomBytes32()], [Action.Read], [ZeroHash], [false]), ward.ledger, 'NotMember', [
          caller.address,
        ]);
      }
    });

    it('a read’s audit fits, with room to spare, the fixed gas limit the core sends it with (no estimate per read)', async () => {
      // The costliest audit: break-glass with a reason commitment, every reference non-zero.
      const receipt = await send(as(ward.ledger, doctor), 'recordAccess', randomBytes32(), randomBytes32(), Action.List, randomBytes32(), true);
      expect(receipt.gasUsed * 2n).toBeLessThanOrEqual(RECORD_ACCESS_GAS_LIMIT);

      const contracts = new WardContracts(String(ward.anchors.target), String(ward.ledger.target), chain.provider);
      const entry = { patientRef: randomBytes32(), subjectRef: randomBytes32(), action: Action.Read, reasonCommitment: ZeroHash, breakGlass: false };
      const sent = await contracts.recordAccess(doctor, entry);
      expect(sent.status).toBe(1);
      expect((await chain.provider.getTransaction(sent.hash))?.gasLimit).toBe(RECORD_ACCESS_GAS_LIMIT);
      expect(eventsOf(sent, ward.ledger, 'AccessAudited').map((a) => a.actor)).toEqual([doctor.address]);
      // A refused audit sent without an estimate still says why (its transaction replayed as a call).
      const stranger = await chain.newWallet();
      await expect(contracts.recordAccess(stranger, entry)).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'Only approved ward members can read records.' });
    });

    it('audits sent by one person at once are all mined, each with its own nonce (two reads at the same moment)', async () => {
      const contracts = new WardContracts(String(ward.anchors.target), String(ward.ledger.target), chain.provider);
      const entry = () => ({ patientRef: randomBytes32(), subjectRef: randomBytes32(), action: Action.Read, reasonCommitment: ZeroHash, breakGlass: false });
      const receipts = await Promise.all([0, 1, 2, 3].map(() => contracts.recordAccess(doctor, entry())));
      expect(receipts.map((r) => r.status)).toEqual([1, 1, 1, 1]);
      const nonces = await Promise.all(receipts.map(async (r) => (await chain.provider.getTransaction(r.hash))!.nonce));
      expect(new Set(nonces).size).toBe(4);
    });

    it('refuses an unknown action code', async () => {
      await expectRevert(
        as(ward.ledger, doctor).recordAccess(randomBytes32(), randomBytes32(), 5, ZeroHash, false),
        ward.ledger,
        'InvalidAction',
        [5n],
      );
    });

    it('allows break-glass only to Doctors and Nurses, and only with a reason', async () => {
      const reason = randomBytes32();
      for (const clinician of [doctor, nurse]) {
        const patientRef = randomBytes32();
        const receipt = await send(as(ward.ledger, clinician), 'recordAccess', patientRef, randomBytes32(), Action.Read, reason, true);
        const [event] = eventsOf(receipt, ward.ledger, 'AccessAudited');
        expect([event.patientRef, event.actor, event.breakGlass, event.reasonCommitment]).toEqual([
          patientRef,
          clinician.address,
          true,
          reason,
        ]);
        await expectRevert(
          as(ward.ledger, clinician).recordAccess(patientRef, randomBytes32(), Action.Read, ZeroHash, true),
          ward.ledger,
          'ReasonRequired',
        );
      }
      for (const other of [patient, insurer, ward.admin]) {
        await expectRevert(
          as(ward.ledger, other).recordAccess(randomBytes32(), randomBytes32(), Action.Read, reason, true),
          ward.ledger,
          'BreakGlassNotAllowed',
          [other.address],
        );
      }
    });

    describe('batch', () => {
      it('emits one event per entry, in order', async () => {
        const n = 4;
        const patientRefs = Array.from({ length: n }, randomBytes32);
        const subjectRefs = Array.from({ length: n }, randomBytes32);
        const actions = [Action.Read, Action.Export, Action.Verify, Action.Amend];
        const reasons = [ZeroHash, ZeroHash, randomBytes32(), randomBytes32()];
        const breakGlass = [false, false, false, true];
        const receipt = await send(as(ward.ledger, nurse), 'recordAccessBatch', patientRefs, subjectRefs, actions, reasons, breakGlass);
        const time = BigInt(await blockTimestamp(chain, receipt.blockNumber));
        expect(eventsOf(receipt, ward.ledger, 'AccessAudited').map((a) => a.toArray())).toEqual(
          patientRefs.map((ref, i) => [ref, nurse.address, BigInt(actions[i]), subjectRefs[i], reasons[i], breakGlass[i], time]),
        );
      });

      it('accepts an empty batch without events', async () => {
        const receipt = await send(as(ward.ledger, doctor), 'recordAccessBatch', [], [], [], [], []);
        expect(eventsOf(receipt, ward.ledger, 'AccessAudited')).toEqual([]);
      });

      it('refuses arrays of different lengths', async () => {
        const ledger = as(ward.ledger, doctor);
        const one = [randomBytes32()];
        const two = [randomBytes32(), randomBytes32()];
        const shapes: unknown[][] = [
          [two, one, [0], [ZeroHash], [false]],
          [one, two, [0], [ZeroHash], [false]],
          [one, one, [0, 0], [ZeroHash], [false]],
          [one, one, [0], [ZeroHash, ZeroHash], [false]],
          [one, one, [0], [ZeroHash], [false, false]],
        ];
        for (const args of shapes) await expectRevert(ledger.recordAccessBatch(...args), ward.ledger, 'LengthMismatch');
      });

      it('applies the single-entry rules to every entry and reverts the whole batch', async () => {
        const refs = [randomBytes32(), randomBytes32()];
        await expectRevert(
          as(ward.ledger, insurer).recordAccessBatch(refs, refs, [0, 0], [randomBytes32(), randomBytes32()], [false, true]),
          ward.ledger,
          'BreakGlassNotAllowed',
          [insurer.address],
        );
        await expectRevert(
          as(ward.ledger, doctor).recordAccessBatch(refs, refs, [0, 0], [ZeroHash, ZeroHash], [false, true]),
          ward.ledger,
          'ReasonRequired',
        );
        await expectRevert(as(ward.ledger, doctor).recordAccessBatch(refs, refs, [0, 7], [ZeroHash, ZeroHash], [false, false]), ward.ledger, 'InvalidAction', [
          7n,
        ]);
      });
    });
  });
});
