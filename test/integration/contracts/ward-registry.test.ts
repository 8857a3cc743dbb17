import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContractFactory, ZeroAddress, concat, type Wallet } from 'ethers';
import {
  Role,
  Status,
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

type Artifacts = Awaited<ReturnType<typeof loadArtifacts>>;

describe('WardRegistry (berlin, zero gas price, unfunded senders)', () => {
  let artifacts: Artifacts;
  let chain: TestChain;
  let ward: Ward;

  beforeAll(async () => {
    artifacts = await loadArtifacts();
    chain = await startChain('berlin-zero-gas');
  });
  afterAll(async () => chain.close());
  beforeEach(async () => {
    ward = await deployWard(chain, artifacts);
  });

  async function request(wallet: Wallet, role: number, commitment = randomBytes32()) {
    return send(as(ward.registry, wallet), 'requestRegistration', role, publicKeyOf(wallet), commitment);
  }

  describe('constructor', () => {
    it('makes the deployer an Approved ITAdmin with its key and commitment, announced by events', async () => {
      const { registry, admin } = ward;
      const m = await registry.member(admin.address);
      expect(Number(m.role)).toBe(Role.ITAdmin);
      expect(Number(m.status)).toBe(Status.Approved);
      expect(m.publicKey).toBe(publicKeyOf(admin));
      expect(m.decidedBy).toBe(admin.address);
      expect(await registry.hasRole(admin.address, Role.ITAdmin)).toBe(true);
      expect(await registry.memberCount()).toBe(1n);
      expect(await registry.memberAt(0)).toBe(admin.address);

      const receipt = ward.deployReceipts.registry;
      expect(eventsOf(receipt, registry, 'RegistrationRequested').map((a) => a.toArray())).toEqual([
        [admin.address, BigInt(Role.ITAdmin)],
      ]);
      expect(eventsOf(receipt, registry, 'MemberApproved').map((a) => a.toArray())).toEqual([
        [admin.address, BigInt(Role.ITAdmin), admin.address],
      ]);
    });

    it("refuses a public key that is not the deployer's", async () => {
      const deployer = await chain.newWallet();
      const other = await chain.newWallet();
      const factory = new ContractFactory(artifacts.WardRegistry.abi, artifacts.WardRegistry.bytecode, deployer);
      await expectRevert(factory.deploy(publicKeyOf(other), randomBytes32()), factory, 'PublicKeyMismatch');
    });
  });

  describe('registration', () => {
    it('approves a patient at once and records request and decision', async () => {
      const patient = await chain.newWallet();
      const commitment = randomBytes32();
      const receipt = await request(patient, Role.Patient, commitment);

      expect(eventsOf(receipt, ward.registry, 'RegistrationRequested').map((a) => a.toArray())).toEqual([
        [patient.address, BigInt(Role.Patient)],
      ]);
      expect(eventsOf(receipt, ward.registry, 'MemberApproved').map((a) => a.toArray())).toEqual([
        [patient.address, BigInt(Role.Patient), patient.address],
      ]);
      const m = await ward.registry.member(patient.address);
      const time = BigInt(await blockTimestamp(chain, receipt.blockNumber));
      expect([Number(m.role), Number(m.status), m.profileCommitment, m.requestedAt, m.decidedAt]).toEqual([
        Role.Patient,
        Status.Approved,
        commitment,
        time,
        time,
      ]);
      expect(await ward.registry.hasRole(patient.address, Role.Patient)).toBe(true);
      expect(await ward.registry.approvedRole(patient.address)).toBe(BigInt(Role.Patient));
    });

    for (const [name, role] of Object.entries(Role).filter(([, r]) => r !== Role.None && r !== Role.Patient)) {
      it(`keeps a ${name} Pending, with no role, until approved`, async () => {
        const staff = await chain.newWallet();
        const receipt = await request(staff, role);
        expect(eventsOf(receipt, ward.registry, 'MemberApproved')).toEqual([]);
        const m = await ward.registry.member(staff.address);
        expect([Number(m.role), Number(m.status), m.decidedAt, m.decidedBy]).toEqual([role, Status.Pending, 0n, ZeroAddress]);
        expect(await ward.registry.hasRole(staff.address, role)).toBe(false);
        expect(await ward.registry.approvedRole(staff.address)).toBe(BigInt(Role.None));

        const approval = await send(ward.registry, 'approve', staff.address);
        expect(eventsOf(approval, ward.registry, 'MemberApproved').map((a) => a.toArray())).toEqual([
          [staff.address, BigInt(role), ward.admin.address],
        ]);
        const after = await ward.registry.member(staff.address);
        expect([Number(after.status), after.decidedBy]).toEqual([Status.Approved, ward.admin.address]);
        expect(after.decidedAt).toBe(BigInt(await blockTimestamp(chain, approval.blockNumber)));
        expect(await ward.registry.hasRole(staff.address, role)).toBe(true);
      });
    }

    it('lists every account once, in request order', async () => {
      const a = await chain.newWallet();
      const b = await chain.newWallet();
      await request(a, Role.Doctor);
      await request(b, Role.Patient);
      await send(ward.registry, 'reject', a.address);
      await request(a, Role.Nurse); // a second request does not add a second entry
      expect(await ward.registry.memberCount()).toBe(3n);
      expect([await ward.registry.memberAt(1), await ward.registry.memberAt(2)]).toEqual([a.address, b.address]);
      await expectRevert(ward.registry.memberAt(3), ward.registry, 'IndexOutOfBounds', [3n, 3n]);
    });

    it('refuses Role.None', async () => {
      const w = await chain.newWallet();
      await expectRevert(as(ward.registry, w).requestRegistration(Role.None, publicKeyOf(w), randomBytes32()), ward.registry, 'InvalidRole');
    });

    it("refuses another account's key, a prefixed 65-byte key and a short key", async () => {
      const w = await chain.newWallet();
      const other = await chain.newWallet();
      const reg = as(ward.registry, w);
      const badKeys = [publicKeyOf(other), w.signingKey.publicKey, concat([publicKeyOf(w), '0x00']), `0x${publicKeyOf(w).slice(4)}`];
      for (const key of badKeys) {
        await expectRevert(reg.requestRegistration(Role.Patient, key, randomBytes32()), ward.registry, 'PublicKeyMismatch');
      }
      expect(await ward.registry.memberCount()).toBe(1n);
    });

    it('refuses a second request while Pending or Approved', async () => {
      const doctor = await chain.newWallet();
      await request(doctor, Role.Doctor);
      const reg = as(ward.registry, doctor);
      await expectRevert(reg.requestRegistration(Role.Patient, publicKeyOf(doctor), randomBytes32()), ward.registry, 'AlreadyRegistered', [
        doctor.address,
      ]);
      await send(ward.registry, 'approve', doctor.address);
      await expectRevert(reg.requestRegistration(Role.Nurse, publicKeyOf(doctor), randomBytes32()), ward.registry, 'AlreadyRegistered', [
        doctor.address,
      ]);
      await expectRevert(
        as(ward.registry, ward.admin).requestRegistration(Role.Doctor, publicKeyOf(ward.admin), randomBytes32()),
        ward.registry,
        'AlreadyRegistered',
        [ward.admin.address],
      );
    });
  });

  describe('reject and revoke', () => {
    it('rejects a pending request; the account may ask again', async () => {
      const nurse = await chain.newWallet();
      await request(nurse, Role.Nurse);
      const receipt = await send(ward.registry, 'reject', nurse.address);
      expect(eventsOf(receipt, ward.registry, 'MemberRejected').map((a) => a.toArray())).toEqual([
        [nurse.address, BigInt(Role.Nurse), ward.admin.address],
      ]);
      expect(Number((await ward.registry.member(nurse.address)).status)).toBe(Status.Rejected);
      expect(await ward.registry.hasRole(nurse.address, Role.Nurse)).toBe(false);

      const again = await request(nurse, Role.Insurer);
      expect(eventsOf(again, ward.registry, 'RegistrationRequested').map((a) => a.toArray())).toEqual([
        [nurse.address, BigInt(Role.Insurer)],
      ]);
      const m = await ward.registry.member(nurse.address);
      expect([Number(m.role), Number(m.status), m.decidedBy]).toEqual([Role.Insurer, Status.Pending, ZeroAddress]);
    });

    it('revokes an approved member, who loses the role and may ask again', async () => {
      const doctor = await enrol(chain, ward, Role.Doctor);
      const receipt = await send(ward.registry, 'revoke', doctor.address);
      expect(eventsOf(receipt, ward.registry, 'MemberRevoked').map((a) => a.toArray())).toEqual([
        [doctor.address, BigInt(Role.Doctor), ward.admin.address],
      ]);
      expect(Number((await ward.registry.member(doctor.address)).status)).toBe(Status.Revoked);
      expect(await ward.registry.hasRole(doctor.address, Role.Doctor)).toBe(false);
      expect(await ward.registry.approvedRole(doctor.address)).toBe(0n);

      await request(doctor, Role.Doctor);
      expect(Number((await ward.registry.member(doctor.address)).status)).toBe(Status.Pending);
    });

    it('lets a second admin revoke the first, who then loses admin rights', async () => {
      const admin2 = await enrol(chain, ward, Role.ITAdmin);
      await send(as(ward.registry, admin2), 'revoke', ward.admin.address);
      const doctor = await chain.newWallet();
      await request(doctor, Role.Doctor);
      await expectRevert(ward.registry.approve(doctor.address), ward.registry, 'NotITAdmin', [ward.admin.address]);
      await send(as(ward.registry, admin2), 'approve', doctor.address);
      expect(await ward.registry.hasRole(doctor.address, Role.Doctor)).toBe(true);
    });

    it('refuses an admin revoking itself', async () => {
      await expectRevert(ward.registry.revoke(ward.admin.address), ward.registry, 'CannotRevokeSelf');
    });

    it('approve/reject need a Pending target; revoke needs an Approved one', async () => {
      const stranger = await chain.newWallet();
      const patient = await enrol(chain, ward, Role.Patient);
      const pending = await chain.newWallet();
      await request(pending, Role.Doctor);
      for (const target of [stranger, patient]) {
        await expectRevert(ward.registry.approve(target.address), ward.registry, 'NotPending', [target.address]);
        await expectRevert(ward.registry.reject(target.address), ward.registry, 'NotPending', [target.address]);
      }
      for (const target of [stranger, pending]) {
        await expectRevert(ward.registry.revoke(target.address), ward.registry, 'NotApproved', [target.address]);
      }
    });
  });

  describe('authorisation', () => {
    it('only an Approved ITAdmin may approve, reject or revoke', async () => {
      const target = await chain.newWallet();
      await request(target, Role.Nurse);
      const approvedPatient = await enrol(chain, ward, Role.Patient);
      const callers: Wallet[] = [approvedPatient, await chain.newWallet()];
      for (const role of [Role.Doctor, Role.Nurse, Role.Insurer]) callers.push(await enrol(chain, ward, role));
      const pendingAdmin = await chain.newWallet();
      await request(pendingAdmin, Role.ITAdmin);
      const revokedAdmin = await enrol(chain, ward, Role.ITAdmin);
      await send(ward.registry, 'revoke', revokedAdmin.address);
      callers.push(pendingAdmin, revokedAdmin);

      for (const caller of callers) {
        const reg = as(ward.registry, caller);
        await expectRevert(reg.approve(target.address), ward.registry, 'NotITAdmin', [caller.address]);
        await expectRevert(reg.reject(target.address), ward.registry, 'NotITAdmin', [caller.address]);
        await expectRevert(reg.revoke(approvedPatient.address), ward.registry, 'NotITAdmin', [caller.address]);
      }
      expect(Number((await ward.registry.member(target.address)).status)).toBe(Status.Pending);
      expect(await ward.registry.hasRole(approvedPatient.address, Role.Patient)).toBe(true);
    });

    it('hasRole is false for Role.None and for a role the account does not hold', async () => {
      const stranger = await chain.newWallet();
      expect(await ward.registry.hasRole(stranger.address, Role.None)).toBe(false);
      expect(await ward.registry.hasRole(ward.admin.address, Role.None)).toBe(false);
      expect(await ward.registry.hasRole(ward.admin.address, Role.Doctor)).toBe(false);
    });
  });
});
