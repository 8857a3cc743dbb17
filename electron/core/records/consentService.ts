/**
 * The patient's consent: grant and revoke read access. A grant is an AccessGranted event on the
 * chain and re-wraps every key scope of the patient (and their profile) for the grantee, so what
 * exists becomes readable and future records include them. A revoke is an AccessRevoked event and
 * ends the current scope so future records leave the grantee out; what was shared stays readable
 * to them, and the UI says so.
 */
import { ethers } from 'ethers';
import type { ConsentGrant } from '../model/records';
import type { PersonRef, Role } from '../model/people';
import type { WardContracts } from '../chain/wardContracts';
import { WardError } from '../model/errors';
import { addScopeRecipients, type KeyScope } from '../crypto/keyScope';
import type { Actor } from '../identity/actor';
import type { IdentityService } from '../identity/identityService';
import type { People } from '../identity/people';
import type { ConsentEntry } from '../storage/storeTypes';
import type { WardStore } from '../storage/wardStore';

/** Whom a patient may share their record with. */
const grantableRoles: readonly Role[] = ['doctor', 'nurse', 'insurer'];

export const revokeNotice =
  'Access is revoked for new records from now on. Records already shared with them stay readable to them: encrypted copies they could open cannot be recalled.';

export class ConsentService {
  constructor(
    private readonly store: () => WardStore,
    private readonly contracts: () => WardContracts,
    private readonly identity: IdentityService,
    private readonly provider: () => ethers.Provider,
    private readonly people: People,
  ) {}

  /** The patient's grants (past ones with when they ended), and whom they could share with. */
  async list(patient: Actor): Promise<{ grants: ConsentGrant[]; candidates: PersonRef[] }> {
    const names = this.people.namesFor(patient);
    const candidates = await Promise.all((await this.people.approved(grantableRoles)).map((m) => names.ref(m.address)));
    const history = await this.store().consentHistory(patient.address);
    const grantees = [...new Set(history.map((c) => c.grantee))];
    const named = new Map(await Promise.all(grantees.map(async (g) => [g, await names.ref(g)] as const)));
    return { grants: grantsOf(history, (a) => named.get(a)!), candidates };
  }

  /** Share the patient's record, past and future, with an approved clinician or insurer. */
  async grant(patient: Actor, granteeAddress: string): Promise<{ grant: ConsentGrant; recordsShared: number }> {
    const grantee = await this.identity.member(granteeAddress);
    if (!grantee || grantee.status !== 'approved' || !grantableRoles.includes(grantee.role)) {
      throw new WardError('BAD_INPUT', 'You can share your record with approved doctors, nurses and insurers only.', { fields: { grantee: 'Choose an approved doctor, nurse or insurer.' } });
    }
    const store = this.store();
    if (store.hasGrant(patient.address, grantee.address)) throw new WardError('CONFLICT', 'That person can already read your record.');
    const receipt = await this.contracts().grant(patient.wallet.connect(this.provider()), grantee.address);
    // Re-wrap every scope key of the patient for the grantee (the patient is a reader of each).
    const rewrapped: KeyScope[] = [];
    for (const id of await store.scopesOf(patient.address)) {
      const scope = await store.scope(id);
      if (scope) rewrapped.push(addScopeRecipients(scope, patient.wallet.privateKey, [grantee.publicKey]));
    }
    const at = Date.now();
    await store.write((w) => {
      for (const scope of rewrapped) w.scopeKeys(scope);
      w.consent({ t: 'consent', patient: patient.address, grantee: grantee.address, action: 'grant', at, tx: receipt.hash });
    });
    try {
      this.identity.shareProfile(patient.address, patient.wallet.privateKey, [grantee.publicKey]);
    } catch {
      // The profile lives on another workstation; the grantee sees the pseudonymous id instead.
    }
    const named = await this.people.namesFor(patient).ref(grantee.address);
    return { grant: { grantee: named, grantedAt: new Date(at).toISOString(), revokedAt: null }, recordsShared: await store.countOf(patient.address) };
  }

  /** Stop sharing future records; the notice says what stays readable. */
  async revoke(patient: Actor, granteeAddress: string): Promise<{ grant: ConsentGrant; notice: string }> {
    const grantee = ethers.getAddress(granteeAddress);
    const store = this.store();
    if (!store.hasGrant(patient.address, grantee)) throw new WardError('CONFLICT', 'That person has no access to revoke.');
    const receipt = await this.contracts().revoke(patient.wallet.connect(this.provider()), grantee);
    const at = Date.now();
    const current = store.currentScope(patient.address);
    await store.write((w) => {
      if (current) w.scopeEnd(patient.address, current);
      w.consent({ t: 'consent', patient: patient.address, grantee, action: 'revoke', at, tx: receipt.hash });
    });
    const named = await this.people.namesFor(patient).ref(grantee);
    const granted = grantsOf(await store.consentHistory(patient.address), (a) => ({ ...named, address: a })).find((g) => g.grantee.address === grantee);
    return { grant: { grantee: named, grantedAt: granted?.grantedAt ?? new Date(at).toISOString(), revokedAt: new Date(at).toISOString() }, notice: revokeNotice };
  }
}

/** A patient's grants from their consent history (oldest first): each grantee's last grant, and when it ended. */
function grantsOf(history: readonly ConsentEntry[], names: (a: string) => PersonRef): ConsentGrant[] {
  const byGrantee = new Map<string, ConsentGrant>();
  for (const c of history) {
    if (c.action === 'grant') byGrantee.set(c.grantee, { grantee: names(c.grantee), grantedAt: new Date(c.at).toISOString(), revokedAt: null });
    else {
      const g = byGrantee.get(c.grantee);
      if (g) g.revokedAt = new Date(c.at).toISOString();
    }
  }
  return [...byGrantee.values()];
}
