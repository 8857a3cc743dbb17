/**
 * Who may read and write a patient's record, and why. Authorisation is enforced here (and in the
 * contracts for consent and audit), never only in the UI.
 */
import { ethers } from 'ethers';
import type { Actor } from '../identity/actor';
import { WardError } from '../model/errors';
import type { CareChange } from '../model/ward';
import type { WardStore } from '../storage/wardStore';

export type AccessBasis = 'own' | 'care-team' | 'responsible-doctor' | 'consent' | 'break-glass';

/**
 * What the records need to know of the ward (ward/admissions.ts): whether a patient is admitted (and since when),
 * their responsible doctor, the NEWS2 scale in force, and how the care relationships changed (for
 * the access log). Declared here so the records do not depend on the ward layer above them.
 */
export interface CareRelations {
  currentOf(patient: string): { responsibleDoctor: string | null; news2Scale: 1 | 2; admittedAt: number } | null;
  /** Changes of care relationship of one patient (or the whole ward), oldest first. */
  changesOf(patient: string | null): readonly CareChange[];
}

export class AccessPolicy {
  /**
   * Whether a patient of another ward shared their record with this person over the consortium
   * (records/crossWardShares.ts): a read-only consent basis for that person alone.
   */
  sharedAcrossWards: ((patient: string, person: string) => boolean) | null = null;

  constructor(
    private readonly store: () => WardStore,
    private readonly care: CareRelations,
  ) {}

  /**
   * Why this actor may read this patient's record, or a FORBIDDEN error that says what would
   * allow it (break-glass for clinicians).
   */
  basis(actor: Actor, patient: string, breakGlassReason?: string): AccessBasis {
    const p = ethers.getAddress(patient);
    if (actor.role === 'patient') {
      if (actor.address === p) return 'own';
      throw new WardError('FORBIDDEN', 'Patients can read only their own record.');
    }
    if (this.store().hasGrant(p, actor.address)) return 'consent';
    // Care on this ward before a share from another ward: a clinician caring for the patient here
    // (a transferred patient admitted since) writes as the care team, not as a reader of a share.
    const admission = this.care.currentOf(p);
    if (actor.role === 'nurse' && admission) return 'care-team';
    if (actor.role === 'doctor' && admission?.responsibleDoctor === actor.address) return 'responsible-doctor';
    if ((actor.role === 'doctor' || actor.role === 'nurse') && this.sharedAcrossWards?.(p, actor.address)) return 'consent';
    if ((actor.role === 'doctor' || actor.role === 'nurse') && breakGlassReason) return 'break-glass';
    if (actor.role === 'doctor' || actor.role === 'nurse') {
      throw new WardError('FORBIDDEN', 'This patient is not in your care. In an emergency you can use break-glass access with a written reason; it is audited.', {
        breakGlassAvailable: true,
      });
    }
    throw new WardError('FORBIDDEN', 'The patient has not shared their record with you.');
  }

  /** Whether the actor may open the patient's record without break-glass (what lists may show them). */
  mayRead(actor: Actor, patient: string): boolean {
    try {
      this.basis(actor, patient);
      return true;
    } catch (e) {
      if (e instanceof WardError && e.code === 'FORBIDDEN') return false;
      throw e;
    }
  }

  /** The patients who have shared their record with this person (by consent in force). */
  grantorsOf(grantee: string): Promise<string[]> {
    return this.store().grantors(grantee);
  }

  /** Writing needs read access too; insurers who were shared a record still cannot write to it. */
  requireWrite(actor: Actor, patient: string): void {
    const refusal = this.writeRefusal(actor, patient);
    if (refusal) throw new WardError('FORBIDDEN', refusal);
  }

  /**
   * Why this reader may read but not write the patient's record (what the record page says in
   * place of its write actions), or null when they may write. `basis`: the reader's, when already
   * decided (a read); else decided here, throwing as `basis` does when they may not read.
   */
  writeRefusal(actor: Actor, patient: string, basis: AccessBasis = this.basis(actor, patient)): string | null {
    if (basis === 'break-glass') return 'Emergency access lets you read this record. To add to it, the patient must be in your care on this ward.';
    if (basis !== 'consent') return null;
    if (actor.role === 'insurer') return 'Insurers cannot write records.';
    if (!this.store().hasGrant(ethers.getAddress(patient), actor.address)) {
      return 'This record was shared with you from another ward to read. New records are written on the ward that cares for the patient.';
    }
    return null;
  }
}
