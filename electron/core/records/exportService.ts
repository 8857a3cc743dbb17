/**
 * FHIR export of a patient's record (audited), and verification of an export file against this
 * ward's chain (audited when it names one of this ward's patients). The file format and its
 * checks are in fhirExchange.ts.
 */
import { ethers } from 'ethers';
import type { WardNode } from '../chain/wardNode';
import type { Actor } from '../identity/actor';
import type { IdentityService } from '../identity/identityService';
import type { People } from '../identity/people';
import type { VerificationReport } from '../model/records';
import type { AccessPolicy } from './access';
import type { AuditTrail } from './auditTrail';
import { exportBundle, verifyExport } from './fhirExchange';
import type { Patients } from './patients';
import type { RecordReader } from './recordReader';
import type { AnchorRef } from '../storage/storedRecord';
import type { WardStore } from '../storage/wardStore';
import type { OpenedRecord } from './provenance';
import type { RecordVerifier } from './recordVerifier';

export class ExportService {
  constructor(
    private readonly node: WardNode,
    private readonly identity: IdentityService,
    private readonly store: () => WardStore,
    private readonly patients: Patients,
    private readonly access: AccessPolicy,
    private readonly reader: RecordReader,
    private readonly verifier: RecordVerifier,
    private readonly audit: AuditTrail,
    private readonly people: People,
  ) {}

  private get anchorsContract(): string {
    return this.identity.wardConfig.contracts.anchors;
  }

  /** The patient's records as a FHIR R4 Bundle, with everything needed to verify them. */
  async exportFor(actor: Actor, patientAddress: string): Promise<{ filename: string; bundle: unknown }> {
    const patient = ethers.getAddress(patientAddress);
    this.access.basis(actor, patient);
    const { opened, anchors } = await this.wholeHistory(actor, patient);
    const person = await this.people.namesFor(actor).person(patient);
    const patientRef = this.patients.refOf(patient);
    const bundle = exportBundle(patientRef, person.age >= 0 ? person.name : undefined, opened, (id) => anchors.get(id), {
      chainId: this.node.options.chainId,
      contract: this.anchorsContract,
    });
    await this.audit.record(actor, patient, 'export');
    return { filename: `wardledger-${patientRef.slice(2, 10)}-${new Date().toISOString().slice(0, 10)}.fhir.json`, bundle };
  }

  /** Every record of the patient, oldest first, verified, with the proofs an export carries. */
  private async wholeHistory(actor: Actor, patient: string): Promise<{ opened: OpenedRecord[]; anchors: Map<string, AnchorRef> }> {
    const opened: OpenedRecord[] = [];
    const anchors = new Map<string, AnchorRef>();
    let cursor: string | null = null;
    do {
      const page = await this.store().window(patient, { order: 'asc', limit: 2000, cursor, proofs: true });
      const verified = await this.reader.openEntries(actor, page.items);
      page.items.forEach((e, i) => {
        // The stored record as read now (with its proofs), with what verification found.
        opened.push({ ...verified[i]!, record: e.record });
        if (e.anchor) anchors.set(e.record.id, e.anchor);
      });
      cursor = page.next;
    } while (cursor);
    return { opened, anchors };
  }

  /** Check an export file; anchors are looked up on this ward's chain only (others: not checked). */
  async verify(actor: Actor, bundle: unknown): Promise<VerificationReport> {
    const ours = { chainId: this.node.options.chainId, contract: ethers.getAddress(this.anchorsContract) };
    const report = await verifyExport(bundle, async (chainId, contract, root) => {
      if (chainId !== ours.chainId || contract !== ours.contract) return null;
      return this.verifier.rootOnChain(root);
    });
    const patientId = (bundle as { entry?: Array<{ resource?: { resourceType?: string; id?: string; identifier?: Array<{ value?: string }> } }> })?.entry?.find(
      (e) => e.resource?.resourceType === 'Patient',
    )?.resource?.identifier?.[0]?.value;
    if (report.checked > 0 && typeof patientId === 'string' && /^0x[0-9a-f]{64}$/.test(patientId)) {
      await this.audit.record(actor, null, 'verify', { patientRef: patientId }).catch(() => undefined);
    }
    return report;
  }
}
