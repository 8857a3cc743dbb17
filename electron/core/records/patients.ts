/** Patients as the record pipeline needs them: their chain account and public key, and pseudonym. */
import { ethers } from 'ethers';
import { patientRef } from '../crypto/commitment';
import type { IdentityService } from '../identity/identityService';
import { WardError } from '../model/errors';

export interface PatientKey {
  address: string;
  publicKey: string;
}

export class Patients {
  private readonly keys = new Map<string, PatientKey>();
  /** Patients registered on this ward from another ward's transfer of care (records/incomingTransfers.ts). */
  transferred: ((address: string) => Promise<PatientKey | null>) | null = null;

  constructor(private readonly identity: IdentityService) {}

  /** The pseudonymous reference the chain, the anchors and exports use for a patient. */
  refOf(patient: string): string {
    return patientRef(this.identity.wardConfig.pseudonymSecret, patient);
  }

  /** An approved patient's account and public key, read from the chain (or registered at a transfer's admission), or NOT_FOUND. */
  async require(address: string): Promise<PatientKey> {
    const m = await this.identity.member(address);
    if (!m) {
      const transferred = await this.transferred?.(address);
      if (transferred) return transferred;
    }
    if (!m || m.role !== 'patient' || m.status !== 'approved') throw new WardError('NOT_FOUND', 'There is no registered patient with that account.');
    return { address: m.address, publicKey: m.publicKey };
  }

  /** Like require, remembered for the process (a patient's key never changes). */
  async keyOf(address: string): Promise<PatientKey> {
    // Keyed by the address as given too: normalising it costs a keccak (EIP-55) per reading.
    let p = this.keys.get(address);
    if (!p) {
      const a = ethers.getAddress(address);
      p = this.keys.get(a) ?? (await this.require(a));
      this.keys.set(a, p);
      this.keys.set(address, p);
    }
    return p;
  }
}
