/**
 * The patient's consent: grant and revoke read access. A grant is an AccessGranted event on the
 * chain and re-wraps every key scope of the patient (and their profile) for the grantee, so what
 * exists becomes readable and future records include them. A revoke is an AccessRevoked event and
 * ends the current scope so future records leave the grantee out; what was shared stays readable
 * to them, and the UI says so.
 *
 * The chain is the truth (issue 9 item 4). Each grant or revoke is journalled before its
 * transaction with everything its local write needs (a grant's re-wrapped scope keys are computed
 * first: they need the patient's key, which a restart does not have); a crash or failure between
 * the transaction and the local write is settled from the chain at start and before a retry, and a
 * retry that finds the chain already changed finishes the local write instead of refusing.
 */
import { ethers } from 'ethers';
import type { ConsentGrant } from '../model/records';
import type { PersonRef, Role } from '../model/people';
import type { WardContracts } from '../chain/wardContracts';
import { WardError } from '../model/errors';
import { addScopeRecipients, type KeyScope } from '../crypto/keyScope';
import { failpoint } from '../platform/failpoint';
import type { Intent, IntentJournal } from '../platform/intentJournal';
import { log } from '../platform/log';
import type { Actor } from '../identity/actor';
import type { IdentityService } from '../identity/identityService';
import type { People } from '../identity/people';
import type { ConsentEntry } from '../storage/storeTypes';
import type { WardStore } from '../storage/wardStore';

/** Whom a patient may share their record with. */
const grantableRoles: readonly Role[] = ['doctor', 'nurse', 'insurer'];

export const revokeNotice =
  'Access is revoked for new records from now on. Records already shared with them stay readable to them: encrypted copies they could open cannot be recalled.';

interface ConsentIntent {
  patient: string;
  grantee: string;
  /** For a grant: the grantee's public key, and the patient's scopes re-wrapped for them. */
  granteeKey?: string;
  scopes?: KeyScope[];
}

/** Journal kinds: 'consent.grant', 'consent.revoke', and 'consent.profile' (share the profile at the patient's next visit). */
const INTENT = 'consent';

export class ConsentService {
  /** Patients whose consent is being changed now (one change per patient at a time). */
  private readonly busy = new Set<string>();

  constructor(
    private readonly store: () => WardStore,
    private readonly contracts: () => WardContracts,
    private readonly identity: IdentityService,
    private readonly provider: () => ethers.Provider,
    private readonly people: People,
    private readonly journal: IntentJournal,
  ) {}

  /** The patient's grants (past ones with when they ended), and whom they could share with. */
  async list(patient: Actor): Promise<{ grants: ConsentGrant[]; candidates: PersonRef[] }> {
    this.shareProfilesLeftOver(patient);
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
    return this.exclusively(patient, async (settled) => {
      const done = settled.includes('grant');
      if (!done && this.store().hasGrant(patient.address, grantee.address)) throw new WardError('CONFLICT', 'That person can already read your record.');
      // Already granted on the chain with no local trace (no intent): the chain is the truth, finish locally.
      const onChain = !done && (await this.contracts().isGranted(patient.address, grantee.address));
      if (!done) {
        const payload: ConsentIntent = { patient: patient.address, grantee: grantee.address, granteeKey: grantee.publicKey, scopes: await this.rewrapped(patient, grantee.publicKey) };
        if (onChain) {
          const mined = await this.contracts().findConsentChange('grant', patient.address, grantee.address, this.identity.wardConfig.registryBlock);
          await this.applyGrant(payload, mined?.tx ?? '', Date.now());
        } else {
          await this.run('grant', payload, (signer) => this.contracts().grant(signer, grantee.address), patient);
        }
      }
      this.shareProfile(patient, grantee.publicKey);
      const g = (await this.store().grants(patient.address)).get(grantee.address)!;
      const named = await this.people.namesFor(patient).ref(grantee.address);
      return { grant: { grantee: named, grantedAt: new Date(g.at).toISOString(), revokedAt: null }, recordsShared: await this.store().countOf(patient.address) };
    });
  }

  /** Stop sharing future records; the notice says what stays readable. */
  async revoke(patient: Actor, granteeAddress: string): Promise<{ grant: ConsentGrant; notice: string }> {
    const grantee = ethers.getAddress(granteeAddress);
    return this.exclusively(patient, async (settled) => {
      if (!settled.includes('revoke')) {
        // The chain is the truth: revoke there what it has; finish here what it already revoked.
        const local = this.store().hasGrant(patient.address, grantee);
        const onChain = await this.contracts().isGranted(patient.address, grantee);
        if (!local && !onChain) throw new WardError('CONFLICT', 'That person has no access to revoke.');
        if (onChain) await this.run('revoke', { patient: patient.address, grantee }, (signer) => this.contracts().revoke(signer, grantee), patient);
        else {
          const mined = await this.contracts().findConsentChange('revoke', patient.address, grantee, this.identity.wardConfig.registryBlock);
          await this.applyRevoke({ patient: patient.address, grantee }, mined?.tx ?? '', Date.now());
        }
      }
      const named = await this.people.namesFor(patient).ref(grantee);
      const granted = grantsOf(await this.store().consentHistory(patient.address), (a) => ({ ...named, address: a })).find((g) => g.grantee.address === grantee);
      const revokedAt = granted?.revokedAt ?? new Date().toISOString();
      return { grant: { grantee: named, grantedAt: granted?.grantedAt ?? revokedAt, revokedAt }, notice: revokeNotice };
    });
  }

  /** At start: settle every interrupted grant and revoke from the chain. */
  async reconcile(): Promise<number> {
    let settled = 0;
    for (const intent of this.journal.pending<ConsentIntent>(INTENT)) if (intent.kind !== `${INTENT}.profile` && (await this.settle(intent))) settled++;
    if (settled) log('warn', 'consent.reconciled', { settled });
    return settled;
  }

  /**
   * One change per patient at a time; the patient's interrupted changes are settled first, and
   * `change` is told which kinds the chain had taken (so a retry of one is done).
   */
  private async exclusively<T>(patient: Actor, change: (settled: Array<'grant' | 'revoke'>) => Promise<T>): Promise<T> {
    if (this.busy.has(patient.address)) throw new WardError('CONFLICT', 'A change of who may read your record is being saved; try again in a moment.');
    this.busy.add(patient.address);
    try {
      const settled: Array<'grant' | 'revoke'> = [];
      for (const intent of this.journal.pending<ConsentIntent>(INTENT)) {
        if (intent.payload.patient !== patient.address || intent.kind === `${INTENT}.profile`) continue;
        if (await this.settle(intent)) settled.push(intent.kind === `${INTENT}.grant` ? 'grant' : 'revoke');
      }
      this.shareProfilesLeftOver(patient);
      return await change(settled);
    } finally {
      this.busy.delete(patient.address);
    }
  }

  /** Every scope key of the patient, wrapped for the grantee too (needs the patient's key: done before the transaction). */
  private async rewrapped(patient: Actor, granteeKey: string): Promise<KeyScope[]> {
    const store = this.store();
    const out: KeyScope[] = [];
    for (const id of await store.scopesOf(patient.address)) {
      const scope = await store.scope(id);
      if (scope) out.push(addScopeRecipients(scope, patient.wallet.privateKey, [granteeKey]));
    }
    return out;
  }

  /** Intent → transaction by the patient → local write → intent done. */
  private async run(kind: 'grant' | 'revoke', payload: ConsentIntent, send: (signer: ethers.Signer) => Promise<ethers.TransactionReceipt>, patient: Actor): Promise<void> {
    const intent = this.journal.begin(`${INTENT}.${kind}`, await this.provider().getBlockNumber(), payload);
    let receipt: ethers.TransactionReceipt;
    try {
      receipt = await send(patient.wallet.connect(this.provider()));
    } catch (e) {
      this.journal.end(intent.id);
      throw e;
    }
    failpoint(`consent.${kind}.sent`);
    if (kind === 'grant') await this.applyGrant(payload, receipt.hash, Date.now());
    else await this.applyRevoke(payload, receipt.hash, Date.now());
    this.journal.end(intent.id);
  }

  private async applyGrant(c: ConsentIntent, tx: string, at: number): Promise<void> {
    // Merged into the scopes as they are now: a scope's wrappings all wrap the same key.
    const store = this.store();
    const scopes = await Promise.all((c.scopes ?? []).map(async (s) => withRecipientsOf((await store.scope(s.scopeId)) ?? s, s)));
    await store.write((w) => {
      for (const scope of scopes) w.scopeKeys(scope);
      w.consent({ t: 'consent', patient: c.patient, grantee: c.grantee, action: 'grant', at, tx });
    });
  }

  private async applyRevoke(c: ConsentIntent, tx: string, at: number): Promise<void> {
    const store = this.store();
    const current = store.currentScope(c.patient);
    await store.write((w) => {
      if (current) w.scopeEnd(c.patient, current);
      w.consent({ t: 'consent', patient: c.patient, grantee: c.grantee, action: 'revoke', at, tx });
    });
  }


  /** Finish an interrupted grant or revoke if the chain has it, else forget it. Returns whether it was finished. */
  private async settle(intent: Intent<ConsentIntent>): Promise<boolean> {
    const c = intent.payload;
    const grant = intent.kind === `${INTENT}.grant`;
    const granted = await this.contracts().isGranted(c.patient, c.grantee);
    const local = this.store().hasGrant(c.patient, c.grantee);
    const inEffect = grant ? granted && !local : !granted && local;
    if (inEffect) {
      const mined = await this.contracts().findConsentChange(grant ? 'grant' : 'revoke', c.patient, c.grantee, intent.fromBlock);
      if (grant) {
        await this.applyGrant(c, mined?.tx ?? '', intent.at);
        // The profile is shared at the patient's next visit: that needs their key.
        this.journal.begin(`${INTENT}.profile`, intent.fromBlock, { patient: c.patient, grantee: c.grantee, granteeKey: c.granteeKey });
      } else await this.applyRevoke(c, mined?.tx ?? '', intent.at);
    }
    this.journal.end(intent.id);
    return inEffect;
  }

  /** Profiles of grants settled while the patient was away, shared now that their key is here. */
  private shareProfilesLeftOver(patient: Actor): void {
    for (const intent of this.journal.pending<ConsentIntent>(`${INTENT}.profile`)) {
      if (intent.payload.patient !== patient.address) continue;
      this.shareProfile(patient, intent.payload.granteeKey!);
      this.journal.end(intent.id);
    }
  }

  private shareProfile(patient: Actor, granteeKey: string): void {
    try {
      this.identity.shareProfile(patient.address, patient.wallet.privateKey, [granteeKey]);
    } catch {
      // The profile lives on another workstation; the grantee sees the pseudonymous id instead.
    }
  }
}

/** `scope` with the wrappings of `other` it lacks (both wrap the same scope key). */
function withRecipientsOf(scope: KeyScope, other: KeyScope): KeyScope {
  const present = new Set(scope.keys.recipients.map((r) => r.recipient.toLowerCase()));
  const added = other.keys.recipients.filter((r) => !present.has(r.recipient.toLowerCase()));
  return added.length ? { ...scope, keys: { ...scope.keys, recipients: [...scope.keys.recipients, ...added] } } : scope;
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
